"""Random sequences of real services by random people, with docs/invariants.md (I1–I4, I7, I8)
checked after every step (Hypothesis stateful testing).

Each example starts from one article with claims, two references, an editor who wrote it, a
second editor, two board reviewers, an approver and a staff member with no role. Rules call the
services exactly as the admin does; a refusal must be an ``EditorialError`` and must change
nothing. Reviewers declare conflicts of interest (in force, future-dated, retroactive, ended)
and the clock moves on by days (time-machine). Each example runs in a savepoint that is rolled
back afterwards.
"""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from simple_history.models import registered_models

from articles import services
from articles.choices import ReviewStatus
from articles.models import Article, Claim, Reference
from desk.admin.editors import ARTICLE_TRANSITIONS
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from editorial.history import SYSTEM_PREFIX
from reviewers import services as reviewer_services
from reviewers.choices import ACTIVE_ASSIGNMENT_STATUSES, Decision, InterestKind
from reviewers.models import ClaimDecision, ReviewAssignment
from tests.factories import (
    ApproverFactory,
    BoardReviewerFactory,
    EditorFactory,
    ReferenceFactory,
    UserFactory,
    article_with_claims,
)
from tests.hypothesis_profiles import examples
from tests.invariants import badge_violations, conflict_violations

PEOPLE = ("author", "editor", "reviewer_a", "reviewer_b", "approver", "stranger")
REVIEWERS = ("reviewer_a", "reviewer_b", "approver")
WORDS = st.sampled_from(
    [
        "Calcium deposits form in damaged tissue.",
        "Calcium deposits form in damaged or dead tissue.",
        "High phosphate settles calcium in healthy tissue.",
        "Most deposits cause no symptoms.",
    ]
)
NOTES = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300
).filter(lambda text: text.strip())


REACHED: Counter = Counter()
"""Steps that ended in each review status, to show the machine reaches Approved (and a periodic
review) at all."""


def _history_rows() -> int:
    return sum(model.history.count() for model in registered_models.values())


