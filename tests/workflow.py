"""Short paths through the review workflow, so tests start from the state they are about."""

from datetime import timedelta

from django.utils import timezone

from articles import services as article_services
from articles.models import Article, Claim
from reviewers import services as reviewer_services


def assign_and_start(article: Article, *, editor, reviewer) -> Article:
    reviewer_services.assignment_create(
        article=article,
        reviewer=reviewer,
        due_at=timezone.now() + timedelta(days=7),
        actor=editor,
    )
    return article_services.article_start_review(article=article, actor=editor)


def approve_everything(article: Article, *, reviewer, approver) -> Article:
    """Reviewer accepts (no conflict of interest), approves every claim and recommends
    approval; the approver approves."""
    assignment = article.assignments.get(reviewer=reviewer, round=article.round)
    if assignment.status == "assigned":
        reviewer_services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
    reviewer_services.claims_decide(
        claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
    )
    reviewer_services.assignment_complete(
        assignment=assignment, actor=reviewer, recommendation="approve"
    )
    return article_services.article_approve(article=article, actor=approver)


def assign_and_approve(article: Article, *, editor, reviewer, approver) -> Article:
    """Assign ``reviewer``, start the review and approve everything (``approve_everything``)."""
    article = assign_and_start(article, editor=editor, reviewer=reviewer)
    return approve_everything(article, reviewer=reviewer, approver=approver)
