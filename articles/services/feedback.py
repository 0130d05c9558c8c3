"""Reader feedback on claims (docs/governance.md): a reader reports a problem with a statement;
editors accept it (naming the change that answered it) or dismiss it, each with a reason.

A report names the claim, the wording the reader saw and the article version of their page. It
is never shown publicly. Settling it changes nothing readers see, so it takes no article lock.
"""

from django.db import transaction
from django.utils import timezone

from editorial.exceptions import EditorialError
from editorial.history import save_with_history
from editorial.workflow import run_transition

from ..choices import FeedbackKind, PublicationStatus, ReadingLevel
from ..models import FEEDBACK_NOTE_MAX_CHARS, Article, Claim, ClaimFeedback

READER_REASON = "Reported by a reader on the site (anonymous)"


def feedback_submit(
    *, claim: Claim, kind: str, note: str, reading_level: str, article_version: int | None
) -> ClaimFeedback:
    """Store a reader's report on a claim of a published article, with the wording shown for
    ``reading_level`` and the content version of the page it came from (the current one when
    the page's is unknown or not a version the article had)."""
    if kind not in FeedbackKind.values:
        raise EditorialError("Choose what is wrong with the statement.")
    note = (note or "").strip()
    if not note:
        raise EditorialError("Tell us what is wrong, in a few words.")
    if len(note) > FEEDBACK_NOTE_MAX_CHARS:
        raise EditorialError(
            f"Please keep your note to {FEEDBACK_NOTE_MAX_CHARS} characters; it has {len(note)}."
        )
    if reading_level not in ReadingLevel.values:
        reading_level = ReadingLevel.CLINICIAN
    claim = (
        Claim.objects.filter(pk=claim.pk, section__removed_at__isnull=True)
        .select_related("section__article")
        .prefetch_related("wordings")
        .first()
    )
    if claim is None or claim.section.article.publication_status != PublicationStatus.PUBLISHED:
        raise EditorialError("This statement is no longer on a published page.")
    current_version = claim.section.article.content_version
    if not article_version or not 1 <= article_version <= current_version:
        article_version = current_version
    feedback = ClaimFeedback(
        claim=claim,
        kind=kind,
        note=note,
        wording=claim.wording_text(reading_level),
        reading_level=reading_level,
        article_version=article_version,
    )
    return save_with_history(feedback, actor=None, reason=READER_REASON)


def _settle(*, feedback: ClaimFeedback, name: str, actor, reason: str, **fields) -> ClaimFeedback:
    with transaction.atomic():
        locked = (
            ClaimFeedback.objects.select_for_update(of=("self",))
            .select_related("claim__section")
            .get(pk=feedback.pk)
        )
        locked.resolution = (reason or "").strip()
        for name_, value in fields.items():
            setattr(locked, name_, value)
        run_transition(locked, name, actor, settled_by=actor, settled_at=timezone.now())
        label = "accepted" if name == "accept" else "dismissed"
        save_with_history(locked, actor=actor, reason=f"{label}: {locked.resolution}")
    return locked


def feedback_accept(
    *, feedback: ClaimFeedback, answered_by_change, actor, reason: str
) -> ClaimFeedback:
    """Accept a report: the editor names the change to the article that answered it (a row of
    the article's history made after the report arrived) and says why."""
    return _settle(
        feedback=feedback,
        name="accept",
        actor=actor,
        reason=reason,
        answered_by_change=answered_by_change,
    )


def feedback_dismiss(*, feedback: ClaimFeedback, actor, reason: str) -> ClaimFeedback:
    """Dismiss a report, saying why (kept with it and in its history)."""
    return _settle(feedback=feedback, name="dismiss", actor=actor, reason=reason)


def changes_answering(feedback: ClaimFeedback):
    """The article's changes since the report arrived, newest first: what may have answered it."""
    article_id = feedback.claim.section.article_id
    return Article.history.filter(id=article_id, history_date__gte=feedback.received_at).order_by(
        "-history_date", "-history_id"
    )
