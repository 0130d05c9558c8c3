"""Checks of DESIGN §3's invariants against the database, shared by race and stateful tests."""

from articles.choices import STANDING_APPROVAL_STATUSES, ClaimStatus, ReviewStatus
from articles.models import Article, Claim
from reviewers.choices import Decision
from reviewers.models import ClaimDecision, ReviewAssignment


def badge_violations(article_id: int) -> list[str]:
    """What makes the Approved badge of ``article_id`` a lie, read from the database.

    The page shows Approved while the article is approved or in a periodic review (DESIGN §3
    I1, §10). Either way the standing approval must cover the article exactly as it reads: for
    every claim, the last board decision made up to the approval approved its current wordings
    and citations; nothing material changed since; no claim has been sent back since. Only a
    periodic review may leave claims pending: awaiting re-confirmation, not changed.
    """
    article = Article.objects.get(pk=article_id)
    if article.review_status not in STANDING_APPROVAL_STATUSES:
        return []
    if article.approved_at is None or article.next_review_due is None:
        return ["shown as Approved without an approval and its next review date"]
    problems = []
    if article.last_material_change_at > article.approved_at:
        problems.append("a material change after approval left the article Approved")
    claims = Claim.objects.of_article(article).prefetch_related("wordings", "citations")
    for claim in claims:
        if claim.review_status == ClaimStatus.CHANGES_REQUESTED:
            problems.append(f"claim {claim.pk} was sent back and the article still shows Approved")
            continue
        if claim.review_status == ClaimStatus.PENDING and (
            article.review_status != ReviewStatus.PERIODIC_REVIEW
        ):
            problems.append(f"claim {claim.pk} is pending in an approved article")
            continue
        covering = (
            claim.decisions.filter(created_at__lte=article.approved_at)
            .order_by("-created_at", "-pk")
            .first()
        )
        if covering is None or covering.decision != Decision.APPROVE:
            problems.append(f"claim {claim.pk}: the approval does not rest on its approval")
            continue
        if covering.snapshot != claim.snapshot():
            problems.append(f"claim {claim.pk} was approved in another wording or citations")
        latest = claim.decisions.order_by("-created_at", "-pk").first()
        if latest.decision != Decision.APPROVE:
            problems.append(f"claim {claim.pk}: its last decision is not an approval")
        for citation in claim.citations.all():
            changed = citation.reference.history.filter(history_date__gt=covering.created_at)
            if changed.exists():
                problems.append(f"claim {claim.pk} cites a reference changed after approval")
    return problems


def decision_after_cancel_violations(assignment_id: int) -> list[str]:
    """I4: no claim decision was recorded under an assignment after it was cancelled."""
    cancelled = (
        ReviewAssignment.history.filter(id=assignment_id, status="cancelled")
        .order_by("history_date")
        .first()
    )
    if cancelled is None:
        return []
    late = ClaimDecision.objects.filter(
        assignment_id=assignment_id, created_at__gt=cancelled.history_date
    )
    return [f"decision {decision.pk} made after the cancellation" for decision in late]
