"""Writes to the board's review work: assignments and claim decisions.

Each service takes the acting user, runs in one transaction and records who and why in history;
the rules themselves are the transitions' conditions and permissions on the models.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from articles import services as article_services
from articles.choices import ClaimStatus
from articles.models import Article, Claim
from articles.services import (
    article_request_changes,
    article_suspend_approval,
    article_touch_version,
    lock_article,
    lock_articles,
    lock_claims,
)
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from editorial.history import save_with_history
from editorial.people import display_name
from editorial.workflow import check_transition, run_transition

from .choices import DECIDING, ConflictStatus, Decision, InterestKind, Recommendation
from .models import ClaimDecision, DeclarationOfInterest, ReviewAssignment, ReviewerProfile
from .selectors import board_members
from .signals import assignment_completed, assignment_created


def _announce(assignment: ReviewAssignment) -> None:
    transaction.on_commit(
        lambda: assignment_created.send(sender=ReviewAssignment, assignment=assignment)
    )


def is_board_reviewer(user) -> bool:
    """On the board, by the one rule of ``selectors.board_members``."""
    return board_members().filter(pk=user.pk).exists()


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
            _note_standing_conflict(assignment, actor=actor)
            _announce(assignment)
    except IntegrityError as exc:
        raise EditorialError(
            f"{reviewer} already holds an assignment on “{article}” in round {article.round}."
        ) from exc
    return assignment


def article_resubmit(*, article: Article, actor, reason: str = "") -> Article:
    """An editor sends the revised article back to the board: a new round, and the reviewers
    of the last round carried into it, in one transaction (the article, then its claims, then
    the assignments: the lock order of ``articles.services.locks``)."""
    with transaction.atomic():
        resubmitted = article_services.article_resubmit(article=article, actor=actor, reason=reason)
        assignments_carry_forward(article=resubmitted, actor=actor)
    return resubmitted


def article_start_periodic_review(*, article: Article, actor, reason: str = "") -> Article:
    """An editor opens the periodic review of an approved article (docs/governance.md): a new round
    in which every claim needs a decision again, and the reviewers of the last round carried into
    it, in one transaction."""
    with transaction.atomic():
        started = article_services.article_start_periodic_review(
            article=article, actor=actor, reason=reason
        )
        assignments_carry_forward(article=started, actor=actor)
    return started


def article_approve(*, article: Article, actor, reason: str = "") -> Article:
    """An approver approves the article, and its round ends: every assignment still open in the
    round (the approver's own, a conflicted reviewer's) is cancelled, “Article approved”, in
    the same transaction and the lock order (the article, then its claims, then the
    assignments). Completed assignments stay as they are. The reviewers are not emailed; the
    sweep reminds no one of a cancelled assignment, and a reminder already reserved is not sent
    (``reminders.reminder_send`` checks the assignment again)."""
    with transaction.atomic():
        approved = article_services.article_approve(article=article, actor=actor, reason=reason)
        _round_assignments_close(article=approved, actor=actor, reason="Article approved")
    return approved


def _round_assignments_close(*, article: Article, actor, reason: str) -> list[ReviewAssignment]:
    """Cancel the open assignments of the article's current round; the article is locked by the
    caller, whose permission covers what follows from its action."""
    open_assignments = (
        ReviewAssignment.objects.select_for_update()
        .of_article(article)
        .in_round(article.round)
        .active()
        .order_by("pk")
    )
    closed = []
    for assignment in open_assignments:
        run_transition(assignment, "cancel", None)
        save_with_history(assignment, actor=actor, reason=f"cancel: {reason}")
        closed.append(assignment)
    return closed


def assignments_carry_forward(*, article: Article, actor) -> list[ReviewAssignment]:
    """Give the reviewers of the previous round a fresh assignment in the article's new round.

    Only an active assignment in the current round lets a reviewer decide on claims (I4), so
    without this a reopened or resubmitted article would wait for an editor to assign the same
    people again. Assignments still open in the old round are cancelled, so the sweep stops
    reminding anyone of a round that is over. Called by ``article_resubmit`` and
    ``article_start_periodic_review`` here, and by the board (``reviewers.board.Board``) when a
    material change reopens an approved article. The article is locked by the caller.
    """
    previous = (
        ReviewAssignment.objects.of_article(article)
        .standing()
        .in_round(article.round - 1)
        .select_related("reviewer")
    )
    carried = []
    for old in previous:
        if old.is_active:
            old.cancel()
            save_with_history(
                old, actor=actor, reason=f"cancel: superseded by round {article.round}"
            )
        if not is_board_reviewer(old.reviewer):
            continue  # left the board since: an editor assigns someone else
        if ReviewAssignment.objects.filter(
            article=article, reviewer=old.reviewer, round=article.round
        ).exists():
            continue
        assignment = ReviewAssignment(
            article=article,
            reviewer=old.reviewer,
            round=article.round,
            assigned_by=actor or old.assigned_by,
            due_at=ReviewAssignment.default_due_at(),
        )
        save_with_history(assignment, actor=actor, reason=f"Carried into round {article.round}")
        _note_standing_conflict(assignment, actor=actor)
        _announce(assignment)
        carried.append(assignment)
    return carried


def _lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    """Lock the assignment's article first (docs/workflows.md#lock-order), then the assignment:
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


