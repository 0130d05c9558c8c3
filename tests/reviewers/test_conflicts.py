"""Conflicts of interest (docs/governance.md): dated declarations on board profiles; accepting
declares “no conflict with this article” or names one; a declared conflict blocks that reviewer's
approving recommendation until an approver overrides it with a reason. All in history."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.choices import ReviewStatus
from articles.models import Article, Claim
from articles.services import article_approve
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from editorial.people import display_name
from reviewers import services
from reviewers.choices import AssignmentStatus, ConflictStatus, InterestKind, Recommendation
from reviewers.models import DeclarationOfInterest, ReviewAssignment, ReviewerProfile
from tests.factories import ApproverFactory, BoardReviewerFactory, UserFactory, article_with_claims
from tests.workflow import assign_and_start

pytestmark = pytest.mark.django_db

CONFLICT = "I am a paid adviser to the maker of a phosphate binder discussed here."


@pytest.fixture
def assignment(article_under_review):
    return article_under_review.assignments.get()


def approve_claims(article, reviewer):
    services.claims_decide(
        claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
    )


def reload(assignment) -> ReviewAssignment:
    return ReviewAssignment.objects.get(pk=assignment.pk)


def reload_article(article) -> Article:
    return Article.objects.get(pk=article.pk)


class TestAccepting:
    def test_accepting_requires_a_declaration(self, assignment, reviewer):
        with pytest.raises(EditorialError, match="no conflict with this article"):
            services.assignment_accept(assignment=assignment, actor=reviewer)
        assert reload(assignment).status == AssignmentStatus.ASSIGNED

    def test_reviewer_accepts_declaring_no_conflict(self, assignment, reviewer):
        accepted = services.assignment_accept(
            assignment=assignment, actor=reviewer, no_conflict=True
        )
        assert (accepted.status, accepted.conflict_status) == (
            AssignmentStatus.ACCEPTED,
            ConflictStatus.NONE,
        )
        row = accepted.history.latest("history_id")
        assert (row.history_user, row.history_change_reason) == (
            reviewer,
            "accept: no conflict with this article",
        )

    def test_reviewer_cannot_declare_both(self, assignment, reviewer):
        with pytest.raises(EditorialError, match="not both"):
            services.assignment_accept(
                assignment=assignment, actor=reviewer, no_conflict=True, conflict=CONFLICT
            )

    def test_naming_a_conflict_puts_a_dated_declaration_on_the_profile(
        self, assignment, reviewer, article_under_review
    ):
        accepted = services.assignment_accept(
            assignment=assignment,
            actor=reviewer,
            conflict=CONFLICT,
            conflict_kind=InterestKind.FINANCIAL,
        )

        declaration = accepted.declared_conflict
        assert accepted.conflict_status == ConflictStatus.DECLARED
        assert (declaration.profile.user, declaration.kind, declaration.text) == (
            reviewer,
            InterestKind.FINANCIAL,
            CONFLICT,
        )
        assert declaration.article == article_under_review
        assert (declaration.valid_from, declaration.valid_to) == (timezone.localdate(), None)
        assert declaration.history.get().history_user == reviewer

    def test_someone_else_cannot_declare_for_the_reviewer(self, assignment):
        with pytest.raises(EditorialPermissionDenied):
            services.assignment_accept(
                assignment=assignment, actor=BoardReviewerFactory(), no_conflict=True
            )


class TestBlockAndOverride:
    def test_a_declared_conflict_keeps_the_approving_recommendation_from_counting(
        self, assignment, reviewer, article_under_review
    ):
        services.assignment_accept(assignment=assignment, actor=reviewer, conflict=CONFLICT)
        approve_claims(article_under_review, reviewer)
        services.assignment_complete(
            assignment=assignment, actor=reviewer, recommendation="approve"
        )

        with pytest.raises(EditorialError, match="falls within their declared conflict"):
            article_approve(article=article_under_review, actor=ApproverFactory())
        assert reload_article(article_under_review).review_status == ReviewStatus.UNDER_REVIEW

    def test_a_conflicted_reviewer_may_still_request_changes(self, assignment, reviewer):
        services.assignment_accept(assignment=assignment, actor=reviewer, conflict=CONFLICT)
        done = services.assignment_complete(
            assignment=assignment,
            actor=reviewer,
            recommendation="request_changes",
            reason="Claim 2 overstates the risk.",
        )
        assert done.recommendation == Recommendation.REQUEST_CHANGES

    def test_no_approving_recommendation_without_a_declaration(
        self, assignment, reviewer, article_under_review
    ):
        """Completing straight from “assigned” skips accepting, not declaring."""
        approve_claims(article_under_review, reviewer)
        with pytest.raises(EditorialError, match="has not declared whether"):
            services.assignment_complete(
                assignment=assignment, actor=reviewer, recommendation="approve"
            )

    def test_approver_overrides_with_a_reason_and_the_recommendation_counts(
        self, assignment, reviewer, article_under_review
    ):
        services.assignment_accept(assignment=assignment, actor=reviewer, conflict=CONFLICT)
        approve_claims(article_under_review, reviewer)
        approver = ApproverFactory()

        overridden = services.assignment_conflict_override(
            assignment=assignment,
            actor=approver,
            reason="Declared openly; the only nephrologist available; a second reviewer checks.",
        )
        done = services.assignment_complete(
            assignment=assignment, actor=reviewer, recommendation="approve"
        )

        assert overridden.conflict_status == ConflictStatus.OVERRIDDEN
        assert overridden.conflict_overridden_by == approver
        assert overridden.conflict_overridden_at is not None
        assert done.status == AssignmentStatus.COMPLETED
        assert article_under_review.approving_recommendations() == 1
        row = overridden.history.filter(history_user=approver).get()
        assert row.history_change_reason.startswith("override_conflict: Declared openly")

    def test_override_needs_a_reason(self, assignment, reviewer):
        services.assignment_accept(assignment=assignment, actor=reviewer, conflict=CONFLICT)
        with pytest.raises(EditorialError, match="Say why"):
            services.assignment_conflict_override(
                assignment=assignment, actor=ApproverFactory(), reason=" "
            )
        assert reload(assignment).conflict_status == ConflictStatus.DECLARED

    @pytest.mark.parametrize("who", ["reviewer", "editor", "board member", "creator"])
    def test_only_another_approver_may_override(
        self, who, assignment, reviewer, editor, article_under_review
    ):
        services.assignment_accept(assignment=assignment, actor=reviewer, conflict=CONFLICT)
        actor = {
            "reviewer": reviewer,
            "editor": editor,
            "board member": BoardReviewerFactory(),
            "creator": article_under_review.created_by,
        }[who]
        if who == "creator":
            actor.user_permissions.add(*ApproverFactory().groups.first().permissions.all())
            actor = type(actor).objects.get(pk=actor.pk)
        with pytest.raises(EditorialPermissionDenied):
            services.assignment_conflict_override(
                assignment=assignment, actor=actor, reason="Fine by me"
            )
        assert reload(assignment).conflict_status == ConflictStatus.DECLARED

    def test_nothing_to_override_without_a_declared_conflict(self, assignment, reviewer):
        services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
        with pytest.raises(EditorialError, match="Nothing to override"):
            services.assignment_conflict_override(
                assignment=assignment, actor=ApproverFactory(), reason="Just in case"
            )


class TestDeclarations:
    def test_board_member_declares_an_interest_on_their_profile(self, reviewer):
        profile = reviewer.reviewer_profile
        declaration = services.declaration_add(
            profile=profile,
            kind=InterestKind.RESEARCH,
            text="Research grant from the National Kidney Foundation (2024–2026).",
            valid_from=date(2024, 1, 1),
            actor=reviewer,
        )
        assert list(profile.declarations.current()) == [declaration]
        assert declaration.history.get().history_user == reviewer

    def test_an_ended_declaration_is_no_longer_current_but_stays_on_record(self, reviewer):
        profile = reviewer.reviewer_profile
        declaration = services.declaration_add(
            profile=profile,
            kind=InterestKind.FINANCIAL,
            text="Shares in a dialysis provider.",
            valid_from=date(2020, 1, 1),
            actor=reviewer,
        )
        yesterday = timezone.localdate() - timedelta(days=1)
        services.declaration_end(
            declaration=declaration, valid_to=yesterday, actor=reviewer, reason="Sold"
        )
        assert list(profile.declarations.current()) == []
        assert DeclarationOfInterest.objects.get(pk=declaration.pk).valid_to == yesterday
        assert declaration.history.count() == 2

    def test_nobody_else_declares_for_a_member(self, reviewer):
        with pytest.raises(EditorialPermissionDenied):
            services.declaration_add(
                profile=reviewer.reviewer_profile,
                kind=InterestKind.OTHER,
                text="Something",
                actor=UserFactory(),
            )

    def test_a_declaration_ends_after_it_starts(self, reviewer):
        with pytest.raises(EditorialError, match="ends on or after"):
            services.declaration_add(
                profile=reviewer.reviewer_profile,
                kind=InterestKind.OTHER,
                text="Something",
                valid_from=date(2026, 1, 2),
                valid_to=date(2026, 1, 1),
                actor=reviewer,
            )

    def test_declaring_a_conflict_with_an_article_marks_the_open_assignment(
        self, assignment, reviewer, article_under_review
    ):
        services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
        services.declaration_add(
            profile=reviewer.reviewer_profile,
            kind=InterestKind.PERSONAL,
            text="My sister is the article's clinical author.",
            article=article_under_review,
            actor=reviewer,
            reason="Learnt after accepting",
        )
        assert reload(assignment).conflict_status == ConflictStatus.DECLARED

    def test_a_new_assignment_starts_with_the_conflict_already_declared(self, editor, reviewer):
        article = article_with_claims(editor=editor)
        declaration = services.declaration_add(
            profile=reviewer.reviewer_profile,
            kind=InterestKind.FINANCIAL,
            text="Consultancy for the device maker.",
            article=article,
            actor=reviewer,
        )
        assignment = services.assignment_create(
            article=article,
            reviewer=reviewer,
            due_at=timezone.now() + timedelta(days=7),
            actor=editor,
        )
        assert assignment.conflict_status == ConflictStatus.DECLARED
        assert assignment.declared_conflict == declaration
        accepted = services.assignment_accept(
            assignment=assignment, actor=reviewer, no_conflict=True
        )
        assert accepted.conflict_status == ConflictStatus.DECLARED

    def test_a_member_without_a_profile_gets_one_to_hold_the_declaration(self, editor):
        member = UserFactory(groups=["Medical Advisory Board"])
        article = article_with_claims(editor=editor)
        assignment = services.assignment_create(
            article=article,
            reviewer=member,
            due_at=timezone.now() + timedelta(days=7),
            actor=editor,
        )
        services.assignment_accept(assignment=assignment, actor=member, conflict=CONFLICT)
        assert ReviewerProfile.objects.get(user=member).declarations.get().text == CONFLICT


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class TestConflictsHoldOverTime:
    """docs/invariants.md#i8-conflicts-hold-over-time: a conflict counts for every recommendation
    made inside its declared period, whenever it was declared; judged when approving, against the
    declarations."""

    @pytest.fixture
    def reviewed(self, editor, reviewer):
        """At T0: under review; the reviewer accepted declaring no conflict and approved
        every claim, but has not completed the review yet."""
        with time_machine.travel(T0):
            article = assign_and_start(
                article_with_claims(editor=editor), editor=editor, reviewer=reviewer
            )
            assignment = article.assignments.get()
            services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
            approve_claims(article, reviewer)
        return article, assignment

    @staticmethod
    def declare(reviewer, article, **period):
        return services.declaration_add(
            profile=reviewer.reviewer_profile,
            kind=InterestKind.FINANCIAL,
            text=CONFLICT,
            article=article,
            actor=reviewer,
            reason="Declared on the profile",
            **period,
        )

    @staticmethod
    def recommend_approval(assignment, reviewer):
        services.assignment_complete(
            assignment=assignment, actor=reviewer, recommendation="approve"
        )

    @staticmethod
    def refused_approval(article, approver, reviewer):
        with pytest.raises(EditorialError) as refusal:
            article_approve(article=article, actor=approver)
        assert reload_article(article).review_status == ReviewStatus.UNDER_REVIEW
        message = str(refusal.value)
        assert display_name(reviewer) in message
        assert CONFLICT in message
        return message

    def override_and_approve(self, article, assignment, approver):
        services.assignment_conflict_override(
            assignment=reload(assignment), actor=approver, reason="Declared; a second reviewer"
        )
        approved = article_approve(article=reload_article(article), actor=approver)
        assert approved.review_status == ReviewStatus.APPROVED

    def test_a_future_dated_conflict_holds_once_its_start_date_comes(self, reviewed, reviewer):
        article, assignment = reviewed
        approver = ApproverFactory()
        with time_machine.travel(T0):
            self.declare(reviewer, article, valid_from=T0.date() + 3 * DAY)
        with time_machine.travel(T0 + 4 * DAY):
            self.recommend_approval(assignment, reviewer)
            message = self.refused_approval(article, approver, reviewer)
            assert "only once an approver overrides it" in message
            self.override_and_approve(article, assignment, approver)

    def test_a_conflict_declared_after_the_approving_recommendation_holds_it_back(
        self, reviewed, reviewer
    ):
        article, assignment = reviewed
        approver = ApproverFactory()
        with time_machine.travel(T0):
            self.recommend_approval(assignment, reviewer)
        with time_machine.travel(T0 + 2 * DAY):
            self.declare(reviewer, article, valid_from=T0.date() - 30 * DAY)
            self.refused_approval(article, approver, reviewer)
            assert reload_article(article).approving_recommendations() == 0
            self.override_and_approve(article, assignment, approver)

    def test_a_conflict_that_ended_before_the_recommendation_does_not_hold_it_back(
        self, editor, reviewer
    ):
        with time_machine.travel(T0):
            article = assign_and_start(
                article_with_claims(editor=editor), editor=editor, reviewer=reviewer
            )
            assignment = article.assignments.get()
            services.assignment_accept(assignment=assignment, actor=reviewer, conflict=CONFLICT)
            approve_claims(article, reviewer)
        with time_machine.travel(T0 + 2 * DAY):
            services.declaration_end(
                declaration=reload(assignment).declared_conflict,
                valid_to=T0.date() + DAY,
                actor=reviewer,
                reason="Sold the shares",
            )
        with time_machine.travel(T0 + 3 * DAY):
            self.recommend_approval(assignment, reviewer)
            approved = article_approve(article=reload_article(article), actor=ApproverFactory())
        assert approved.review_status == ReviewStatus.APPROVED

    def test_a_recommendation_before_a_conflict_starts_still_counts(self, reviewed, reviewer):
        article, assignment = reviewed
        with time_machine.travel(T0):
            self.recommend_approval(assignment, reviewer)
        with time_machine.travel(T0 + DAY):
            self.declare(reviewer, article, valid_from=T0.date() + DAY)
            approved = article_approve(article=reload_article(article), actor=ApproverFactory())
        assert approved.review_status == ReviewStatus.APPROVED

    def test_an_override_does_not_cover_a_conflict_declared_after_it(self, reviewed, reviewer):
        article, assignment = reviewed
        approver = ApproverFactory()
        with time_machine.travel(T0):
            self.declare(reviewer, article)
            services.assignment_conflict_override(
                assignment=reload(assignment), actor=approver, reason="Small and declared"
            )
            self.recommend_approval(assignment, reviewer)
        with time_machine.travel(T0 + DAY):
            services.declaration_add(
                profile=reviewer.reviewer_profile,
                kind=InterestKind.PERSONAL,
                text="My brother leads the trial cited in section 2.",
                article=article,
                valid_from=T0.date() - DAY,
                actor=reviewer,
            )
            with pytest.raises(EditorialError, match="My brother leads the trial"):
                article_approve(article=reload_article(article), actor=approver)
            self.override_and_approve(article, assignment, approver)
