import pytest

from articles import services
from articles.choices import ClaimStatus, PublicationStatus, ReviewStatus
from articles.models import Article, Claim
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from reviewers import services as reviewer_services
from tests.factories import (
    ArticleFactory,
    ReferenceFactory,
    article_with_claims,
)
from tests.workflow import approve_everything, assign_and_approve, assign_and_start

pytestmark = pytest.mark.django_db


def history_reasons(instance):
    return [row.history_change_reason for row in instance.history.order_by("history_id")]


class TestStartReview:
    def test_start_review_needs_an_active_assignment_in_this_round(self, editor):
        article = article_with_claims(editor=editor)
        with pytest.raises(EditorialError, match="no board reviewer assigned in round 1"):
            services.article_start_review(article=article, actor=editor)
        article.refresh_from_db()
        assert article.review_status == ReviewStatus.SUBMITTED

    def test_start_review_moves_the_article_under_review(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        article.refresh_from_db()
        assert article.review_status == ReviewStatus.UNDER_REVIEW
        last = article.history.latest()
        assert last.history_change_reason == "start_review"
        assert last.history_user == editor

    def test_board_reviewer_cannot_start_review(self, editor, reviewer):
        article = article_with_claims(editor=editor)
        from tests.factories import ReviewAssignmentFactory

        ReviewAssignmentFactory(article=article, reviewer=reviewer)
        with pytest.raises(EditorialPermissionDenied, match="start_review"):
            services.article_start_review(article=article, actor=reviewer)

    def test_start_review_twice_is_refused_with_the_current_state(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialError, match="it is Under review"):
            services.article_start_review(article=article, actor=editor)


class TestRequestChangesAndResubmit:
    def test_request_changes_requires_a_note(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialError, match="Write a note"):
            services.article_request_changes(article=article, actor=reviewer, note="  ")

    def test_request_changes_by_an_unassigned_user_is_refused(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialPermissionDenied, match="assigned to"):
            services.article_request_changes(article=article, actor=editor, note="Fix it")

    def test_resubmit_starts_a_new_round_with_the_same_reviewers(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        services.article_request_changes(article=article, actor=reviewer, note="Cite CKD data")
        article = reviewer_services.article_resubmit(article=article, actor=editor)
        assert article.review_status == ReviewStatus.SUBMITTED
        assert article.round == 2
        assert article.assignments.filter(round=2, reviewer=reviewer, status="assigned").exists()
        assert article.assignments.get(round=1).status == "cancelled"
        assert "request_changes: Cite CKD data" in history_reasons(article)
        services.article_start_review(article=article, actor=editor)

    def test_board_reviewer_cannot_resubmit(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        services.article_request_changes(article=article, actor=reviewer, note="Cite CKD data")
        with pytest.raises(EditorialPermissionDenied, match="change_article"):
            services.article_resubmit(article=article, actor=reviewer)
        article.refresh_from_db()
        assert (article.review_status, article.round) == (ReviewStatus.CHANGES_REQUESTED, 1)

    def test_resubmit_is_refused_while_under_review(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialError, match=r"Cannot resubmit .*: it is Under review"):
            services.article_resubmit(article=article, actor=editor)


class TestApprove:
    def test_approve_refused_while_claims_are_pending(self, editor, reviewer, approver):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialError, match="not approved in their current wording"):
            services.article_approve(article=article, actor=approver)

    def test_approve_refused_with_incomplete_references(self, editor, reviewer, approver):
        placeholder = ReferenceFactory(is_complete=False, title="Reference 3 (placeholder)")
        article = assign_and_start(
            article_with_claims(editor=editor, references=[placeholder]),
            editor=editor,
            reviewer=reviewer,
        )
        with pytest.raises(EditorialError, match="incomplete references"):
            approve_everything(article, reviewer=reviewer, approver=approver)

    def test_approve_refused_below_quorum(self, editor, reviewer, approver, settings):
        settings.EDITORIAL_REVIEW_QUORUM = 2
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialError, match="needs 2 approving recommendation"):
            approve_everything(article, reviewer=reviewer, approver=approver)

    def test_approve_needs_the_approve_permission(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        with pytest.raises(EditorialPermissionDenied, match="approve article"):
            approve_everything(article, reviewer=reviewer, approver=reviewer)

    def test_approve_records_approver(self, editor, reviewer, approver):
        article = assign_and_approve(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer, approver=approver
        )
        assert article.review_status == ReviewStatus.APPROVED
        assert article.approved_by == approver
        assert article.history.latest().history_change_reason == "approve"


class TestPublication:
    def test_publish_then_withdraw_then_publish_again(self, editor):
        article = ArticleFactory(created_by=editor)
        article = services.article_publish(article=article, actor=editor)
        assert article.publication_status == PublicationStatus.PUBLISHED
        article = services.article_withdraw(article=article, actor=editor, reason="Outdated")
        assert article.publication_status == PublicationStatus.WITHDRAWN
        article = services.article_publish(article=article, actor=editor)
        assert article.publication_status == PublicationStatus.PUBLISHED
        assert "withdraw: Outdated" in history_reasons(article)

    def test_publish_before_approval_refused_when_settings_require_it(self, editor, settings):
        settings.EDITORIAL_PUBLISH_REQUIRES_APPROVAL = True
        article = ArticleFactory(created_by=editor)
        with pytest.raises(EditorialError, match="must be approved"):
            services.article_publish(article=article, actor=editor)

    def test_a_draft_cannot_be_withdrawn(self, editor):
        with pytest.raises(EditorialError, match=r"Cannot withdraw .*: it is Draft"):
            services.article_withdraw(article=ArticleFactory(created_by=editor), actor=editor)

    def test_board_reviewer_cannot_publish(self, reviewer):
        with pytest.raises(EditorialPermissionDenied, match="publish_article"):
            services.article_publish(article=ArticleFactory(), actor=reviewer)


class TestProtectedState:
    def test_review_status_cannot_be_assigned_directly(self):
        article = ArticleFactory()
        with pytest.raises(AttributeError):
            article.review_status = ReviewStatus.APPROVED

    def test_claim_status_cannot_be_assigned_directly(self):
        claim = Claim.objects.of_article(article_with_claims()).first()
        with pytest.raises(AttributeError):
            claim.review_status = ClaimStatus.APPROVED


class TestContent:
    def test_unchanged_wording_is_not_a_change(self, editor, reviewer, approver):
        article = assign_and_approve(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer, approver=approver
        )
        claim = Claim.objects.of_article(article).first()
        services.wording_set(
            claim=claim,
            level="clinician",
            text=claim.wording_text("clinician"),
            actor=editor,
            reason="No-op",
        )
        assert Article.objects.get(pk=article.pk).review_status == ReviewStatus.APPROVED

    def test_clinician_wording_cannot_be_removed(self, editor):
        claim = Claim.objects.of_article(article_with_claims(editor=editor)).first()
        with pytest.raises(EditorialError, match="needs a clinician wording"):
            services.wording_set(
                claim=claim, level="clinician", text="", actor=editor, reason="Oops"
            )

    def test_board_reviewer_cannot_remove_a_section(self, reviewer):
        article = article_with_claims()
        with pytest.raises(EditorialPermissionDenied, match="remove sections"):
            services.section_remove(section=article.sections.get(), actor=reviewer, reason="Try")
        assert Claim.objects.of_article(article).count() == 2

    def test_board_reviewer_cannot_edit_wording(self, reviewer):
        claim = Claim.objects.of_article(article_with_claims()).first()
        with pytest.raises(EditorialPermissionDenied):
            services.wording_set(
                claim=claim, level="patient", text="Simple words.", actor=reviewer, reason="Try"
            )