class ReviewDesk(RuleBasedStateMachine):
    @initialize()
    def open_the_desk(self):
        self._clock = time_machine.travel(timezone.now(), tick=True)
        self._now = self._clock.start()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.people = {
            "author": EditorFactory(),
            "editor": EditorFactory(),
            "reviewer_a": BoardReviewerFactory(),
            "reviewer_b": BoardReviewerFactory(),
            "approver": ApproverFactory(),
            "stranger": UserFactory(),
        }
        self.references = [ReferenceFactory(), ReferenceFactory()]
        article = article_with_claims(
            claims=3, editor=self.people["author"], references=self.references[:1]
        )
        self.article_id = article.pk
        self.history_start = {
            model: model.history.order_by("-history_id")
            .values_list("history_id", flat=True)
            .first()
            or 0
            for model in registered_models.values()
        }
        self.refusals = 0

    def teardown(self):
        if hasattr(self, "_atomic"):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        if hasattr(self, "_clock"):
            self._clock.stop()

    # Helpers.

    def article(self) -> Article:
        return Article.objects.get(pk=self.article_id)

    def claims(self) -> list[Claim]:
        return list(Claim.objects.of_article(self.article()).order_by("section__order", "order"))

    def attempt(self, action) -> None:
        """Run a service; a refusal must be an EditorialError and must have changed nothing."""
        before = (_history_rows(), ClaimDecision.objects.count())
        try:
            with transaction.atomic():
                action()
        except EditorialError:
            self.refusals += 1
            assert (_history_rows(), ClaimDecision.objects.count()) == before

    # Rules: what editors, reviewers and approvers do.

    @rule(person=st.sampled_from(PEOPLE), reviewer=st.sampled_from(REVIEWERS))
    def assign(self, person, reviewer):
        self.attempt(
            lambda: reviewer_services.assignment_create(
                article=self.article(),
                reviewer=self.people[reviewer],
                due_at=timezone.now() + timedelta(days=7),
                actor=self.people[person],
            )
        )

    @rule(
        person=st.sampled_from(PEOPLE),
        step=st.sampled_from(
            [
                "start_review",
                "resubmit",
                "approve",
                "publish",
                "withdraw",
                "start_periodic_review",
            ]
        ),
    )
    def article_transition(self, person, step):
        service = ARTICLE_TRANSITIONS[step]  # the admin's buttons: the use cases they call
        self.attempt(lambda: service(article=self.article(), actor=self.people[person]))

    @rule(person=st.sampled_from(PEOPLE), note=NOTES)
    def send_back(self, person, note):
        self.attempt(
            lambda: services.article_request_changes(
                article=self.article(), actor=self.people[person], note=note
            )
        )

    @rule(
        person=st.sampled_from(PEOPLE),
        claim=st.integers(0, 5),
        decision=st.sampled_from([Decision.APPROVE, Decision.REQUEST_CHANGES]),
        comment=NOTES,
    )
    def decide(self, person, claim, decision, comment):
        claims = self.claims()
        if not claims:
            return
        self.attempt(
            lambda: reviewer_services.claims_decide(
                claims=[claims[claim % len(claims)]],
                actor=self.people[person],
                decision=decision,
                comment=comment,
            )
        )

    @rule(person=st.sampled_from(PEOPLE))
    def approve_all_pending(self, person):
        self.attempt(
            lambda: reviewer_services.claims_decide(
                claims=self.claims(), actor=self.people[person], decision=Decision.APPROVE
            )
        )

    @rule(
        person=st.sampled_from(PEOPLE),
        step=st.sampled_from(["accept", "decline", "cancel", "complete"]),
        recommendation=st.sampled_from(["approve", "request_changes"]),
        declaration=st.sampled_from(["none", "conflict", "nothing"]),
        which=st.integers(0, 5),
    )
    def assignment_step(self, person, step, recommendation, declaration, which):
        assignments = list(ReviewAssignment.objects.filter(article_id=self.article_id))
        if not assignments:
            return
        assignment = assignments[which % len(assignments)]
        service = getattr(reviewer_services, f"assignment_{step}")
        extra = {}
        if step == "complete":
            extra = {"recommendation": recommendation}
        elif step == "accept" and declaration == "none":
            extra = {"no_conflict": True}
        elif step == "accept" and declaration == "conflict":
            extra = {"conflict": "I advise a maker of phosphate binders."}
        self.attempt(lambda: service(assignment=assignment, actor=self.people[person], **extra))

    @rule(person=st.sampled_from(PEOPLE), which=st.integers(0, 5), reason=NOTES)
    def override_conflict(self, person, which, reason):
        assignments = list(ReviewAssignment.objects.filter(article_id=self.article_id))
        if assignments:
            self.attempt(
                lambda: reviewer_services.assignment_conflict_override(
                    assignment=assignments[which % len(assignments)],
                    actor=self.people[person],
                    reason=reason,
                )
            )

    @rule(
        reviewer=st.sampled_from(REVIEWERS),
        by_themselves=st.booleans(),
        starts_in_days=st.integers(-20, 5),
        lasts_days=st.none() | st.integers(0, 10),
    )
    def declare_conflict(self, reviewer, by_themselves, starts_in_days, lasts_days):
        """In force now, future-dated, retroactive (before recommendations already made) or
        already over; by the reviewer, or by someone who may not declare for them."""
        member = self.people[reviewer]
        valid_from = timezone.localdate() + timedelta(days=starts_in_days)
        self.attempt(
            lambda: reviewer_services.declaration_add(
                profile=member.reviewer_profile,
                kind=InterestKind.FINANCIAL,
                text="Speaker fees from the maker of a phosphate binder.",
                article=self.article(),
                valid_from=valid_from,
                valid_to=None if lasts_days is None else valid_from + timedelta(days=lasts_days),
                actor=member if by_themselves else self.people["editor"],
            )
        )

    @rule(days=st.integers(1, 10))
    def days_pass(self, days):
        self._now.shift(timedelta(days=days))

    @rule(person=st.sampled_from(PEOPLE), claim=st.integers(0, 5), text=WORDS)
    def edit_wording(self, person, claim, text):
        claims = self.claims()
        if claims:
            self.attempt(
                lambda: services.wording_set(
                    claim=claims[claim % len(claims)],
                    level="clinician",
                    text=text,
                    actor=self.people[person],
                    reason="Clarity",
                )
            )

    @rule(person=st.sampled_from(PEOPLE), text=WORDS)
    def add_claim(self, person, text):
        section = self.article().sections.first()
        self.attempt(
            lambda: services.claim_add(
                section=section,
                text=text,
                references=self.references[:1],
                actor=self.people[person],
                reason="New evidence",
            )
        )

    @rule(person=st.sampled_from(PEOPLE), claim=st.integers(0, 5))
    def remove_claim(self, person, claim):
        claims = self.claims()
        if len(claims) > 1:
            self.attempt(
                lambda: services.claim_remove(
                    claim=claims[claim % len(claims)],
                    actor=self.people[person],
                    reason="Out of scope",
                )
            )

    @rule(person=st.sampled_from(PEOPLE), claim=st.integers(0, 5), both=st.booleans())
    def cite(self, person, claim, both):
        claims = self.claims()
        if claims:
            cited = self.references if both else self.references[1:]
            self.attempt(
                lambda: services.claim_set_citations(
                    claim=claims[claim % len(claims)],
                    references=cited,
                    actor=self.people[person],
                    reason="Better source",
                )
            )

    @rule(person=st.sampled_from(PEOPLE), year=st.integers(1990, 2025))
    def correct_reference(self, person, year):
        self.attempt(
            lambda: services.reference_update(
                reference=Reference.objects.get(pk=self.references[0].pk),
                year=year,
                actor=self.people[person],
                reason="Year corrected",
            )
        )

    @rule()
    def advance_the_review(self):
        """The right person takes the next step, so examples reach approval and beyond."""
        article = self.article()
        editor, approver = self.people["editor"], self.people["approver"]
        active = article.assignments.filter(
            round=article.round, status__in=ACTIVE_ASSIGNMENT_STATUSES
        ).first()
        claims = self.claims()
        sent_back = [claim for claim in claims if claim.review_status == "changes_requested"]
        pending = [claim for claim in claims if claim.review_status == "pending"]
        held_back = (
            article.assignments.standing().in_round(article.round).held_back_by_conflict().first()
        )
        if article.review_status == ReviewStatus.CHANGES_REQUESTED:
            step = lambda: reviewer_services.article_resubmit(article=article, actor=editor)  # noqa: E731
        elif article.review_status == ReviewStatus.APPROVED:
            step = lambda: reviewer_services.article_start_periodic_review(  # noqa: E731
                article=article, actor=editor
            )
        elif held_back is not None:
            step = lambda: reviewer_services.assignment_conflict_override(  # noqa: E731
                assignment=held_back, actor=approver, reason="Minor and declared; no other expert"
            )
        elif active is not None and active.status == "assigned":
            step = lambda: reviewer_services.assignment_accept(  # noqa: E731
                assignment=active, actor=active.reviewer, no_conflict=True
            )
        elif active is None and not article.is_under_review:
            step = lambda: reviewer_services.assignment_create(  # noqa: E731
                article=article,
                reviewer=self.people["reviewer_a"],
                due_at=timezone.now() + timedelta(days=7),
                actor=editor,
            )
        elif article.review_status == ReviewStatus.SUBMITTED:
            step = lambda: services.article_start_review(article=article, actor=editor)  # noqa: E731
        elif sent_back:
            step = lambda: services.wording_set(  # noqa: E731
                claim=sent_back[0],
                level="clinician",
                text=sent_back[0].wording_text("clinician") + " (revised)",
                actor=editor,
                reason="Revised as the board asked",
            )
        elif pending and active is not None:
            step = lambda: reviewer_services.claims_decide(  # noqa: E731
                claims=pending, actor=active.reviewer, decision=Decision.APPROVE
            )
        elif active is not None:
            step = lambda: reviewer_services.assignment_complete(  # noqa: E731
                assignment=active, actor=active.reviewer, recommendation="approve"
            )
        else:
            step = lambda: reviewer_services.article_approve(  # noqa: E731
                article=article, actor=approver
            )
        self.attempt(step)

    @rule()
    def stale_copy_cannot_overwrite(self):
        """I7: a copy read before someone else's transition cannot save its own over it."""
        stale = self.article()
        if stale.publication_status == "published":
            services.article_withdraw(article=stale, actor=self.people["editor"])
            stale.withdraw()
        else:
            services.article_publish(article=stale, actor=self.people["editor"])
            stale.publish()
        with pytest.raises(ConcurrentTransition), transaction.atomic():
            stale.save()

    # Invariants, after every step.

    @invariant()
    def i1_badge_is_truthful(self):
        if hasattr(self, "article_id"):
            REACHED[self.article().review_status] += 1
            assert badge_violations(self.article_id) == []

    @invariant()
    def i3_every_new_history_row_says_who_and_why(self):
        if not hasattr(self, "article_id"):
            return
        for model, start in self.history_start.items():
            for row in model.history.filter(history_id__gt=start):
                assert row.history_user_id or (row.history_change_reason or "").startswith(
                    SYSTEM_PREFIX
                ), row
                assert row.history_change_reason, row
        article = self.article()
        latest = article.history.latest("history_id")
        assert (latest.review_status, latest.publication_status, latest.round) == (
            article.review_status,
            article.publication_status,
            article.round,
        )

    @invariant()
    def i4_separation_of_duties(self):
        if not hasattr(self, "article_id"):
            return
        article = self.article()
        if article.review_status == ReviewStatus.APPROVED:
            assert article.approved_by_id != article.created_by_id
            assert article.approved_by.has_perm("articles.approve_article")
        for decision in ClaimDecision.objects.filter(claim__section__article=article):
            reviewer = decision.assignment.reviewer
            assert reviewer.pk != article.created_by_id
            claim_rows = decision.claim.history.filter(
                history_date__lte=decision.created_at, history_user=reviewer
            )
            assert claim_rows.exists()
        for assignment in article.assignments.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES):
            assert assignment.round == article.round

    @invariant()
    def i8_conflicts_hold_over_time(self):
        if hasattr(self, "article_id"):
            assert conflict_violations(self.article_id) == []


ReviewDesk.TestCase.settings = settings(
    max_examples=examples(30),  # in CI; the profile scales it
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.slow
@pytest.mark.django_db
def test_i1_to_i4_i7_and_i8_hold_whatever_people_do():
    REACHED.clear()
    ReviewDesk.TestCase().runTest()
    assert REACHED[ReviewStatus.APPROVED], "no example reached an approved article"
    assert REACHED[ReviewStatus.PERIODIC_REVIEW], "no example reached a periodic review"


@pytest.mark.django_db
def test_forbidden_people_are_refused_with_permission_errors(editor):
    """The stranger and the wrong reviewer get a permission refusal, never a change."""
    stranger = UserFactory()
    article = article_with_claims(editor=editor)
    with pytest.raises(EditorialPermissionDenied):
        services.article_publish(article=article, actor=stranger)
    with pytest.raises(EditorialPermissionDenied):
        reviewer_services.claims_decide(
            claims=list(Claim.objects.of_article(article)), actor=stranger, decision="approve"
        )
    assert Article.objects.get(pk=article.pk).publication_status == "draft"
