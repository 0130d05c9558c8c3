"""``ArticleQuerySet.ready_to_approve`` gives the approve transition's answer for many articles
at once: in every state below, an article is listed exactly when an approver may approve it."""

import pytest

from articles.models import Article, Claim
from editorial.exceptions import EditorialError
from editorial.workflow import check_transition
from reviewers import services as reviewer_services
from reviewers.roles import APPROVERS, BOARD, EDITORS
from tests.factories import (
    ApproverFactory,
    BoardReviewerFactory,
    ReferenceFactory,
    article_with_claims,
)
from tests.workflow import approve_everything, assign_and_start, ready_with_open_assignments

pytestmark = pytest.mark.django_db

CONFLICT = "Paid adviser to the maker of a drug discussed here."


def _under_review(editor, reviewer, **options):
    return assign_and_start(
        article_with_claims(claims=2, editor=editor, **options), editor=editor, reviewer=reviewer
    )


def _ready(editor, reviewer, **options):
    return ready_with_open_assignments(
        _under_review(editor, reviewer, **options), editor=editor, reviewer=reviewer, still_open=[]
    )


def every_claim_approved_and_recommended(editor, reviewer, approver):
    return _ready(editor, reviewer)


def claims_pending(editor, reviewer, approver):
    return _under_review(editor, reviewer)


def a_claim_sent_back(editor, reviewer, approver):
    article = _under_review(editor, reviewer)
    reviewer_services.claims_decide(
        claims=[Claim.objects.of_article(article).first()],
        actor=reviewer,
        decision="request_changes",
        comment="Overstated.",
    )
    return article


def claims_approved_but_no_recommendation(editor, reviewer, approver):
    article = _under_review(editor, reviewer)
    assignment = article.assignments.get()
    reviewer_services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
    reviewer_services.claims_decide(
        claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
    )
    return article


def ready_with_a_conflicted_reviewer_still_open(editor, reviewer, approver):
    return ready_with_open_assignments(
        _under_review(editor, reviewer),
        editor=editor,
        reviewer=reviewer,
        still_open=[approver, (conflicted := BoardReviewerFactory())],
        conflicted=conflicted,
    )


def an_incomplete_reference_cited(editor, reviewer, approver):
    placeholder = ReferenceFactory(is_complete=False, title="Reference 3 (placeholder)")
    return _ready(editor, reviewer, references=[placeholder])


def the_only_recommendation_held_back_by_a_conflict(editor, reviewer, approver):
    article = _under_review(editor, reviewer)
    assignment = article.assignments.get()
    reviewer_services.assignment_accept(assignment=assignment, actor=reviewer, conflict=CONFLICT)
    reviewer_services.claims_decide(
        claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
    )
    reviewer_services.assignment_complete(
        assignment=assignment, actor=reviewer, recommendation="approve"
    )
    return article


def the_conflict_overridden(editor, reviewer, approver):
    article = the_only_recommendation_held_back_by_a_conflict(editor, reviewer, approver)
    reviewer_services.assignment_conflict_override(
        assignment=article.assignments.get(), actor=approver, reason="Minor; no other expert."
    )
    return article


def periodic_review_with_claims_to_confirm(editor, reviewer, approver):
    approved = approve_everything(
        _under_review(editor, reviewer), reviewer=reviewer, approver=approver
    )
    return reviewer_services.article_start_periodic_review(article=approved, actor=editor)


def approved_already(editor, reviewer, approver):
    return approve_everything(_under_review(editor, reviewer), reviewer=reviewer, approver=approver)


STATES = [
    (claims_pending, False),
    (a_claim_sent_back, False),
    (claims_approved_but_no_recommendation, False),
    (every_claim_approved_and_recommended, True),
    (ready_with_a_conflicted_reviewer_still_open, True),
    (an_incomplete_reference_cited, False),
    (the_only_recommendation_held_back_by_a_conflict, False),
    (the_conflict_overridden, True),
    (periodic_review_with_claims_to_confirm, False),
    (approved_already, False),
]


def approve_allows(article, approver) -> bool:
    try:
        check_transition(Article.objects.get(pk=article.pk), "approve", approver)
    except EditorialError:
        return False
    return True


@pytest.mark.parametrize(("state", "ready"), STATES, ids=[state.__name__ for state, _ in STATES])
def test_listed_exactly_when_the_approve_transition_allows_it(
    state, ready, editor, reviewer, approver
):
    article = state(editor, reviewer, approver)
    listed = Article.objects.ready_to_approve().filter(pk=article.pk).exists()
    assert (listed, approve_allows(article, approver)) == (ready, ready)


@pytest.mark.parametrize(("quorum", "ready"), [(0, True), (1, False), (2, False)])
def test_the_quorum_is_the_approvals(quorum, ready, settings, editor, reviewer, approver):
    settings.EDITORIAL_REVIEW_QUORUM = quorum
    article = claims_approved_but_no_recommendation(editor, reviewer, approver)
    listed = Article.objects.ready_to_approve().filter(pk=article.pk).exists()
    assert (listed, approve_allows(article, approver)) == (ready, ready)


def test_an_approver_is_not_offered_an_article_they_created(reviewer, approver):
    creator = ApproverFactory(groups=(BOARD, APPROVERS, EDITORS))
    article = _ready(creator, reviewer)
    assert article in Article.objects.approvable_by(approver)
    assert article not in Article.objects.approvable_by(creator)
    assert not approve_allows(article, creator)


def test_nobody_without_the_approve_permission_is_offered_anything(editor, reviewer):
    _ready(editor, reviewer)
    assert not Article.objects.approvable_by(reviewer).exists()