def assignment_accept(
    *,
    assignment: ReviewAssignment,
    actor,
    no_conflict: bool = False,
    conflict: str = "",
    conflict_kind: str = InterestKind.OTHER,
) -> ReviewAssignment:
    """Accept a review, declaring “no conflict with this article” or naming one
    (docs/governance.md).

    A named conflict becomes a dated declaration of interest on the reviewer's board profile,
    listed on /board/, and blocks their approving recommendation until an approver overrides
    it. A conflict already declared for this article (on the profile) stands; accepting needs
    no more. The accept transition refuses while nothing is declared.
    """
    conflict = (conflict or "").strip()
    if no_conflict and conflict:
        raise EditorialError(
            "Declare either “no conflict with this article” or a conflict, not both."
        )
    if conflict and conflict_kind not in InterestKind.values:
        raise EditorialError(f"“{conflict_kind}” is not a kind of interest.")
    with transaction.atomic():
        locked = _lock_assignment(assignment)
        if conflict:
            _declare_conflict(locked, kind=conflict_kind, text=conflict, actor=actor)
        elif no_conflict and locked.conflict_status == ConflictStatus.UNDECLARED:
            run_transition(locked, "declare_no_conflict", actor)
        run_transition(locked, "accept", actor)
        declared = locked.get_conflict_status_display().lower()
        save_with_history(locked, actor=actor, reason=f"accept: {declared}")
    return locked


def _declare_conflict(assignment: ReviewAssignment, *, kind: str, text: str, actor) -> None:
    """The reviewer names a conflict with the assignment's article, on their profile."""
    check_transition(assignment, "declare_conflict", actor)
    profile = ReviewerProfile.objects.filter(user_id=assignment.reviewer_id).first()
    if profile is None:
        profile = save_with_history(
            ReviewerProfile(user=assignment.reviewer),
            actor=actor,
            reason="Board profile created to hold a declaration of interest",
        )
    declaration = save_with_history(
        DeclarationOfInterest(
            profile=profile, kind=kind, text=text, article_id=assignment.article_id
        ),
        actor=actor,
        reason=f"Conflict of interest declared on accepting the review of “{assignment.article}”",
    )
    run_transition(assignment, "declare_conflict", actor, declaration=declaration)


def _note_standing_conflict(assignment: ReviewAssignment, *, actor) -> None:
    """A new assignment starts with the conflict its reviewer already declared for the article."""
    declaration = (
        DeclarationOfInterest.objects.current()
        .naming(assignment.article_id)
        .filter(profile__user_id=assignment.reviewer_id)
        .first()
    )
    if declaration is not None:
        assignment.declare_conflict(declaration=declaration)
        save_with_history(
            assignment,
            actor=actor,
            reason=f"declare_conflict: declared on the board profile ({declaration.text[:80]})",
        )


