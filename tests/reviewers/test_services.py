from datetime import timedelta

import pytest
from django.utils import timezone

from articles import services as article_services
from articles.choices import ClaimStatus
from articles.models import Claim
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from reviewers import services
from reviewers.choices import AssignmentStatus
from reviewers.models import ClaimDecision, Reminder, ReviewAssignment
from tests.factories import (
    ApproverFactory,
    BoardReviewerFactory,
    ReviewAssignmentFactory,
    article_with_claims,
)
from tests.workflow import approve_everything, assign_and_start

pytestmark = pytest.mark.django_db


def in_a_week():
    return timezone.now() + timedelta(days=7)


class TestAssignments:
    def test_editor_assigns_a_board_reviewer(self, editor, reviewer):
        article = article_with_claims(editor=editor)
        assignment = services.assignment_create(
            article=article, reviewer=reviewer, due_at=in_a_week(), actor=editor
        )
        assert (assignment.round, assignment.status, assignment.assigned_by) == (
            1,
            AssignmentStatus.ASSIGNED,
            editor,
        )
        assert assignment.history.latest().history_change_reason == "Reviewer assigned"

    def test_board_reviewer_cannot_assign(self, reviewer):
        with pytest.raises(EditorialPermissionDenied):
            services.assignment_create(
                article=article_with_claims(),
                reviewer=BoardReviewerFactory(),
                due_at=in_a_week(),
                actor=reviewer,
            )

    def test_only_board_members_can_be_assigned(self, editor):
        from tests.factories import EditorFactory

        with pytest.raises(EditorialError, match="not an active member"):
            services.assignment_create(
                article=article_with_claims(editor=editor),
                reviewer=EditorFactory(),
                due_at=in_a_week(),
                actor=editor,
            )

    def test_due_date_must_be_in_the_future(self, editor, reviewer):
        with pytest.raises(EditorialError, match="in the future"):
            services.assignment_create(
                article=article_with_claims(editor=editor),
                reviewer=reviewer,
                due_at=timezone.now() - timedelta(hours=1),
                actor=editor,
            )

    def test_the_same_reviewer_is_not_assigned_twice_in_a_round(self, editor, reviewer):
        article = article_with_claims(editor=editor)
        services.assignment_create(
            article=article, reviewer=reviewer, due_at=in_a_week(), actor=editor
        )
        with pytest.raises(EditorialError, match="already holds an assignment"):
            services.assignment_create(
                article=article, reviewer=reviewer, due_at=in_a_week(), actor=editor
            )
        assert ReviewAssignment.objects.filter(article=article).count() == 1

    def test_reviewer_accepts_then_completes_with_a_recommendation(self, reviewer):
        assignment = ReviewAssignmentFactory(reviewer=reviewer)
        services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
        with pytest.raises(EditorialError, match="Choose a recommendation"):
            services.assignment_complete(assignment=assignment, actor=reviewer, recommendation="")
        done = services.assignment_complete(
            assignment=assignment, actor=reviewer, recommendation="approve"
        )
        assert done.status == AssignmentStatus.COMPLETED
        assert done.completed_at is not None

    def test_only_the_assigned_reviewer_answers_an_assignment(self, reviewer):
        assignment = ReviewAssignmentFactory(reviewer=reviewer)
        with pytest.raises(EditorialPermissionDenied, match="Only"):
            services.assignment_accept(
                assignment=assignment, actor=BoardReviewerFactory(), no_conflict=True
            )
        assert ReviewAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.ASSIGNED

    def test_editor_cancels_and_reviewer_cannot_answer_a_cancelled_one(self, editor, reviewer):
        assignment = ReviewAssignmentFactory(reviewer=reviewer)
        services.assignment_cancel(assignment=assignment, actor=editor, reason="Conflict")
        with pytest.raises(EditorialError, match="it is Cancelled"):
            services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)


