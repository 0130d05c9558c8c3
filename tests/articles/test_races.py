"""docs/invariants.md#i1-truthful-badge and docs/invariants.md#i7-no-lost-updates under real
concurrency: two people act on one article at the same moment.

Each pair of actions below is raced in threads on PostgreSQL, ``RACE_ROUNDS`` times with several
start offsets (each side in turn starting a little late). After every round the database is
checked: an Approved article has every claim approved in its current wording and citations, no
cited reference changed after its claim was approved, and no material change after approval.
Each side either succeeds or is refused with an ``EditorialError``; nothing else may escape.
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from articles import services
from articles.choices import ReviewStatus
from articles.models import Article, Claim, Reference
from editorial.exceptions import EditorialError
from reviewers.choices import Decision
from reviewers.models import ReviewAssignment
from reviewers.services import (
    assignment_accept,
    assignment_cancel,
    assignment_complete,
    assignment_create,
    claims_decide,
    user_deactivate,
)
from tests.factories import (
    ApproverFactory,
    BoardReviewerFactory,
    EditorFactory,
    ReferenceFactory,
    article_with_claims,
)
from tests.invariants import badge_violations, decision_after_cancel_violations

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks and concurrent transactions are checked on PostgreSQL",
    ),
]

RACE_ROUNDS = 20
START_OFFSETS = (0.0, 0.0005, 0.002, 0.005)
CLAIMS = 12


@dataclass
class Ready:
    """An article one click from approval: every claim approved, quorum met, a second
    reviewer still holding an active assignment."""

    article: Article
    editor: object
    approver: object
    second_reviewer: object
    second_assignment: ReviewAssignment
    reference: Reference
    claims: list = field(default_factory=list)


def ready_for_approval() -> Ready:
    editor, approver = EditorFactory(), ApproverFactory()
    first, second = BoardReviewerFactory(), BoardReviewerFactory()
    reference = ReferenceFactory()
    article = article_with_claims(claims=CLAIMS, editor=editor, references=[reference])
    due = timezone.now() + timedelta(days=7)
    for reviewer in (first, second):
        assignment_create(article=article, reviewer=reviewer, due_at=due, actor=editor)
    article = services.article_start_review(article=article, actor=editor)
    claims = list(Claim.objects.of_article(article).order_by("order"))
    claims_decide(claims=claims, actor=first, decision=Decision.APPROVE)
    assignment_accept(
        assignment=article.assignments.get(reviewer=first), actor=first, no_conflict=True
    )
    assignment_complete(
        assignment=article.assignments.get(reviewer=first), actor=first, recommendation="approve"
    )
    second_assignment = assignment_accept(
        assignment=article.assignments.get(reviewer=second), actor=second, no_conflict=True
    )
    return Ready(article, editor, approver, second, second_assignment, reference, claims)


def race(first, second, *, delay_first: float, delay_second: float) -> list[str]:
    """Run both actions at once; return each outcome ("ok", "refused: …" or "ERROR …")."""
    barrier = threading.Barrier(2)
    outcomes = ["", ""]

    def run(index, action, delay):
        try:
            barrier.wait()
            if delay:
                time.sleep(delay)
            action()
            outcomes[index] = "ok"
        except EditorialError as refusal:
            outcomes[index] = f"refused: {refusal}"
        except Exception as exc:  # anything else is what this test looks for
            outcomes[index] = f"ERROR {type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(0, first, delay_first)),
        threading.Thread(target=run, args=(1, second, delay_second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def offsets(round_number: int) -> dict:
    offset = START_OFFSETS[round_number % len(START_OFFSETS)]
    late_first = round_number % 2 == 1
    return {
        "delay_first": offset if late_first else 0.0,
        "delay_second": 0.0 if late_first else offset,
    }


def approve(ready: Ready):
    return lambda: services.article_approve(
        article=Article.objects.get(pk=ready.article.pk), actor=ready.approver
    )


def request_changes_on_a_claim(ready: Ready):
    claim = ready.claims[-1]
    return lambda: claims_decide(
        claims=[Claim.objects.get(pk=claim.pk)],
        actor=ready.second_reviewer,
        decision=Decision.REQUEST_CHANGES,
        comment="The cited study does not support this figure.",
    )


def edit_a_wording(ready: Ready):
    claim = ready.claims[-1]
    return lambda: services.wording_set(
        claim=Claim.objects.get(pk=claim.pk),
        level="clinician",
        text="Calcium deposits occur in damaged or necrotic tissue.",
        actor=ready.editor,
        reason="Typo",
    )


def add_a_claim(ready: Ready):
    section = ready.claims[0].section
    return lambda: services.claim_add(
        section=section,
        text="Most deposits cause no symptoms.",
        actor=ready.editor,
        reason="New claim",
    )


def remove_a_claim(ready: Ready):
    claim = ready.claims[-1]
    return lambda: services.claim_remove(
        claim=Claim.objects.get(pk=claim.pk), actor=ready.editor, reason="Out of scope"
    )


def change_citations(ready: Ready):
    claim = ready.claims[-1]
    other = ReferenceFactory()
    return lambda: services.claim_set_citations(
        claim=Claim.objects.get(pk=claim.pk),
        references=[ready.reference, other],
        actor=ready.editor,
        reason="Second source",
    )


def change_the_reference(ready: Ready):
    return lambda: services.reference_update(
        reference=Reference.objects.get(pk=ready.reference.pk),
        year=2021,
        actor=ready.editor,
        reason="Year corrected",
    )


RIVALS_OF_APPROVE = {
    "claim request changes": request_changes_on_a_claim,
    "wording edit": edit_a_wording,
    "claim add": add_a_claim,
    "claim remove": remove_a_claim,
    "citation change": change_citations,
    "reference change": change_the_reference,
}


@pytest.mark.parametrize("rival", list(RIVALS_OF_APPROVE))
def test_i1_approve_racing_a_change_never_leaves_a_false_badge(rival):
    violations, errors = [], []
    for round_number in range(RACE_ROUNDS):
        ready = ready_for_approval()
        outcomes = race(approve(ready), RIVALS_OF_APPROVE[rival](ready), **offsets(round_number))
        errors += [outcome for outcome in outcomes if outcome.startswith("ERROR")]
        violations += badge_violations(ready.article.pk)
    assert errors == []
    assert violations == []


def test_i1_approve_loser_is_told_which_claim_is_open():
    """A refused approval names the rule; the article stays under review."""
    refusals = []
    for round_number in range(RACE_ROUNDS):
        ready = ready_for_approval()
        outcomes = race(approve(ready), request_changes_on_a_claim(ready), **offsets(round_number))
        refusals += [outcome for outcome in outcomes if outcome.startswith("refused")]
        article = Article.objects.get(pk=ready.article.pk)
        if outcomes[0].startswith("refused"):
            assert article.review_status == ReviewStatus.UNDER_REVIEW
    assert refusals
    for refusal in refusals:
        assert any(
            rule in refusal
            for rule in (
                "not approved in their current wording",  # the approval lost
                "not under review",
                "approval ends the round",  # the claim decision lost
            )
        )


def cancel_the_second_assignment(ready: Ready):
    return lambda: assignment_cancel(
        assignment=ReviewAssignment.objects.get(pk=ready.second_assignment.pk),
        actor=ready.editor,
        reason="Reviewer on leave",
    )


def deactivate_the_second_reviewer(ready: Ready):
    admin = ready.approver.__class__.objects.create_superuser(
        username=f"admin-{ready.article.pk}", email="", password=None
    )
    return lambda: user_deactivate(user=ready.second_reviewer, actor=admin, reason="Left the board")


ENDINGS_OF_THE_ASSIGNMENT = {
    "assignment cancel": cancel_the_second_assignment,
    # The reviewer's decision writes history naming them (a key-share lock on their user row)
    # under the article's lock; deactivation locks their user row and then, to cancel their
    # assignment, the article: neither may deadlock the other.
    "reviewer deactivated": deactivate_the_second_reviewer,
}


@pytest.mark.parametrize("ending", list(ENDINGS_OF_THE_ASSIGNMENT))
def test_i4_claim_decision_racing_the_end_of_the_assignment(ending):
    """No decision lands on a cancelled assignment; each side succeeds or is refused."""
    violations, errors = [], []
    for round_number in range(RACE_ROUNDS):
        ready = ready_for_approval()
        outcomes = race(
            request_changes_on_a_claim(ready),
            ENDINGS_OF_THE_ASSIGNMENT[ending](ready),
            **offsets(round_number),
        )
        errors += [outcome for outcome in outcomes if outcome.startswith("ERROR")]
        violations += decision_after_cancel_violations(ready.second_assignment.pk)
    assert errors == []
    assert violations == []