def assignment_conflict_override(
    *, assignment: ReviewAssignment, actor, reason: str
) -> ReviewAssignment:
    """An approver lets the approving recommendation of a reviewer with a declared conflict
    count, saying why; it covers the conflicts declared so far
    (docs/invariants.md#i8-conflicts-hold-over-time)."""
    reason = (reason or "").strip()
    if not reason:
        raise EditorialError(
            f"Say why {assignment.reviewer}'s conflict of interest may be overridden: the "
            "reason is kept in history."
        )
    with transaction.atomic():
        locked = _lock_assignment(assignment)
        run_transition(
            locked,
            "override_conflict",
            actor,
            overridden_by=actor,
            reason=reason,
            overridden_at=timezone.now(),
        )
        save_with_history(locked, actor=actor, reason=f"override_conflict: {reason}")
    return locked


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
        if recommendation == Recommendation.REQUEST_CHANGES and article.is_under_review:
            # In a periodic review too: the board decided otherwise, the approval ends.
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
    if decision not in DECIDING:
        raise EditorialError(f"“{decision}” is not a decision on a claim.")
    comment = (comment or "").strip()
    if decision == Decision.REQUEST_CHANGES and not comment:
        raise EditorialError("Say what must change: a comment is required to request changes.")
    transition_name = "approve" if decision == Decision.APPROVE else "request_changes"
    with transaction.atomic():
        locked = _lock_claims_to_decide({claim.pk for claim in claims})
        before = {claim.pk: claim.review_status for claim in locked}
        assignments = _move_claims(locked, transition_name=transition_name, actor=actor)
        for claim in locked:
            if seen is not None and seen.get(claim.pk) != snapshot_digest(claim.snapshot()):
                raise EditorialError(
                    f"“{claim.summary(60)}” changed while you were reading it; read its "
                    "current wording and decide again."
                )
        label = Decision(decision).label
        reason = f"{transition_name}: {label}" + (f" — {comment}" if comment else "")
        for claim in locked:
            if before[claim.pk] != ClaimStatus.PENDING:
                claim._change_reason = f"{reason} ({_changed_from(before[claim.pk], claim, actor)})"
        bulk_update_with_history(
            locked, Claim, ["review_status"], default_user=actor, default_change_reason=reason
        )
        now = timezone.now()
        decisions = ClaimDecision.objects.bulk_create(
            ClaimDecision(
                claim=claim,
                assignment=assignments[claim.section.article_id],
                decision=decision,
                comment=comment,
                status_before=before[claim.pk],
                snapshot=claim.snapshot(),
                created_at=now,
            )
            for claim in locked
        )
        for article_id in assignments:
            article_touch_version(article_id=article_id)
        if decision == Decision.REQUEST_CHANGES:
            _suspend_standing_approvals(
                {claim.section.article for claim in locked}, actor=actor, comment=comment
            )
    return decisions


def _status_words(status: str) -> str:
    return ClaimStatus(status).label.lower()


def _changed_from(status_before: str, claim: Claim, actor) -> str:
    """“changed from approved to changes requested by Dr Okafor”: a decision taken again."""
    who = f" by {display_name(actor)}" if actor is not None else ""
    return (
        f"changed from {_status_words(status_before)} to {_status_words(claim.review_status)}{who}"
    )


def claim_decision_undo(*, claim: Claim, actor) -> ClaimDecision:
    """The reviewer takes back their latest decision on ``claim`` (the review screen's Undo).

    Allowed only while the latest decision on the claim is the actor's, in the article's
    current round, under their open assignment, and the claim is unchanged since (still in the
    state that decision left, and worded and cited as it was then). The claim goes back to the
    state it had before: undecided, or the actor's earlier decision in this round. Decisions
    stay append-only: the undo is a new row that ``undoes`` the other (``withdraw`` when back
    to undecided, else the restored decision again, with its comment).
    """
    with transaction.atomic():
        (locked,) = _lock_claims_to_decide({claim.pk})
        article = locked.section.article
        check_transition(locked, "undo_decision", actor)
        latest = ClaimDecision.objects.latest_on(locked)
        summary = locked.summary(60)
        if not latest.is_undoable_on(locked):
            raise EditorialError(
                f"Your latest decision on “{summary}” cannot be undone now (it was an undo, or the "
                "claim changed since); decide again instead."
            )
        restored = latest.status_before
        earlier = None
        if restored != ClaimStatus.PENDING:
            earlier = (
                ClaimDecision.objects.filter(claim=locked, assignment=latest.assignment)
                .exclude(pk=latest.pk)
                .with_reviewer()
                .first()
            )
        run_transition(locked, "undo_decision", None, to=restored)
        done = f"{Decision(latest.decision).label.lower()} of {latest.created_at:%Y-%m-%d %H:%M}"
        save_with_history(
            locked,
            actor=actor,
            reason=(
                f"undo_decision: undone by the reviewer {display_name(actor)} ({done}); back to "
                f"{_status_words(restored)}"
            ),
        )
        undo = ClaimDecision.objects.create(
            claim=locked,
            assignment=latest.assignment,
            decision=(
                Decision.WITHDRAW
                if restored == ClaimStatus.PENDING
                else Decision.APPROVE
                if restored == ClaimStatus.APPROVED
                else Decision.REQUEST_CHANGES
            ),
            comment=(
                ""
                if restored != ClaimStatus.CHANGES_REQUESTED
                else (earlier.comment if earlier else "") or "Sent back again by undoing a change"
            ),
            status_before=latest.status_after,
            undoes=latest,
            snapshot=locked.snapshot(),
        )
        article_touch_version(article_id=article.pk)
    return undo