class TestApprovalEndsTheRound:
    """docs/workflows.md#assignments: approving an article closes its round's open assignments."""

    def test_approving_cancels_every_open_assignment_of_the_round_and_no_completed_one(
        self, ready_article_with_open_assignments, approver, conflicted_reviewer, reviewer
    ):
        article = ready_article_with_open_assignments
        completed = ReviewAssignment.objects.get(article=article, reviewer=reviewer)
        rows = completed.history.count()

        services.article_approve(article=article, actor=approver)

        statuses = dict(
            ReviewAssignment.objects.of_article(article).values_list("reviewer", "status")
        )
        assert statuses == {
            approver.pk: AssignmentStatus.CANCELLED,
            conflicted_reviewer.pk: AssignmentStatus.CANCELLED,
            reviewer.pk: AssignmentStatus.COMPLETED,
        }
        assert completed.history.count() == rows

    def test_history_says_the_approver_closed_them_because_the_article_was_approved(
        self, ready_article_with_open_assignments, approver, conflicted_reviewer
    ):
        article = ready_article_with_open_assignments
        services.article_approve(article=article, actor=approver)

        for person in (approver, conflicted_reviewer):
            row = ReviewAssignment.objects.get(article=article, reviewer=person).history.latest()
            assert (row.status, row.history_user, row.history_change_reason) == (
                AssignmentStatus.CANCELLED,
                approver,
                "cancel: Article approved",
            )

    def test_a_refused_approval_leaves_the_assignments_open(
        self, ready_article_with_open_assignments, editor
    ):
        article = ready_article_with_open_assignments
        with pytest.raises(EditorialPermissionDenied):
            services.article_approve(article=article, actor=editor)
        assert ReviewAssignment.objects.of_article(article).active().count() == 2

    def test_nobody_is_emailed_about_the_assignments_the_approval_closed(
        self,
        ready_article_with_open_assignments,
        approver,
        mailoutbox,
        eager_celery,
        django_capture_on_commit_callbacks,
    ):
        """Every email goes through the reminder ledger: the approval reserves none."""
        reserved = Reminder.objects.count()
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.article_approve(article=ready_article_with_open_assignments, actor=approver)
        assert Reminder.objects.count() == reserved
        assert mailoutbox == []


