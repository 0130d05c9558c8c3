"""Writes to the board's review work: assignments and claim decisions.

Each service takes the acting user, runs in one transaction and records who and why in history;
the rules themselves are the transitions' conditions and permissions on the models.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from articles.choices import ReviewStatus
from articles.models import Article, Claim
from articles.services import (
    article_request_changes,
    article_touch_version,
    lock_article,
    lock_articles,
    lock_claims,
)
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from editorial.history import save_with_history
from editorial.workflow import check_transition, run_transition

from .choices import Decision, Recommendation
from .models import ClaimDecision, ReviewAssignment, ReviewerProfile
from .roles import BOARD
from .signals import assignment_completed, assignment_created


def _announce(assignment: ReviewAssignment) -> None:
    transaction.on_commit(
        lambda: assignment_created.send(sender=ReviewAssignment, assignment=assignment)
    )


def is_board_reviewer(user) -> bool:
    """Members of the board group, or users with an active reviewer profile."""
    profile = getattr(user, "reviewer_profile", None)
    return user.is_active and (
        bool(profile and profile.active) or user.groups.filter(name=BOARD).exists()
    )


def assignment_create(
    *, article: Article, reviewer, due_at: datetime, actor, reason: str = "Reviewer assigned"
) -> ReviewAssignment:
    if not actor.has_perm("reviewers.add_reviewassignment"):
        raise EditorialPermissionDenied("You need the “add review assignment” permission.")
    if not is_board_reviewer(reviewer):
        raise EditorialError(f"{reviewer} is not an active member of the Medical Advisory Board.")
    if reviewer.pk == article.created_by_id:
        raise EditorialError(f"{reviewer} created “{article}” and cannot review it.")
    if due_at <= timezone.now():
        raise EditorialError("The due date of an assignment must be in the future.")
    try:
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=article.pk)
            assignment = ReviewAssignment(
                article=article,
                reviewer=reviewer,
                round=article.round,
                assigned_by=actor,
                due_at=due_at,
            )
            save_with_history(assignment, actor=actor, reason=reason)
            _announce(assignment)
    except IntegrityError as exc:
        raise EditorialError(
            f"{reviewer} already holds an assignment on “{article}” in round {article.round}."
        ) from exc
    return assignment


def carry_reviewers_forward(sender, *, article: Article, actor, **kwargs) -> None:
    """Receiver of ``review_round_opened``: the articles app announces, reviewers act."""
    assignments_carry_forward(article=article, actor=actor)


def assignments_carry_forward(*, article: Article, actor) -> list[ReviewAssignment]:
    """Give the reviewers of the previous round a fresh assignment in the article's new round.

    Only an active assignment in the current round lets a reviewer decide on claims (I4), so
    without this a reopened or resubmitted article would wait for an editor to assign the same
    people again. Assignments still open in the old round are cancelled, so the sweep stops
    reminding anyone of a round that is over.
    """
    previous = article.assignments.standing().in_round(article.round - 1).select_related("reviewer")
    carried = []
    for old in previous:
        if old.is_active:
            old.cancel()
            save_with_history(
                old, actor=actor, reason=f"cancel: superseded by round {article.round}"
            )
        if ReviewAssignment.objects.filter(
            article=article, reviewer=old.reviewer, round=article.round
        ).exists():
            continue
        assignment = ReviewAssignment(
            article=article,
            reviewer=old.reviewer,
            round=article.round,
            assigned_by=actor or old.assigned_by,
            due_at=timezone.now() + timedelta(days=settings.EDITORIAL_REVIEW_DAYS),
        )
        save_with_history(assignment, actor=actor, reason=f"Carried into round {article.round}")
        _announce(assignment)
        carried.append(assignment)
    return carried


def _lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    """Lock the assignment's article first (DESIGN §3 I1 lock order), then the assignment:
    who may decide on claims and whether the quorum is met change with it."""
    lock_article(assignment.article_id)
    return ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)


def _transition_assignment(
    *, assignment: ReviewAssignment, name: str, actor, reason: str, **kwargs
) -> ReviewAssignment:
    with transaction.atomic():
        locked = _lock_assignment(assignment)
        run_transition(locked, name, actor, **kwargs)
        save_with_history(locked, actor=actor, reason=f"{name}: {reason}" if reason else name)
    return locked


def assignment_accept(*, assignment: ReviewAssignment, actor) -> ReviewAssignment:
    return _transition_assignment(assignment=assignment, name="accept", actor=actor, reason="")


def assignment_decline(
    *, assignment: ReviewAssignment, actor, reason: str = ""
) -> ReviewAssignment:
    return _transition_assignment(assignment=assignment, name="decline", actor=actor, reason=reason)


def assignment_cancel(*, assignment: ReviewAssignment, actor, reason: str = "") -> ReviewAssignment:
    return _transition_assignment(assignment=assignment, name="cancel", actor=actor, reason=reason)


def assignment_complete(
    *, assignment: ReviewAssignment, actor, recommendation: str, reason: str = ""
) -> ReviewAssignment:
    if recommendation not in Recommendation.values:
        raise EditorialError(
            "Choose a recommendation, approve or request changes, to complete the assignment."
        )
    reason = (reason or "").strip()
    if recommendation == Recommendation.REQUEST_CHANGES and not reason:
        raise EditorialError(
            "Say what must change: a note for the editor is required to recommend changes."
        )
    with transaction.atomic():
        locked = _lock_assignment(assignment)
        locked.recommendation = recommendation
        run_transition(locked, "complete", actor)
        label = Recommendation(recommendation).label
        note = f"complete ({label})" + (f": {reason}" if reason else "")
        save_with_history(locked, actor=actor, reason=note)
        transaction.on_commit(
            lambda: assignment_completed.send(sender=ReviewAssignment, assignment=locked)
        )
    return locked


def review_complete(
    *, assignment: ReviewAssignment, actor, recommendation: str, note: str = ""
) -> ReviewAssignment:
    """Complete a review from the review screen: the assignment with its recommendation and,
    when it asks for changes, the article sent back to its editor with the same note.

    Without sending the article back a recommendation of changes would leave it under review,
    where its editor cannot open a new round for the board.
    """
    with transaction.atomic():
        completed = assignment_complete(
            assignment=assignment, actor=actor, recommendation=recommendation, reason=note
        )
        article = Article.objects.get(pk=completed.article_id)
        if (
            recommendation == Recommendation.REQUEST_CHANGES
            and article.review_status == ReviewStatus.UNDER_REVIEW
        ):
            article_request_changes(article=article, actor=actor, note=note)
    return completed


def snapshot_digest(snapshot: dict) -> str:
    """A short fingerprint of what a decision applies to (``Claim.snapshot()``): the review
    screen sends it back with a decision, so a claim changed meanwhile is not decided unseen."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def claims_decide(
    *,
    claims: Sequence[Claim],
    actor,
    decision: str,
    comment: str = "",
    seen: Mapping[int, str] | None = None,
) -> list[ClaimDecision]:
    """Approve or request changes on claims, in bulk, as the reviewer assigned this round.

    Permission is asked of the claim transition once per article (it depends only on the
    article and the reviewer); every claim then moves, gets a history row and a decision row.
    ``seen`` maps claim ids to the ``snapshot_digest`` of the wording the reviewer read; a claim
    changed since is refused, with the whole decision, once its lock is held.
    """
    if decision not in Decision.values:
        raise EditorialError(f"“{decision}” is not a decision on a claim.")
    comment = (comment or "").strip()
    if decision == Decision.REQUEST_CHANGES and not comment:
        raise EditorialError("Say what must change: a comment is required to request changes.")
    transition_name = "approve" if decision == Decision.APPROVE else "request_changes"
    claim_ids = {claim.pk for claim in claims}
    with transaction.atomic():
        lock_articles(
            Claim.objects.filter(pk__in=claim_ids).values_list("section__article_id", flat=True)
        )
        locked = lock_claims(claim_ids)
        if len(locked) != len(claim_ids):
            raise EditorialError(
                "Some of the selected claims have been removed from their article."
            )
        prefetch_related_objects(locked, "wordings", "citations")
        assignments: dict[int, ReviewAssignment] = {}
        for claim in locked:
            article = claim.section.article
            if article.pk not in assignments:
                check_transition(claim, transition_name, actor)
                assignments[article.pk] = (
                    ReviewAssignment.objects.active()
                    .in_round(article.round)
                    .get(article=article, reviewer=actor)
                )
            run_transition(claim, transition_name, None)
        for claim in locked:
            if seen is not None and seen.get(claim.pk) != snapshot_digest(claim.snapshot()):
                raise EditorialError(
                    f"“{claim.summary(60)}” changed while you were reading it; read its "
                    "current wording and decide again."
                )
        label = Decision(decision).label
        reason = f"{transition_name}: {label}" + (f" — {comment}" if comment else "")
        bulk_update_with_history(
            locked,
            Claim,
            ["review_status"],
            default_user=actor,
            default_change_reason=reason,
        )
        now = timezone.now()
        decisions = ClaimDecision.objects.bulk_create(
            ClaimDecision(
                claim=claim,
                assignment=assignments[claim.section.article_id],
                decision=decision,
                comment=comment,
                snapshot=claim.snapshot(),
                created_at=now,
            )
            for claim in locked
        )
        for article_id in assignments:
            article_touch_version(article_id=article_id)
    return decisions


