"""The article admin: transitions through services, content edits as material changes, history."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import services as article_services
from articles.choices import ClaimStatus, PublicationStatus, ReadingLevel, ReviewStatus
from articles.models import Article, Claim, Reference, Wording
from reviewers import services as reviewer_services
from reviewers.roles import APPROVERS, BOARD, EDITORS
from tests.factories import (
    ApproverFactory,
    ArticleFactory,
    ReferenceFactory,
    ReviewAssignmentFactory,
    UserFactory,
    WordingFactory,
    article_with_claims,
)
from tests.workflow import approve_everything, assign_and_start

pytestmark = pytest.mark.django_db

HARD_TEXT = (
    "Dystrophic calcification represents pathological hydroxyapatite deposition within "
    "necrotic myocardial parenchyma secondary to ischaemic cardiomyopathy."
)


def _change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _transition_url(article, name):
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _superuser():
    user = UserFactory(is_superuser=True)
    user.save()  # the factory sets the password after its own save
    return user


def _claim_form_data(claim, **overrides):
    wordings = claim.texts_by_level()
    citations = list(claim.citations.order_by("order"))
    data = {
        "clinician": wordings.get(ReadingLevel.CLINICIAN, ""),
        "student": wordings.get(ReadingLevel.STUDENT, ""),
        "patient": wordings.get(ReadingLevel.PATIENT, ""),
        "reason": "",
        "citations-TOTAL_FORMS": str(len(citations)),
        "citations-INITIAL_FORMS": str(len(citations)),
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    for index, citation in enumerate(citations):
        data[f"citations-{index}-id"] = str(citation.pk)
        data[f"citations-{index}-claim"] = str(claim.pk)
        data[f"citations-{index}-order"] = str(citation.order)
        data[f"citations-{index}-reference"] = str(citation.reference_id)
    data.update(overrides)
    return data


def test_article_list_filters_by_overdue_review(client, editor):
    late = ArticleFactory(title="Is this review late?")
    ReviewAssignmentFactory(article=late, due_at=timezone.now() - timedelta(days=1))
    on_time = ArticleFactory(title="Is this review on time?")
    ReviewAssignmentFactory(article=on_time)
    client.force_login(editor)

    response = client.get(reverse("admin:articles_article_changelist"), {"overdue": "yes"})

    assert response.status_code == 200
    assert "Is this review late?" in response.text
    assert "Is this review on time?" not in response.text


def test_article_list_searches_titles(client, editor):
    ArticleFactory(title="What are calcium deposits?")
    ArticleFactory(title="Is coffee good for you?")
    client.force_login(editor)

    response = client.get(reverse("admin:articles_article_changelist"), {"q": "calcium"})

    assert "What are calcium deposits?" in response.text
    assert "Is coffee good for you?" not in response.text


def test_change_page_queries_do_not_grow_with_claims(client, editor, reviewer):
    references = [ReferenceFactory(), ReferenceFactory()]
    small = article_with_claims(claims=2, editor=editor, references=references)
    large = article_with_claims(claims=200, editor=editor, references=references)
    for article in (small, large):
        ReviewAssignmentFactory(article=article, reviewer=reviewer, assigned_by=editor)
    client.force_login(editor)
    client.get(_change_url(small))  # warm the content-type and permission caches

    counts = {}
    for name, article in (("small", small), ("large", large)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_change_url(article))
        assert response.status_code == 200
        counts[name] = len(queries)

    assert response.text.count('class="claim-row') == 200
    assert counts["large"] == counts["small"], counts


def test_change_page_shows_claims_with_status_wordings_and_grades(client, editor):
    article = article_with_claims(claims=1, editor=editor)
    claim = Claim.objects.of_article(article).get()
    WordingFactory(claim=claim, level=ReadingLevel.PATIENT, text=HARD_TEXT)
    client.force_login(editor)

    response = client.get(_change_url(article))

    assert "Pending review" in response.text
    assert "Calcium deposits occur in damaged tissue" in response.text
    assert "above grade 8 for patients and caregivers" in response.text


def test_editor_sees_start_review_only_once_a_reviewer_is_assigned(client, editor, reviewer):
    article = article_with_claims(editor=editor)
    client.force_login(editor)

    before = client.get(_change_url(article)).text
    ReviewAssignmentFactory(article=article, reviewer=reviewer, assigned_by=editor)
    after = client.get(_change_url(article)).text

    assert _transition_url(article, "start_review") not in before
    assert "has no board reviewer assigned in round 1" in before
    assert _transition_url(article, "start_review") in after


def test_board_reviewer_sees_no_editor_buttons(client, editor, reviewer):
    article = article_with_claims(editor=editor)
    ReviewAssignmentFactory(article=article, reviewer=reviewer, assigned_by=editor)
    client.force_login(reviewer)

    page = client.get(_change_url(article)).text

    assert _transition_url(article, "start_review") not in page
    assert _transition_url(article, "publish") not in page


def test_start_review_button_records_the_transition_in_history(client, editor, reviewer):
    article = article_with_claims(editor=editor)
    ReviewAssignmentFactory(article=article, reviewer=reviewer, assigned_by=editor)
    client.force_login(editor)

    response = client.post(_transition_url(article, "start_review"))

    article.refresh_from_db()
    assert response.status_code == 302
    assert article.review_status == ReviewStatus.UNDER_REVIEW
    latest = article.history.latest("history_date")
    assert latest.history_user == editor
    assert latest.history_change_reason == "start_review"


def test_refused_transition_names_the_failed_condition_and_changes_nothing(client, editor):
    article = article_with_claims(editor=editor)
    version = article.content_version
    client.force_login(editor)

    response = client.post(_transition_url(article, "start_review"), follow=True)

    article.refresh_from_db()
    assert article.review_status == ReviewStatus.SUBMITTED
    assert article.content_version == version
    assert any("has no board reviewer assigned" in text for text in _messages(response))


def test_transition_buttons_refuse_a_get(client, editor, reviewer):
    article = article_with_claims(editor=editor)
    ReviewAssignmentFactory(article=article, reviewer=reviewer, assigned_by=editor)
    client.force_login(editor)

    response = client.get(_transition_url(article, "start_review"))

    article.refresh_from_db()
    assert response.status_code == 405
    assert article.review_status == ReviewStatus.SUBMITTED


def test_request_changes_on_an_article_needs_a_note(client, editor, reviewer):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    client.force_login(reviewer)

    empty = client.post(_transition_url(article, "request_changes"), {"note": " "})
    article.refresh_from_db()
    assert empty.status_code == 200
    assert article.review_status == ReviewStatus.UNDER_REVIEW

    client.post(_transition_url(article, "request_changes"), {"note": "Cite the 2021 guideline."})
    article.refresh_from_db()
    assert article.review_status == ReviewStatus.CHANGES_REQUESTED
    assert (
        "Cite the 2021 guideline." in article.history.latest("history_date").history_change_reason
    )


def test_nobody_approves_an_article_they_created(client, reviewer):
    creator = ApproverFactory(groups=[APPROVERS, BOARD, EDITORS])
    article = article_with_claims(editor=creator)
    article = assign_and_start(article, editor=creator, reviewer=reviewer)
    claims = list(Claim.objects.of_article(article))
    reviewer_services.claims_decide(claims=claims, actor=reviewer, decision="approve")
    assignment = article.assignments.get(reviewer=reviewer)
    reviewer_services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
    reviewer_services.assignment_complete(
        assignment=assignment, actor=reviewer, recommendation="approve"
    )
    client.force_login(creator)

    page = client.get(_change_url(article)).text
    response = client.post(_transition_url(article, "approve"), follow=True)

    article.refresh_from_db()
    assert _transition_url(article, "approve") not in page
    assert article.review_status == ReviewStatus.UNDER_REVIEW
    assert any("another board member must approve it" in text for text in _messages(response))


def test_approver_approves_and_editor_publishes_through_buttons(client, editor, reviewer, approver):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    reviewer_services.claims_decide(
        claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
    )
    reviewer_services.assignment_accept(
        assignment=article.assignments.get(), actor=reviewer, no_conflict=True
    )
    reviewer_services.assignment_complete(
        assignment=article.assignments.get(), actor=reviewer, recommendation="approve"
    )

    client.force_login(approver)
    client.post(_transition_url(article, "approve"))
    client.force_login(editor)
    client.post(_transition_url(article, "publish"), {"reason": "Approved by the board"})

    article.refresh_from_db()
    assert article.review_status == ReviewStatus.APPROVED
    assert article.approved_by == approver
    assert article.publication_status == PublicationStatus.PUBLISHED


def test_the_approve_button_closes_the_rounds_open_assignments(
    client, approver, ready_article_with_open_assignments
):
    article = ready_article_with_open_assignments
    client.force_login(approver)
    client.post(_transition_url(article, "approve"))

    article.refresh_from_db()
    assert article.review_status == ReviewStatus.APPROVED
    assert not article.assignments.filter(status__in=["assigned", "accepted"]).exists()


def test_publish_asks_for_confirmation_and_a_reason_kept_in_history(client, editor):
    article = article_with_claims(editor=editor)
    client.force_login(editor)

    page = client.get(_change_url(article)).text
    confirm = client.get(_transition_url(article, "publish"))
    unexplained = client.post(_transition_url(article, "publish"), {"reason": " "})

    article.refresh_from_db()
    assert f'href="{_transition_url(article, "publish")}"' in page
    assert "pending human review" in confirm.text
    assert unexplained.status_code == 200
    assert article.publication_status == PublicationStatus.DRAFT
    client.post(_transition_url(article, "publish"), {"reason": "Launch of the series"})
    article.refresh_from_db()
    assert article.publication_status == PublicationStatus.PUBLISHED
    latest = article.history.latest("history_date")
    assert latest.history_change_reason == "publish: Launch of the series"
    assert latest.history_user == editor


def test_withdraw_says_what_readers_will_see_and_keeps_the_reason(client, editor):
    article = article_with_claims(editor=editor)
    article_services.article_publish(article=article, actor=editor)
    client.force_login(editor)

    confirm = client.get(_transition_url(article, "withdraw")).text
    client.post(_transition_url(article, "withdraw"), {"reason": "Guideline superseded"})

    article.refresh_from_db()
    assert "Page not found" in confirm and article.get_absolute_url() in confirm
    assert article.publication_status == PublicationStatus.WITHDRAWN
    assert (
        article.history.latest("history_date").history_change_reason
        == "withdraw: Guideline superseded"
    )


def test_editing_a_wording_returns_the_claim_to_pending_and_bumps_the_version(
    client, editor, reviewer, approver
):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    approve_everything(article, reviewer=reviewer, approver=approver)
    claim = Claim.objects.of_article(article).first()
    version = Article.objects.get(pk=article.pk).content_version
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_claim_change", args=[claim.pk]),
        _claim_form_data(
            claim, clinician="Calcium deposits often occur in injured tissue.", reason="Clearer"
        ),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    claim = Claim.objects.get(pk=claim.pk)
    article.refresh_from_db()
    assert claim.review_status == ClaimStatus.PENDING
    assert claim.wording_text(ReadingLevel.CLINICIAN).startswith("Calcium deposits often")
    assert article.review_status == ReviewStatus.UNDER_REVIEW
    assert article.round == 2
    assert article.content_version > version
    wording = Wording.objects.get(claim=claim, level=ReadingLevel.CLINICIAN)
    assert wording.history.latest("history_date").history_change_reason == "Clearer"


def test_saving_a_claim_unchanged_leaves_it_approved(client, editor, reviewer, approver):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    approve_everything(article, reviewer=reviewer, approver=approver)
    claim = Claim.objects.of_article(article).first()
    client.force_login(editor)

    client.post(reverse("admin:articles_claim_change", args=[claim.pk]), _claim_form_data(claim))

    claim = Claim.objects.get(pk=claim.pk)
    article.refresh_from_db()
    assert claim.review_status == ClaimStatus.APPROVED
    assert article.review_status == ReviewStatus.APPROVED


def test_citations_edited_inline_are_a_material_change(client, editor):
    article = article_with_claims(claims=1, editor=editor)
    claim = Claim.objects.of_article(article).get()
    added = ReferenceFactory()
    data = _claim_form_data(claim)
    data.update(
        {
            "citations-TOTAL_FORMS": "2",
            "citations-1-order": "2",
            "citations-1-reference": str(added.pk),
            "citations-1-claim": str(claim.pk),
        }
    )
    client.force_login(editor)

    client.post(reverse("admin:articles_claim_change", args=[claim.pk]), data)

    assert list(claim.citations.order_by("order").values_list("reference_id", flat=True))[-1] == (
        added.pk
    )
    assert claim.citations.first().history.latest("history_date").history_user == editor


def test_patient_wording_above_grade_8_warns_the_editor(client, editor):
    article = article_with_claims(claims=1, editor=editor)
    claim = Claim.objects.of_article(article).get()
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_claim_change", args=[claim.pk]),
        _claim_form_data(claim, patient=HARD_TEXT),
        follow=True,
    )

    assert any("above grade 8" in text for text in _messages(response))


def test_adding_a_claim_goes_through_the_service(client, editor):
    article = article_with_claims(claims=1, editor=editor)
    section = article.sections.get()
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_claim_add"),
        {
            "section": section.pk,
            "parent": "",
            "kind": "bullet",
            "clinician": "Most deposits cause no symptoms.",
            "student": "",
            "patient": "",
            "reason": "",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
            "citations-MIN_NUM_FORMS": "0",
            "citations-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    added = Claim.objects.of_article(article).order_by("order").last()
    assert added.wording_text(ReadingLevel.CLINICIAN) == "Most deposits cause no symptoms."
    assert added.history.latest("history_date").history_change_reason == "Claim added in the admin"


def test_history_shows_reasons_and_field_changes(client, editor, reviewer):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    client.force_login(editor)

    page = client.get(reverse("admin:articles_article_history", args=[article.pk])).text

    assert "start_review" in page
    assert "Submitted" in page and "Under review" in page


def test_history_cannot_be_reverted_even_by_a_superuser(client, editor):
    article = article_with_claims(claims=1, editor=editor)
    claim = Claim.objects.of_article(article).get()
    wording = claim.wordings.get()
    version = wording.history.earliest("history_date")
    superuser = _superuser()
    client.force_login(superuser)
    url = reverse("admin:articles_wording_simple_history", args=[wording.pk, version.history_id])

    page = client.get(url)
    response = client.post(url, {"claim": claim.pk, "level": "clinician", "text": "Forged."})

    wording.refresh_from_db()
    assert page.status_code == 200
    assert 'value="Revert"' not in page.text
    assert response.status_code == 403
    assert wording.text != "Forged."
    assert wording.history.count() == 1


def test_history_rows_cannot_be_changed_through_the_admin(client):
    superuser = _superuser()
    client.force_login(superuser)

    response = client.get("/admin/articles/historicalarticle/")

    assert response.status_code == 404


def test_wordings_are_read_only_in_their_own_admin(client, editor):
    article = article_with_claims(claims=1, editor=editor)
    wording = Claim.objects.of_article(article).get().wordings.get()
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_wording_change", args=[wording.pk]),
        {"claim": wording.claim_id, "level": "clinician", "text": "Forged."},
    )

    wording.refresh_from_db()
    assert response.status_code == 403
    assert wording.text != "Forged."


def test_rewording_the_question_is_recorded_and_bumps_the_version(client, editor):
    article = article_with_claims(editor=editor)
    version = article.content_version
    client.force_login(editor)

    response = client.post(
        _change_url(article),
        {
            "title": "What do calcium deposits mean?",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )

    article = Article.objects.get(pk=article.pk)
    assert response.status_code == 302
    assert article.title == "What do calcium deposits mean?"
    assert article.content_version == version + 1
    latest = article.history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (
        editor,
        "Question reworded in the admin",
    )


def test_renaming_a_section_is_recorded_and_bumps_the_version(client, editor):
    article = article_with_claims(editor=editor)
    section = article.sections.get()
    client.force_login(editor)

    client.post(
        reverse("admin:articles_section_change", args=[section.pk]),
        {"heading": "What causes them?", "level": 3},
    )

    section = type(section).objects.get(pk=section.pk)
    assert (section.heading, section.level) == ("What causes them?", 3)
    assert Article.objects.get(pk=article.pk).content_version == article.content_version + 1
    assert section.history.latest("history_date").history_user == editor


def test_adding_a_reference_is_recorded_under_the_editor(client, editor):
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_reference_add"),
        {
            "kind": "research",
            "title": "Vascular calcification in CKD",
            "year": "2019",
            "is_complete": "on",
        },
    )

    reference = Reference.objects.get(title="Vascular calcification in CKD")
    assert response.status_code == 302
    assert (reference.year, reference.is_complete) == (2019, True)
    latest = reference.history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (
        editor,
        "Reference added in the admin",
    )


def test_editor_reads_the_reviewers_comment_on_the_article_page(client, editor, reviewer):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    claim = Claim.objects.of_article(article).first()
    reviewer_services.claims_decide(
        claims=[claim], actor=reviewer, decision="request_changes", comment="Name the tissue."
    )
    client.force_login(editor)

    page = client.get(_change_url(article)).text

    assert "Changes requested" in page
    assert "Name the tissue." in page


def test_board_reviewer_reads_a_claims_wordings_without_editing_them(client, editor, reviewer):
    article = article_with_claims(claims=1, editor=editor)
    claim = Claim.objects.of_article(article).get()
    client.force_login(reviewer)

    page = client.get(reverse("admin:articles_claim_change", args=[claim.pk])).text

    assert claim.wording_text(ReadingLevel.CLINICIAN) in page
    assert 'name="clinician"' not in page


def test_a_claims_past_version_is_shown_without_form_fields(client, editor):
    article = article_with_claims(claims=1, editor=editor)
    claim = Claim.objects.of_article(article).get()
    version = claim.history.earliest("history_date")
    client.force_login(_superuser())

    page = client.get(
        reverse("admin:articles_claim_simple_history", args=[claim.pk, version.history_id])
    ).text

    assert claim.wording_text(ReadingLevel.CLINICIAN) in page
    assert "<textarea" not in page
    assert 'value="Revert"' not in page
