"""The review and publication workflows of an article (docs/workflows.md#article-review): each
service runs one transition of the model under the article's lock, records who and why, and
announces it after commit. The rules themselves are the transitions' conditions and permissions."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_update_with_history

from editorial.exceptions import EditorialError
from editorial.history import attributed_reason, save_with_history
from editorial.workflow import run_transition

from ..choices import ClaimStatus
from ..models import Article, Claim
from ..review_cycle import next_review_due_after
from ..signals import article_transitioned
from .content import article_new_version
from .locks import lock_article, lock_claims
from .permissions import require_perm


def _transition_article(
    *, article: Article, name: str, actor, reason: str = "", arguments=None
) -> Article:
    """Run a review or publication transition under the article's lock, then its claims'.

    ``arguments`` makes the transition's keyword arguments once the lock is held, so the times
    it records (approved at, published at) are those of the decision, not of the wait.
    """
    with transaction.atomic():
        locked = lock_article(article.pk)
        lock_claims(Claim.objects.of_article(locked).values_list("pk", flat=True))
        run_transition(locked, name, actor, **(arguments() if arguments else {}))
        article_new_version(locked)
        save_with_history(locked, actor=actor, reason=f"{name}: {reason}" if reason else name)
        transaction.on_commit(
            lambda: article_transitioned.send(
                sender=Article, article=locked, transition=name, actor=actor
            )
        )
    return locked


def article_create(*, title: str, slug: str = "", actor, reason: str = "Created") -> Article:
    require_perm(actor, "articles.add_article", "create articles")
    title = title.strip()
    if not title:
        raise EditorialError("An article needs a question as its title.")
    slug = slug or slugify(title)[:200]
    if Article.objects.filter(slug=slug).exists():
        raise EditorialError(f"An article with the slug “{slug}” already exists.")
    article = Article(
        title=title, slug=slug, created_by=actor, last_material_change_at=timezone.now()
    )
    return save_with_history(article, actor=actor, reason=reason)


def article_start_review(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(article=article, name="start_review", actor=actor, reason=reason)


def article_request_changes(*, article: Article, actor, note: str) -> Article:
    if not note or not note.strip():
        raise EditorialError(
            f"Write a note saying what must change before sending “{article}” back."
        )
    note = note.strip()
    return _transition_article(
        article=article,
        name="request_changes",
        actor=actor,
        reason=note,
        arguments=lambda: {"note": note, "requested_by": actor, "requested_at": timezone.now()},
    )


def article_resubmit(*, article: Article, actor, reason: str = "") -> Article:
    """Send a revised article back in a new round: the article's part of resubmitting. The use
    case, with the board's reviewers carried into the round, is
    ``reviewers.services.article_resubmit``."""
    return _transition_article(article=article, name="resubmit", actor=actor, reason=reason)


def _approval_arguments(actor) -> dict:
    approved_at = timezone.now()
    return {
        "approved_by": actor,
        "approved_at": approved_at,
        "next_review_due": next_review_due_after(approved_at),
    }


def article_approve(*, article: Article, actor, reason: str = "") -> Article:
    """Approve (or, after a periodic review, approve again): the review cycle starts anew and
    the next review falls due ``EDITORIAL_REVIEW_CYCLE_MONTHS`` later (docs/governance.md). The
    article's part; the use case, which also closes the round's open assignments, is
    ``reviewers.services.article_approve``."""
    return _transition_article(
        article=article,
        name="approve",
        actor=actor,
        reason=reason,
        arguments=lambda: _approval_arguments(actor),
    )


def article_start_periodic_review(*, article: Article, actor, reason: str = "") -> Article:
    """Open a periodic review round: every claim needs a decision again, and the page stays
    Approved until the board approves again or decides otherwise (docs/governance.md). The article's
    part; the use case, with the board's reviewers carried into the round, is
    ``reviewers.services.article_start_periodic_review``."""
    with transaction.atomic():
        started = _transition_article(
            article=article, name="start_periodic_review", actor=actor, reason=reason
        )
        claims = list(Claim.objects.of_article(started).exclude(review_status=ClaimStatus.PENDING))
        for claim in claims:
            claim.return_to_pending()
        if claims:
            bulk_update_with_history(
                claims,
                Claim,
                ["review_status"],
                default_user=actor,
                default_change_reason=attributed_reason(
                    actor, f"return_to_pending: periodic review, round {started.round}"
                ),
            )
    return started


def article_suspend_approval(*, article: Article, actor, reason: str) -> Article:
    """End the standing approval of an article in periodic review: a board reviewer sent one
    of its claims back, so the page stops saying Approved (docs/invariants.md#i1-truthful-badge).
    Called by the board's claim decisions, in their transaction, under the article's lock."""
    return _transition_article(article=article, name="suspend_approval", actor=actor, reason=reason)


def article_set_next_review(*, article: Article, due_on: date, actor, reason: str) -> Article:
    """An editor sets the next review date of an approved article to another day, saying why;
    readers see it at once (“Next review due”)."""
    require_perm(actor, "articles.change_article", "set the next review date of")
    reason = (reason or "").strip()
    if not reason:
        raise EditorialError(
            f"Say why the next review of “{article}” moves: the reason is kept in history."
        )
    if due_on <= timezone.localdate():
        raise EditorialError(f"The next review of “{article}” must fall due after today.")
    with transaction.atomic():
        locked = lock_article(article.pk)
        if not locked.has_standing_approval:
            raise EditorialError(
                f"“{locked}” is {locked.get_review_status_display().lower()}: its next review "
                "date is set when the board approves it."
            )
        if locked.next_review_due == due_on:
            return locked
        locked.next_review_due = due_on
        locked.review_date_passed_at = None
        article_new_version(locked)
        return save_with_history(
            locked, actor=actor, reason=f"next review due {due_on.isoformat()}: {reason}"
        )


def article_publish(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(
        article=article,
        name="publish",
        actor=actor,
        reason=reason,
        arguments=lambda: {"published_at": timezone.now()},
    )


def article_withdraw(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(article=article, name="withdraw", actor=actor, reason=reason)


def article_note_review_date_passed(*, article_id: int, actor=None) -> Article | None:
    """Record that the next review date of an approved article has passed; the page of one in
    periodic review then says the review is in progress (docs/governance.md). Run once per date by
    the reminder sweep (a system process), in the transaction that reserves the editor's notice."""
    with transaction.atomic():
        locked = lock_article(article_id)
        if not locked.review_date_passed() or locked.review_date_passed_at is not None:
            return None
        locked.review_date_passed_at = timezone.now()
        article_new_version(locked)
        return save_with_history(
            locked,
            actor=actor,
            reason=f"review date passed: next review was due {locked.next_review_due.isoformat()}",
        )