class TestClaimDecisions:
    def test_reviewer_approves_claims_in_bulk_with_decisions_and_history(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(claims=3, editor=editor), editor=editor, reviewer=reviewer
        )
        claims = list(Claim.objects.of_article(article))
        decisions = services.claims_decide(claims=claims, actor=reviewer, decision="approve")
        assert len(decisions) == 3
        assert set(Claim.objects.of_article(article).values_list("review_status", flat=True)) == {
            ClaimStatus.APPROVED
        }
        for claim in claims:
            latest = claim.history.latest()
            assert latest.history_user == reviewer
            assert latest.history_change_reason.startswith("approve")
        snapshot = ClaimDecision.objects.filter(claim=claims[0]).get().snapshot
        assert snapshot["wordings"]["clinician"] == claims[0].wording_text("clinician")

    def test_request_changes_needs_a_comment(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialError, match="comment is required"):
            services.claims_decide(
                claims=list(Claim.objects.of_article(article)),
                actor=reviewer,
                decision="request_changes",
            )
        assert not ClaimDecision.objects.exists()

    def test_request_changes_keeps_the_comment(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        claim = Claim.objects.of_article(article).first()
        services.claims_decide(
            claims=[claim], actor=reviewer, decision="request_changes", comment="Cite the trial"
        )
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.CHANGES_REQUESTED
        assert ClaimDecision.objects.get().comment == "Cite the trial"

    def test_an_approved_claim_is_not_approved_twice(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        claims = list(Claim.objects.of_article(article))
        services.claims_decide(claims=claims[:1], actor=reviewer, decision="approve")
        with pytest.raises(EditorialError, match="it is Approved"):
            services.claims_decide(claims=claims, actor=reviewer, decision="approve")
        assert ClaimDecision.objects.count() == 1


class TestI4SeparationOfDuties:
    def test_i4_reviewer_without_assignment_cannot_decide(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        outsider = BoardReviewerFactory()
        with pytest.raises(EditorialPermissionDenied, match="active assignment"):
            services.claims_decide(
                claims=list(Claim.objects.of_article(article)), actor=outsider, decision="approve"
            )
        assert set(Claim.objects.of_article(article).values_list("review_status", flat=True)) == {
            ClaimStatus.PENDING
        }
        assert not ClaimDecision.objects.exists()

    def test_i4_editor_cannot_decide_on_claims(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialPermissionDenied):
            services.claims_decide(
                claims=list(Claim.objects.of_article(article)), actor=editor, decision="approve"
            )
        assert not ClaimDecision.objects.exists()

    def test_i4_declined_assignment_gives_no_right_to_decide(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        services.assignment_decline(assignment=article.assignments.get(), actor=reviewer)
        with pytest.raises(EditorialPermissionDenied):
            services.claims_decide(
                claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
            )

    def test_i4_assignment_of_a_past_round_gives_no_right_to_decide(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        article_services.article_request_changes(article=article, actor=reviewer, note="Redo")
        article = services.article_resubmit(article=article, actor=editor)
        article.assignments.filter(round=2).get().delete()
        ReviewAssignmentFactory(article=article, round=2)
        article_services.article_start_review(article=article, actor=editor)
        with pytest.raises(EditorialPermissionDenied, match="round 2"):
            services.claims_decide(
                claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
            )

    def test_i4_no_decisions_before_review_starts(self, editor, reviewer):
        article = article_with_claims(editor=editor)
        ReviewAssignmentFactory(article=article, reviewer=reviewer)
        with pytest.raises(EditorialPermissionDenied, match="not under review"):
            services.claims_decide(
                claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
            )

    def test_i4_nobody_approves_an_article_they_created(self, reviewer):
        creator = ApproverFactory()
        from django.contrib.auth.models import Group

        from reviewers.roles import EDITORS

        creator.groups.add(Group.objects.get(name=EDITORS))
        article = assign_and_start(
            article_with_claims(editor=creator), editor=creator, reviewer=reviewer
        )
        with pytest.raises(EditorialPermissionDenied, match="another board member"):
            approve_everything(article, reviewer=reviewer, approver=creator)
        assert not article.__class__.objects.get(pk=article.pk).has_standing_approval

    def test_i4_creator_cannot_review_own_article(self, editor):
        from reviewers.roles import BOARD, EDITORS

        editor_on_the_board = BoardReviewerFactory(groups=(EDITORS, BOARD))
        with pytest.raises(EditorialError, match="cannot review it"):
            services.assignment_create(
                article=article_with_claims(editor=editor_on_the_board),
                reviewer=editor_on_the_board,
                due_at=in_a_week(),
                actor=editor,
            )


def test_a_board_group_member_without_a_profile_is_assignable_and_offered_in_the_picker(editor):
    from django.contrib.auth.models import Group

    from reviewers.roles import BOARD
    from reviewers.selectors import board_members
    from tests.factories import UserFactory

    member = UserFactory()
    member.groups.add(Group.objects.get_or_create(name=BOARD)[0])
    assert services.is_board_reviewer(member)
    assert member in board_members()


class TestChangingADecision:
    """Issue 20: until their assignment is completed a reviewer may change their mind."""

    def decided(self, editor, reviewer, decision="approve", comment=""):
        article = assign_and_start(
            article_with_claims(claims=2, editor=editor), editor=editor, reviewer=reviewer
        )
        claim = Claim.objects.of_article(article).first()
        services.claims_decide(claims=[claim], actor=reviewer, decision=decision, comment=comment)
        return article, Claim.objects.get(pk=claim.pk)

    def test_approved_claim_changed_to_changes_requested_says_so_in_history(self, editor, reviewer):
        _, claim = self.decided(editor, reviewer)
        services.claims_decide(
            claims=[claim], actor=reviewer, decision="request_changes", comment="Cite the RCT"
        )
        claim = Claim.objects.get(pk=claim.pk)
        assert claim.review_status == ClaimStatus.CHANGES_REQUESTED
        reason = claim.history.latest().history_change_reason
        assert "changed from approved to changes requested by" in reason
        assert claim.history.latest().history_user == reviewer

    def test_sent_back_claim_changed_to_approved_by_the_reviewer_who_sent_it_back(
        self, editor, reviewer
    ):
        _, claim = self.decided(editor, reviewer, "request_changes", "Cite the RCT")
        services.claims_decide(claims=[claim], actor=reviewer, decision="approve")
        claim = Claim.objects.get(pk=claim.pk)
        assert claim.review_status == ClaimStatus.APPROVED
        assert "changed from changes requested to approved" in (
            claim.history.latest().history_change_reason
        )

    def test_decisions_stay_append_only_when_a_decision_is_changed(self, editor, reviewer):
        _, claim = self.decided(editor, reviewer)
        first = ClaimDecision.objects.get()
        services.claims_decide(
            claims=[claim], actor=reviewer, decision="request_changes", comment="Cite the RCT"
        )
        decisions = list(ClaimDecision.objects.filter(claim=claim).order_by("pk"))
        assert [(d.decision, d.status_before) for d in decisions] == [
            ("approve", ClaimStatus.PENDING),
            ("request_changes", ClaimStatus.APPROVED),
        ]
        assert decisions[0] == first and decisions[0].comment == first.comment

    def test_another_reviewer_cannot_approve_a_claim_someone_else_sent_back(self, editor, reviewer):
        article, claim = self.decided(editor, reviewer, "request_changes", "Cite the RCT")
        other = BoardReviewerFactory()
        services.assignment_create(
            article=article, reviewer=other, due_at=in_a_week(), actor=editor
        )
        with pytest.raises(EditorialPermissionDenied, match="only the reviewer who decided"):
            services.claims_decide(claims=[claim], actor=other, decision="approve")
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.CHANGES_REQUESTED

    def test_no_change_after_the_assignment_is_completed(self, editor, reviewer):
        article, claim = self.decided(editor, reviewer, "request_changes", "Cite the RCT")
        assignment = ReviewAssignment.objects.get(article=article, reviewer=reviewer)
        services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
        services.assignment_complete(
            assignment=assignment, actor=reviewer, recommendation="request_changes", reason="x"
        )
        with pytest.raises(EditorialPermissionDenied):
            services.claims_decide(claims=[claim], actor=reviewer, decision="approve")
        with pytest.raises(EditorialPermissionDenied):
            services.claim_decision_undo(claim=claim, actor=reviewer)
        assert ClaimDecision.objects.filter(claim=claim).count() == 1

    def test_no_change_once_the_article_is_approved(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        other = BoardReviewerFactory()
        services.assignment_create(
            article=article, reviewer=other, due_at=in_a_week(), actor=editor
        )
        approve_everything(article, reviewer=other, approver=ApproverFactory())
        claim = Claim.objects.of_article(article).first()
        refusal = "an approved article's claims can't be changed by a reviewer"
        with pytest.raises(EditorialPermissionDenied, match=refusal):
            services.claims_decide(
                claims=[claim], actor=reviewer, decision="request_changes", comment="Late"
            )
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.APPROVED


class TestUndoingADecision:
    def test_undo_takes_the_claim_back_to_undecided_with_a_new_row(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        claim = Claim.objects.of_article(article).first()
        (approval,) = services.claims_decide(claims=[claim], actor=reviewer, decision="approve")
        undo = services.claim_decision_undo(claim=claim, actor=reviewer)
        claim = Claim.objects.get(pk=claim.pk)
        assert claim.review_status == ClaimStatus.PENDING
        assert (undo.decision, undo.undoes, undo.status_before) == (
            "withdraw",
            approval,
            ClaimStatus.APPROVED,
        )
        assert ClaimDecision.objects.filter(claim=claim).count() == 2
        assert "undone by the reviewer" in claim.history.latest().history_change_reason

    def test_undoing_a_change_restores_the_earlier_decision(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        claim = Claim.objects.of_article(article).first()
        services.claims_decide(
            claims=[claim], actor=reviewer, decision="request_changes", comment="Cite the RCT"
        )
        services.claims_decide(claims=[claim], actor=reviewer, decision="approve")
        undo = services.claim_decision_undo(claim=claim, actor=reviewer)
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.CHANGES_REQUESTED
        assert (undo.decision, undo.comment) == ("request_changes", "Cite the RCT")

    def test_only_the_reviewer_who_decided_last_can_undo(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        other = BoardReviewerFactory()
        services.assignment_create(
            article=article, reviewer=other, due_at=in_a_week(), actor=editor
        )
        claim = Claim.objects.of_article(article).first()
        services.claims_decide(claims=[claim], actor=reviewer, decision="approve")
        with pytest.raises(EditorialPermissionDenied):
            services.claim_decision_undo(claim=claim, actor=other)
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.APPROVED

    def test_undo_is_refused_once_the_claim_changed(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        claim = Claim.objects.of_article(article).first()
        services.claims_decide(claims=[claim], actor=reviewer, decision="approve")
        article_services.wording_set(
            claim=claim, level="clinician", text="Reworded.", actor=editor, reason="Clearer"
        )
        with pytest.raises(EditorialError, match="Cannot undo"):
            services.claim_decision_undo(claim=claim, actor=reviewer)

    def test_an_undo_is_not_undone(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        claim = Claim.objects.of_article(article).first()
        services.claims_decide(claims=[claim], actor=reviewer, decision="approve")
        services.claim_decision_undo(claim=claim, actor=reviewer)
        with pytest.raises(EditorialError):
            services.claim_decision_undo(claim=claim, actor=reviewer)
        assert ClaimDecision.objects.filter(claim=claim).count() == 2

    def test_claims_decide_refuses_withdraw_as_a_decision(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialError, match="not a decision"):
            services.claims_decide(
                claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="withdraw"
            )
