"""Checks of docs/invariants.md's invariants against the database, shared by race and stateful
tests."""

from django.conf import settings
from django.utils import timezone

from articles.choices import STANDING_APPROVAL_STATUSES, ClaimStatus, ReviewStatus
from articles.models import Article, Claim
from reviewers.choices import AssignmentStatus, Decision, Recommendation
from reviewers.models import ClaimDecision, DeclarationOfInterest, ReviewAssignment


def badge_violations(article_id: int) -> list[str]:
    """What makes the Approved badge of ``article_id`` a lie, read from the database.

    The page shows Approved while the article is approved or in a periodic review
    (docs/invariants.md#i1-truthful-badge, docs/governance.md#review-cycle). Either way the standing
    approval must cover the article exactly as it reads: for every claim, the last board decision
    made up to the approval approved its current wordings and citations; nothing material changed
    since; no claim has been sent back since. Only a periodic review may leave claims pending:
    awaiting re-confirmation, not changed.
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


def _as_of(history, moment):
    """The historical row of one object as it stood at ``moment`` (None before it existed)."""
    return history.filter(history_date__lte=moment).order_by("-history_date", "-history_id").first()


def conflict_violations(article_id: int) -> list[str]:
    """I8, read from history: every approval of ``article_id`` rested on a quorum of approving
    recommendations that no conflict of interest held back *as the declarations stood then*:
    a declaration recorded by the approval, naming the article, by the reviewer, in force on
    the day of the recommendation, and not covered by an override made after it was declared.
    """
    article = Article.objects.get(pk=article_id)
    approvals = {
        (row.approved_at, row.round)
        for row in article.history.filter(
            review_status=ReviewStatus.APPROVED, approved_at__isnull=False
        )
    }
    problems = []
    for approved_at, round_number in sorted(approvals):
        declarations = [
            state
            for declaration in DeclarationOfInterest.objects.filter(article=article)
            if (state := _as_of(declaration.history, approved_at)) is not None
        ]
        counted = []
        for assignment in ReviewAssignment.objects.filter(article=article, round=round_number):
            then = _as_of(assignment.history, approved_at)
            if then is None or (then.status, then.recommendation) != (
                AssignmentStatus.COMPLETED,
                Recommendation.APPROVE,
            ):
                continue
            day = timezone.localdate(then.completed_at)
            holding = [
                declaration
                for declaration in declarations
                if declaration.profile.user_id == then.reviewer_id
                and declaration.valid_from <= day
                and (declaration.valid_to is None or day <= declaration.valid_to)
                and (
                    then.conflict_overridden_at is None
                    or declaration.declared_at > then.conflict_overridden_at
                )
            ]
            if not holding:
                counted.append(then)
        if len(counted) < settings.EDITORIAL_REVIEW_QUORUM:
            problems.append(
                f"approved at {approved_at} (round {round_number}) on {len(counted)} approving "
                "recommendation(s) free of conflicts of interest"
            )
    return problems
