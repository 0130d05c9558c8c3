"""The board reviewers' admin: claims awaiting my review, decisions, assignments."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from articles import services as article_services
from articles.choices import ClaimStatus, ReadingLevel, ReviewStatus
from articles.models import Article, Claim
from reviewers import services
from reviewers.choices import AssignmentStatus, Recommendation
from reviewers.models import ClaimDecision, ReviewAssignment
from reviewers.selectors import review_for_assignment
from tests.factories import (
    BoardReviewerFactory,
    EditorFactory,
    ReviewAssignmentFactory,
    article_with_claims,
)
from tests.workflow import assign_and_start

pytestmark = pytest.mark.django_db

AWAITING_URL = reverse("admin:reviewers_claimawaitingreview_changelist")
ASSIGNMENTS_URL = reverse("admin:reviewers_reviewassignment_changelist")


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _decide(client, claims, action, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [claim.pk for claim in claims], "index": 0}
    data.update(extra)
    return client.post(AWAITING_URL, data, follow=True)


def _statuses(claims):
    return set(
        Claim.objects.filter(pk__in=[claim.pk for claim in claims]).values_list(
            "review_status", flat=True
        )
    )


def test_claims_awaiting_my_review_lists_only_my_articles_this_round(client, editor, reviewer):
    mine = assign_and_start(
        article_with_claims(claims=1, editor=editor), editor=editor, reviewer=reviewer
    )
    other = assign_and_start(
        article_with_claims(claims=1, editor=editor), editor=editor, reviewer=BoardReviewerFactory()
    )
    client.force_login(reviewer)

    response = client.get(AWAITING_URL)

    assert response.status_code == 200
    assert str(mine) in response.text
    assert str(other) not in response.text


def test_approve_action_writes_decisions_and_history(client, reviewer, article_under_review):
    claims = list(Claim.objects.of_article(article_under_review))
    client.force_login(reviewer)

    response = _decide(client, claims, "approve")

    assert _statuses(claims) == {ClaimStatus.APPROVED}
    assert ClaimDecision.objects.filter(decision="approve").count() == 3
    assert "3 claims approved." in _messages(response)
    latest = Claim.objects.get(pk=claims[0].pk).history.latest("history_date")
    assert latest.history_user == reviewer
    assert latest.history_change_reason.startswith("approve")


def test_request_changes_asks_for_a_comment_first(client, reviewer, article_under_review):
    claim = Claim.objects.of_article(article_under_review).first()
    client.force_login(reviewer)

    page = _decide(client, [claim], "request_changes")
    blank = _decide(client, [claim], "request_changes", comment="  ")

    assert "What must change" in page.text
    assert blank.status_code == 200 and "This field is required" in blank.text
    assert _statuses([claim]) == {ClaimStatus.PENDING}
    assert not ClaimDecision.objects.exists()


def test_request_changes_with_a_comment_records_it(client, reviewer, article_under_review):
    claim = Claim.objects.of_article(article_under_review).first()
    client.force_login(reviewer)

    _decide(client, [claim], "request_changes", comment="Say which tissues.")

    assert _statuses([claim]) == {ClaimStatus.CHANGES_REQUESTED}
    decision = ClaimDecision.objects.get()
    assert decision.comment == "Say which tissues."
    assert decision.assignment.reviewer == reviewer


def test_reviewer_without_an_assignment_cannot_decide_by_forged_post(client, article_under_review):
    outsider = BoardReviewerFactory()
    claims = list(Claim.objects.of_article(article_under_review))
    client.force_login(outsider)

    response = _decide(client, claims, "approve")

    assert _statuses(claims) == {ClaimStatus.PENDING}
    assert not ClaimDecision.objects.exists()
    assert any("Only a board reviewer with an active assignment" in m for m in _messages(response))


def test_editor_cannot_open_or_post_to_claims_awaiting_review(client, editor, article_under_review):
    claims = list(Claim.objects.of_article(article_under_review))
    client.force_login(editor)

    listing = client.get(AWAITING_URL)
    forged = client.post(
        AWAITING_URL,
        {"action": "approve", ACTION_CHECKBOX_NAME: [claim.pk for claim in claims], "index": 0},
    )

    assert listing.status_code == 403
    assert forged.status_code == 403
    assert _statuses(claims) == {ClaimStatus.PENDING}


def test_declined_reviewer_can_no_longer_decide(client, reviewer, article_under_review):
    assignment = article_under_review.assignments.get(reviewer=reviewer)
    claims = list(Claim.objects.of_article(article_under_review))
    client.force_login(reviewer)
    response = client.get(AWAITING_URL)
    services.assignment_decline(assignment=assignment, actor=reviewer)

    _decide(client, claims, "approve")

    assert str(article_under_review) in response.text
    assert _statuses(claims) == {ClaimStatus.PENDING}


def _reworded_in_round_2(article, claim, *, sent_back_by, editor):
    """The board sends ``article`` back, the editor rewords ``claim``, resubmits and starts
    round 2 (its reviewers carried in)."""
    article_services.article_request_changes(
        article=article, actor=sent_back_by, note="See the claim comments."
    )
    article_services.wording_set(
        claim=claim,
        level=ReadingLevel.CLINICIAN,
        text="Calcium deposits often occur in injured heart tissue.",
        actor=editor,
        reason="Be specific",
    )
    article = services.article_resubmit(article=article, actor=editor)
    return article_services.article_start_review(article=article, actor=editor)


def test_changed_claim_shows_a_word_diff_against_the_wording_decided_on(
    client, editor, reviewer, article_under_review
):
    claim = Claim.objects.of_article(article_under_review).first()
    client.force_login(reviewer)
    _decide(client, [claim], "request_changes", comment="Be specific.")
    _reworded_in_round_2(article_under_review, claim, sent_back_by=reviewer, editor=editor)

    page = client.get(AWAITING_URL).text

    assert "Changed since changes were requested" in page
    assert '<ins class="diff-added">often</ins>' in page
    assert '<del class="diff-removed">damaged</del>' in page
    assert "Be specific." in page


def test_changed_is_measured_from_my_own_last_decision_in_the_list_as_on_the_review_screen(
    client, editor, reviewer, article_under_review
):
    other = BoardReviewerFactory()
    services.assignment_create(
        article=article_under_review,
        reviewer=other,
        due_at=timezone.now() + timedelta(days=7),
        actor=editor,
    )
    claim = Claim.objects.of_article(article_under_review).first()
    (mine,) = services.claims_decide(claims=[claim], actor=reviewer, decision="approve")
    services.claims_decide(
        claims=[Claim.objects.get(pk=claim.pk)],
        actor=other,
        decision="request_changes",
        comment="Name the tissue.",
    )
    article = _reworded_in_round_2(article_under_review, claim, sent_back_by=other, editor=editor)
    assignment = article.assignments.get(reviewer=reviewer, round=2)
    client.force_login(reviewer)

    page = client.get(AWAITING_URL).text
    (item,) = [i for i in review_for_assignment(assignment).claims() if i.claim.pk == claim.pk]

    assert item.changed and item.since == mine
    assert "Changed since it was approved on" in page
    assert "Changed since changes were requested" not in page
    assert '<ins class="diff-added">often</ins>' in page


def test_my_assignments_shows_only_mine_with_overdue_highlighted(client, reviewer):
    ReviewAssignmentFactory(reviewer=reviewer, due_at=timezone.now() - timedelta(days=2))
    someone_elses = ReviewAssignmentFactory()
    client.force_login(reviewer)

    page = client.get(ASSIGNMENTS_URL).text

    assert "My assignments" in page
    assert 'class="overdue"' in page
    assert str(someone_elses.article) not in page


def test_editor_assigns_a_board_reviewer_with_a_due_date(client, editor, reviewer):
    article = article_with_claims(editor=editor)
    due = timezone.localtime() + timedelta(days=10)
    client.force_login(editor)

    response = client.post(
        reverse("admin:reviewers_reviewassignment_add"),
        {
            "article": article.pk,
            "reviewer": reviewer.pk,
            "due_at_0": due.strftime("%Y-%m-%d"),
            "due_at_1": due.strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert (assignment.reviewer, assignment.assigned_by, assignment.round) == (reviewer, editor, 1)
    assert assignment.history.get().history_change_reason == "Reviewer assigned in the admin"


def test_reviewer_picker_names_board_members_with_credentials_and_specialty(
    client, editor, reviewer
):
    outsider = EditorFactory(last_name="Outsider")
    client.force_login(editor)

    page = client.get(reverse("admin:reviewers_reviewassignment_add")).text

    profile = reviewer.reviewer_profile
    assert f"{reviewer.get_full_name()}, {profile.credentials} — {profile.specialty}" in page
    assert f'value="{outsider.pk}"' not in page


def test_editor_assigns_from_the_article_page_and_lands_back_on_it(client, editor, reviewer):
    article = article_with_claims(editor=editor)
    client.force_login(editor)
    change = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(change).text
    assert reverse("admin:articles_article_assign", args=[article.pk]) in page
    assert reviewer.reviewer_profile.specialty in page

    due = timezone.localdate() + timedelta(days=9)
    response = client.post(
        reverse("admin:articles_article_assign", args=[article.pk]),
        {"reviewer": reviewer.pk, "due_on": due.isoformat()},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"{change}#board-reviewers"
    assignment = ReviewAssignment.objects.get(article=article)
    assert (assignment.reviewer, assignment.assigned_by) == (reviewer, editor)
    assert timezone.localtime(assignment.due_at).date() == due
    assert "is assigned" in response.text


def test_assigning_from_the_article_page_needs_the_permission(client, reviewer):
    article = article_with_claims()
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:articles_article_assign", args=[article.pk]),
        {"reviewer": reviewer.pk, "due_on": "2099-01-01"},
    )
    assert response.status_code == 403
    assert not ReviewAssignment.objects.exists()


def test_editor_cannot_list_users_outside_the_autocomplete(client, editor):
    client.force_login(editor)

    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_reviewer_accepts_and_completes_with_a_recommendation(
    client, reviewer, article_under_review
):
    assignment = article_under_review.assignments.get()
    client.force_login(reviewer)
    actions = {ACTION_CHECKBOX_NAME: [assignment.pk], "index": 0}

    client.post(ASSIGNMENTS_URL, {"action": "accept", "declaration": "none", **actions})
    services.claims_decide(
        claims=list(Claim.objects.of_article(article_under_review)),
        actor=reviewer,
        decision="approve",
    )
    form = client.post(ASSIGNMENTS_URL, {"action": "complete", **actions})
    client.post(
        ASSIGNMENTS_URL,
        {"action": "complete", ACTION_CHECKBOX_NAME: [assignment.pk], "recommendation": "approve"},
    )

    assignment = ReviewAssignment.objects.get(pk=assignment.pk)
    assert "Your recommendation" in form.text
    assert assignment.status == AssignmentStatus.COMPLETED
    assert assignment.recommendation == Recommendation.APPROVE


def test_completing_with_request_changes_in_the_admin_sends_the_article_back(
    client, reviewer, article_under_review
):
    """As on the review screen: otherwise the article stays under review with every review in,
    where its editor cannot open a new round."""
    assignment = article_under_review.assignments.get()
    client.force_login(reviewer)
    actions = {ACTION_CHECKBOX_NAME: [assignment.pk], "index": 0}
    client.post(ASSIGNMENTS_URL, {"action": "accept", "declaration": "none", **actions})

    client.post(
        ASSIGNMENTS_URL,
        {
            "action": "complete",
            "recommendation": "request_changes",
            "reason": "Cite the 2021 guideline.",
            **actions,
        },
    )

    article = Article.objects.get(pk=article_under_review.pk)
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.COMPLETED
    assert article.review_status == ReviewStatus.CHANGES_REQUESTED


def test_reviewer_cannot_answer_someone_elses_assignment(client, article_under_review):
    assignment = article_under_review.assignments.get()
    intruder = BoardReviewerFactory()
    ReviewAssignmentFactory(reviewer=intruder)
    client.force_login(intruder)

    client.post(ASSIGNMENTS_URL, {"action": "decline", ACTION_CHECKBOX_NAME: [assignment.pk]})

    assert ReviewAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.ASSIGNED


def test_claim_decisions_are_read_only(client, reviewer, article_under_review):
    claim = Claim.objects.of_article(article_under_review).first()
    client.force_login(reviewer)
    _decide(client, [claim], "approve")
    decision = ClaimDecision.objects.get()

    change = client.post(
        reverse("admin:reviewers_claimdecision_change", args=[decision.pk]),
        {"decision": "request_changes", "comment": "Forged."},
    )
    delete = client.post(
        reverse("admin:reviewers_claimdecision_delete", args=[decision.pk]), {"post": "yes"}
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert ClaimDecision.objects.get().decision == "approve"


def test_article_request_changes_then_resubmit_keeps_the_reviewer(
    client, editor, article_under_review
):
    client.force_login(editor)
    reviewer = article_under_review.assignments.get().reviewer
    article_services.article_request_changes(
        article=article_under_review, actor=reviewer, note="Fix it."
    )

    client.post(
        reverse("admin:articles_article_transition", args=[article_under_review.pk, "resubmit"])
    )

    article = type(article_under_review).objects.get(pk=article_under_review.pk)
    assert article.review_status == ReviewStatus.SUBMITTED
    assert article.assignments.filter(round=2, reviewer=reviewer).exists()


def _approve_one_url(claim):
    return reverse("admin:reviewers_claimawaitingreview_approve", args=[claim.pk])


def test_a_single_claim_is_approved_in_one_click(client, reviewer, article_under_review):
    claim = Claim.objects.of_article(article_under_review).first()
    client.force_login(reviewer)

    page = client.get(AWAITING_URL).text
    response = client.post(_approve_one_url(claim), HTTP_REFERER=f"http://testserver{AWAITING_URL}")

    assert f'formaction="{_approve_one_url(claim)}"' in page
    assert response.status_code == 302 and response["Location"].endswith(AWAITING_URL)
    assert _statuses([claim]) == {ClaimStatus.APPROVED}
    assert ClaimDecision.objects.get().claim_id == claim.pk


def test_one_click_approval_is_refused_to_others(client, editor, article_under_review):
    claim = Claim.objects.of_article(article_under_review).first()
    client.force_login(BoardReviewerFactory())
    outsider = client.post(_approve_one_url(claim), follow=True)
    client.force_login(editor)
    as_editor = client.post(_approve_one_url(claim))

    assert any("Only a board reviewer with an active assignment" in m for m in _messages(outsider))
    assert as_editor.status_code == 403
    assert _statuses([claim]) == {ClaimStatus.PENDING}
    assert not ClaimDecision.objects.exists()
