"""Content governance in the editors' admin: the next review date, “Start periodic review”, and
the reader feedback queue (new → accepted / dismissed with a reason, linked to its answer)."""

from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from articles import services
from articles.choices import FeedbackKind, FeedbackStatus, ReadingLevel, ReviewStatus
from articles.models import Article, Claim, ClaimFeedback

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:articles_claimfeedback_changelist")


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def feedback(approved_and_published_article):
    claim = Claim.objects.of_article(approved_and_published_article).first()
    return services.feedback_submit(
        claim=claim,
        kind=FeedbackKind.OUTDATED,
        note="A 2025 trial changed this.",
        reading_level=ReadingLevel.CLINICIAN,
        article_version=approved_and_published_article.content_version,
    )


def test_article_page_shows_the_next_review_date_and_periodic_review_button(
    client, editor, approved_and_published_article
):
    client.force_login(editor)

    page = client.get(
        reverse("admin:articles_article_change", args=[approved_and_published_article.pk])
    ).text

    assert approved_and_published_article.next_review_due.isoformat() in page
    assert "Start periodic review" in page
    assert "Set the next review date…" in page


def test_editor_starts_a_periodic_review_from_the_article_page(
    client, editor, approved_and_published_article
):
    client.force_login(editor)

    client.post(
        reverse(
            "admin:articles_article_transition",
            args=[approved_and_published_article.pk, "start_periodic_review"],
        )
    )

    assert (
        Article.objects.get(pk=approved_and_published_article.pk).review_status
        == ReviewStatus.PERIODIC_REVIEW
    )


def test_editor_sets_another_review_date_with_a_reason(
    client, editor, approved_and_published_article
):
    client.force_login(editor)
    url = reverse("admin:articles_article_next_review", args=[approved_and_published_article.pk])

    refused = client.post(url, {"due_on": "2030-06-01", "reason": ""})
    client.post(url, {"due_on": "2030-06-01", "reason": "Guideline update due mid-2030"})

    assert "This field is required." in refused.text
    article = Article.objects.get(pk=approved_and_published_article.pk)
    assert article.next_review_due == date(2030, 6, 1)
    assert article.history.latest("history_id").history_user == editor


def test_board_reviewer_cannot_set_the_review_date(
    client, reviewer, approved_and_published_article
):
    client.force_login(reviewer)
    url = reverse("admin:articles_article_next_review", args=[approved_and_published_article.pk])

    response = client.post(url, {"due_on": "2030-06-01", "reason": "Later"})

    assert response.status_code == 403


def test_the_queue_lists_new_feedback_for_editors(client, editor, feedback):
    client.force_login(editor)

    page = client.get(QUEUE_URL).text

    assert feedback.wording[:40] in page
    assert "It is out of date" in page


def test_board_reviewers_and_readers_never_see_the_queue(client, reviewer, feedback):
    client.force_login(reviewer)
    assert client.get(QUEUE_URL).status_code == 403
    client.logout()
    assert client.get(QUEUE_URL).status_code == 302  # to the login page


def test_editor_accepts_feedback_naming_the_edit_that_answered_it(client, editor, feedback):
    services.wording_set(
        claim=feedback.claim,
        level=ReadingLevel.CLINICIAN,
        text="Updated after the 2025 trial.",
        actor=editor,
        reason="Reader feedback: 2025 trial",
    )
    change = services.changes_answering(feedback).first()
    client.force_login(editor)
    settle_url = reverse("admin:articles_claimfeedback_settle", args=[feedback.pk])

    form = client.get(settle_url).text
    response = client.post(
        settle_url,
        {"outcome": "accept", "answered_by_change": change.pk, "reason": "Updated."},
        follow=True,
    )

    assert "Reader feedback: 2025 trial" in form
    accepted = ClaimFeedback.objects.get(pk=feedback.pk)
    assert (accepted.status, accepted.answered_by_change) == (FeedbackStatus.ACCEPTED, change)
    assert "The feedback is settled." in _messages(response)
    page = client.get(reverse("admin:articles_claimfeedback_change", args=[feedback.pk])).text
    assert reverse("admin:articles_article_simple_history", args=[change.id, change.pk]) in page


def test_accepting_without_an_answering_edit_is_refused(client, editor, feedback):
    client.force_login(editor)
    settle_url = reverse("admin:articles_claimfeedback_settle", args=[feedback.pk])

    response = client.post(settle_url, {"outcome": "accept", "reason": "Yes"}, follow=True)

    assert any("Name the change" in text for text in _messages(response))
    assert ClaimFeedback.objects.get(pk=feedback.pk).status == FeedbackStatus.NEW


def test_editor_dismisses_selected_feedback_with_a_reason(client, editor, feedback):
    client.force_login(editor)
    data = {"action": "dismiss", ACTION_CHECKBOX_NAME: [feedback.pk], "index": 0}

    form = client.post(QUEUE_URL, data)
    client.post(QUEUE_URL, {**data, "reason": "Matches reference 1."})

    assert "Why dismiss them" in form.text
    dismissed = ClaimFeedback.objects.get(pk=feedback.pk)
    assert (dismissed.status, dismissed.resolution) == (
        FeedbackStatus.DISMISSED,
        "Matches reference 1.",
    )
    assert dismissed.history.count() == 2


def test_feedback_cannot_be_edited_or_deleted_in_the_admin(client, editor, feedback):
    client.force_login(editor)
    change_url = reverse("admin:articles_claimfeedback_change", args=[feedback.pk])

    client.post(change_url, {"note": "rewritten"})
    delete = client.post(reverse("admin:articles_claimfeedback_delete", args=[feedback.pk]))

    assert ClaimFeedback.objects.get(pk=feedback.pk).note == "A 2025 trial changed this."
    assert delete.status_code == 403
