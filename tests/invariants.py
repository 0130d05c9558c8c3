"""Checks of DESIGN §3's invariants against the database, shared by race and stateful tests."""

from articles.choices import ClaimStatus, ReviewStatus
from articles.models import Article, Claim
from reviewers.choices import Decision
from reviewers.models import ClaimDecision, ReviewAssignment


def badge_violations(article_id: int) -> list[str]:
    """What makes the Approved badge of ``article_id`` a lie, read from the database."""
    article = Article.objects.get(pk=article_id)
    if article.review_status != ReviewStatus.APPROVED:
        return []
    problems = []
    if article.last_material_change_at > article.approved_at:
        problems.append("a material change after approval left the article Approved")
    claims = Claim.objects.of_article(article).prefetch_related("wordings", "citations")
    for claim in claims:
        if claim.review_status != ClaimStatus.APPROVED:
            problems.append(f"claim {claim.pk} is {claim.review_status}")
            continue
        latest = claim.decisions.order_by("-created_at", "-pk").first()
        if latest is None or latest.decision != Decision.APPROVE:
            problems.append(f"claim {claim.pk}: its last decision is not an approval")
            continue
        if latest.snapshot != claim.snapshot():
            problems.append(f"claim {claim.pk} was approved in another wording or citations")
        for citation in claim.citations.all():
            changed = citation.reference.history.filter(history_date__gt=latest.created_at)
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
