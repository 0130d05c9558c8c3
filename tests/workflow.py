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
    return reviewer_services.article_approve(article=article, actor=approver)


def ready_with_open_assignments(
    article: Article, *, editor, reviewer, still_open, conflicted=None
) -> Article:
    """``reviewer`` approves every claim of ``article`` (under review) and recommends approval,
    while each of ``still_open`` holds an assignment of the round that stays open;
    ``conflicted`` (one of them) accepts naming a conflict of interest with the article."""
    for person in still_open:
        assignment = reviewer_services.assignment_create(
            article=article,
            reviewer=person,
            due_at=timezone.now() + timedelta(days=7),
            actor=editor,
        )
        if person == conflicted:
            reviewer_services.assignment_accept(
                assignment=assignment,
                actor=person,
                conflict="Paid adviser to the maker of a drug discussed here.",
            )
    assignment = article.assignments.get(reviewer=reviewer, round=article.round)
    reviewer_services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
    reviewer_services.claims_decide(
        claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
    )
    reviewer_services.assignment_complete(
        assignment=assignment, actor=reviewer, recommendation="approve"
    )
    return Article.objects.get(pk=article.pk)


def assign_and_approve(article: Article, *, editor, reviewer, approver) -> Article:
    """Assign ``reviewer``, start the review and approve everything (``approve_everything``)."""
    article = assign_and_start(article, editor=editor, reviewer=reviewer)
    return approve_everything(article, reviewer=reviewer, approver=approver)