def _lock_claims_to_decide(claim_ids: set[int]) -> list[Claim]:
    """Their articles first, in id order, then the claims (docs/workflows.md#lock-order)."""
    lock_articles(
        Claim.objects.filter(pk__in=claim_ids).values_list("section__article_id", flat=True)
    )
    locked = lock_claims(claim_ids)
    if len(locked) != len(claim_ids):
        raise EditorialError("Some of the selected claims have been removed from their article.")
    prefetch_related_objects(locked, "wordings", "citations")
    return locked


def _move_claims(locked: list[Claim], *, transition_name: str, actor) -> dict:
    """Run the claim transition on each (permission asked once per article: it depends only on
    the article and the reviewer); return each article's assignment the decisions fall under."""
    assignments: dict[int, ReviewAssignment] = {}
    for claim in locked:
        article = claim.section.article
        if claim.review_status == ClaimStatus.CHANGES_REQUESTED:
            # Only its sender changes their mind on a sent-back claim: asked claim by claim.
            check_transition(claim, transition_name, actor)
        if article.pk not in assignments:
            check_transition(claim, transition_name, actor)
            assignments[article.pk] = (
                ReviewAssignment.objects.of_article(article)
                .in_current_round()
                .active()
                .get(reviewer=actor)
            )
        run_transition(claim, transition_name, None)
    return assignments


def _suspend_standing_approvals(articles, *, actor, comment: str) -> None:
    """A claim sent back during a periodic review ends the article's approval
    (docs/governance.md)."""
    for article in sorted(articles, key=lambda article: article.pk):
        if article.is_in_periodic_review:
            article_suspend_approval(
                article=article,
                actor=actor,
                reason=f"a claim was sent back in the periodic review — {comment}",
            )


def reviewer_profile_save(*, profile: ReviewerProfile, actor, reason: str) -> ReviewerProfile:
    """Create or change a board member's profile (credentials, specialty, active), saying why.
    Pages that name them under “Medically reviewed by” show the change at once."""
    codename = "change_reviewerprofile" if profile.pk else "add_reviewerprofile"
    if actor is not None and not actor.has_perm(f"reviewers.{codename}"):
        raise EditorialPermissionDenied("You need the permission to manage reviewer profiles.")
    with transaction.atomic():
        saved = save_with_history(profile, actor=actor, reason=reason)
        pages_crediting_refresh(user_id=saved.user_id)
    return saved