def reviewer_profile_save(*, profile: ReviewerProfile, actor, reason: str) -> ReviewerProfile:
    """Create or change a board member's profile (credentials, specialty, active), saying why."""
    codename = "change_reviewerprofile" if profile.pk else "add_reviewerprofile"
    if actor is not None and not actor.has_perm(f"reviewers.{codename}"):
        raise EditorialPermissionDenied("You need the permission to manage reviewer profiles.")
    return save_with_history(profile, actor=actor, reason=reason)


def user_deactivate(*, user, actor, reason: str):
    """Take someone's access away while their name stays on everything they did (DESIGN §3 I3).

    People who acted are never deleted: history, assignments and decisions keep pointing at
    them. Their reviewer profile, if any, is made inactive too, so no one assigns them again.
    """
    if actor is not None and not actor.has_perm("auth.change_user"):
        raise EditorialPermissionDenied("You need the “change user” permission to deactivate.")
    reason = (reason or "").strip()
    if not reason:
        raise EditorialError(f"Say why {user} is deactivated.")
    if actor is not None and actor.pk == user.pk:
        raise EditorialError("You cannot deactivate yourself.")
    with transaction.atomic():
        user_model = type(user)
        locked = user_model._base_manager.select_for_update().get(pk=user.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
        profile = ReviewerProfile.objects.filter(user=locked, active=True).first()
        if profile is not None:
            profile.active = False
            reviewer_profile_save(
                profile=profile, actor=actor, reason=f"Deactivated with the user: {reason}"
            )
    return locked