def pages_crediting_refresh(*, user_id: int) -> None:
    """Move on the content version of approved articles whose page may name this person as a
    reviewer (their approving decisions, or their approval), so cached pages show their name
    and credentials as they now are."""
    crediting = (
        Article.objects.with_standing_approval()
        .filter(
            Q(approved_by_id=user_id)
            | Q(
                assignments__reviewer_id=user_id,
                assignments__decisions__decision=Decision.APPROVE,
            )
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    for article_id in sorted(crediting):
        article_touch_version(article_id=article_id)


def reviewer_named_changed(sender, *, instance, update_fields=None, **kwargs) -> None:
    """``post_save`` receiver for users: a name changed in the admin's user page reaches the
    pages that credit them (a login, which only stamps ``last_login``, does not)."""
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    pages_crediting_refresh(user_id=instance.pk)


def user_deactivate(*, user, actor, reason: str) -> list[ReviewAssignment]:
    """Take someone's access away while their name stays on everything they did
    (docs/invariants.md#i3-audit).

    People who acted are never deleted: history, assignments and decisions keep pointing at
    them. Their reviewer profile, if any, is made inactive too, so no one assigns them again,
    and their open assignments are cancelled: they could never complete them, reminders would
    go on reaching them, and the round would wait for them. Returns those assignments.
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
        # FOR NO KEY UPDATE: history rows naming them, written under an article's lock, take a
        # key-share lock on this row; a full row lock would deadlock with them
        # (docs/invariants.md#i1-truthful-badge).
        locked = user_model._base_manager.select_for_update(no_key=True).get(pk=user.pk)
        if locked.is_active:
            locked.is_active = False
            locked.save(update_fields=["is_active"])
        profile = ReviewerProfile.objects.filter(user=locked, active=True).first()
        if profile is not None:
            profile.active = False
            reviewer_profile_save(
                profile=profile, actor=actor, reason=f"Deactivated with the user: {reason}"
            )
        return _open_assignments_cancel(reviewer=locked, actor=actor, reason=reason)


def _open_assignments_cancel(*, reviewer, actor, reason: str) -> list[ReviewAssignment]:
    cancelled = []
    open_assignments = ReviewAssignment.objects.active().filter(reviewer=reviewer)
    for assignment in open_assignments.order_by("article_id", "pk"):
        locked = _lock_assignment(assignment)
        if not locked.is_active:
            continue
        # The deactivation's own permission covers what follows from it.
        run_transition(locked, "cancel", None)
        save_with_history(
            locked, actor=actor, reason=f"cancel: {reviewer} was deactivated: {reason}"
        )
        cancelled.append(locked)
    return cancelled


# Declarations of interest (docs/governance.md).


def _require_profile_owner_or_manager(profile: ReviewerProfile, actor) -> None:
    if actor is None or actor.pk == profile.user_id:
        return
    if not actor.has_perm("reviewers.change_reviewerprofile"):
        raise EditorialPermissionDenied(
            f"Only {profile} or someone who manages board profiles can declare their interests."
        )


def declaration_add(
    *,
    profile: ReviewerProfile,
    kind: str,
    text: str,
    actor,
    reason: str = "Declared",
    article: Article | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> DeclarationOfInterest:
    """Record a dated declaration of interest on a board member's profile (shown on /board/
    while in force). One naming an article is a conflict with it: every recommendation of the
    member on that article made within its period, before or after it was declared, counts
    only with an approver's override (docs/invariants.md#i8-conflicts-hold-over-time, asked when
    approving); open assignments show it at once when it is already in force."""
    _require_profile_owner_or_manager(profile, actor)
    if kind not in InterestKind.values:
        raise EditorialError(f"“{kind}” is not a kind of interest.")
    text = (text or "").strip()
    if not text:
        raise EditorialError("Write what the interest is.")
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        raise EditorialError("A declaration of interest ends on or after the day it starts.")
    with transaction.atomic():
        if article is not None:
            lock_article(article.pk)
        declaration = save_with_history(
            DeclarationOfInterest(
                profile=profile,
                kind=kind,
                text=text,
                article=article,
                valid_from=valid_from,
                valid_to=valid_to,
            ),
            actor=actor,
            reason=reason,
        )
        if article is not None and declaration.is_current():
            open_assignments = (
                ReviewAssignment.objects.select_for_update()
                .active()
                .filter(article=article, reviewer_id=profile.user_id)
                .exclude(conflict_status__in=[ConflictStatus.DECLARED, ConflictStatus.OVERRIDDEN])
            )
            for assignment in open_assignments:
                assignment.declare_conflict(declaration=declaration)
                save_with_history(
                    assignment,
                    actor=actor,
                    reason=f"declare_conflict: declared on the board profile — {reason}",
                )
    return declaration


def declaration_end(
    *, declaration: DeclarationOfInterest, valid_to: date, actor, reason: str
) -> DeclarationOfInterest:
    """End a declaration on ``valid_to``; it stays on record, no longer listed on /board/."""
    _require_profile_owner_or_manager(declaration.profile, actor)
    reason = (reason or "").strip()
    if not reason:
        raise EditorialError("Say why the declaration ends: the reason is kept in history.")
    if valid_to < declaration.valid_from:
        raise EditorialError("A declaration of interest ends on or after the day it starts.")
    with transaction.atomic():
        if declaration.article_id is not None:
            lock_article(declaration.article_id)  # its period decides what approval counts
        locked = DeclarationOfInterest.objects.select_for_update().get(pk=declaration.pk)
        locked.valid_to = valid_to
        return save_with_history(locked, actor=actor, reason=f"ended {valid_to}: {reason}")
