"""Content edits: wordings, citations, claims, sections and references.

Every change to what the board reviews is material (docs/invariants.md#i2-re-review-on-change): the
touched claims return to pending and an approved article goes back under review in a new round, with
the reason in history. Each service takes the lock order of ``locks`` and records who and why.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from editorial.exceptions import EditorialError
from editorial.history import attributed_reason, delete_with_history, save_with_history

from ..board import board
from ..choices import ClaimKind, ClaimStatus, ReadingLevel
from ..models import Article, Citation, Claim, Reference, ReferenceChange, Section, Wording
from ..outline import in_reading_order
from ..signals import article_transitioned, reader_page_changed
from .locks import (
    hold_references,
    lock_article,
    lock_articles,
    lock_claim,
    lock_claims,
    lock_section,
)
from .permissions import require_perm


def _record_material_change(
    *, article: Article, touched_claims: Iterable[Claim], actor, reason: str
) -> Article:
    """Return touched claims to pending and reopen an approved article, saying why; the board
    carries its reviewers into the new round (``articles.board``), in this transaction."""
    locked = lock_article(article.pk)
    for claim in touched_claims:
        if claim.review_status != ClaimStatus.PENDING:
            claim.return_to_pending()
            save_with_history(claim, actor=actor, reason=f"return_to_pending: {reason}")
    locked.last_material_change_at = timezone.now()
    article_new_version(locked)
    if locked.has_standing_approval:
        locked.reopen()
        save_with_history(locked, actor=actor, reason=f"reopen: {reason}")
        board().reviewers_carry_into_round(article=locked, actor=actor)
        transaction.on_commit(
            lambda: article_transitioned.send(
                sender=Article, article=locked, transition="reopen", actor=actor
            )
        )
    else:
        save_with_history(locked, actor=actor, reason=reason)
    return locked


def _require_content_perm(actor) -> None:
    require_perm(actor, "articles.change_claim", "change the content of articles")


def wording_set(*, claim: Claim, level: str, text: str, actor, reason: str) -> Claim:
    """Write (or, with empty text, remove) the wording of a claim for one reading level."""
    _require_content_perm(actor)
    if level not in ReadingLevel.values:
        raise EditorialError(f"“{level}” is not a reading level.")
    text = (text or "").strip()
    with transaction.atomic():
        locked = lock_claim(claim)
        wording = Wording.objects.filter(claim=locked, level=level).first()
        if wording is not None and wording.text == text:
            return locked
        if not text:
            if level == ReadingLevel.CLINICIAN:
                raise EditorialError(f"The claim “{locked.summary(60)}” needs a clinician wording.")
            if wording is None:
                return locked
            delete_with_history(wording, actor=actor, reason=reason)
        elif wording is None:
            save_with_history(
                Wording(claim=locked, level=level, text=text), actor=actor, reason=reason
            )
        else:
            wording.text = text
            save_with_history(wording, actor=actor, reason=reason)
        _record_material_change(
            article=locked.section.article, touched_claims=[locked], actor=actor, reason=reason
        )
    return locked


def _write_citations(*, claim: Claim, references: Sequence[Reference], actor, reason: str):
    for citation in list(claim.citations.all()):
        delete_with_history(citation, actor=actor, reason=reason)
    for order, reference in enumerate(references, start=1):
        save_with_history(
            Citation(claim=claim, reference=reference, order=order), actor=actor, reason=reason
        )


def claim_set_citations(
    *, claim: Claim, references: Sequence[Reference], actor, reason: str
) -> Claim:
    _require_content_perm(actor)
    if len({reference.pk for reference in references}) != len(references):
        raise EditorialError(f"The claim “{claim.summary(60)}” cites the same reference twice.")
    with transaction.atomic():
        hold_references(references)
        locked = lock_claim(claim)
        current = list(locked.citations.values_list("reference_id", flat=True))
        if current == [reference.pk for reference in references]:
            return locked
        _write_citations(claim=locked, references=references, actor=actor, reason=reason)
        _record_material_change(
            article=locked.section.article, touched_claims=[locked], actor=actor, reason=reason
        )
    return locked


def _check_heading(heading: str, level: int) -> str:
    if level not in (2, 3):
        raise EditorialError(f"A section heading is level 2 or 3, not {level}.")
    heading = (heading or "").strip()
    if not heading:
        raise EditorialError("A section needs a heading.")
    return heading


def section_add(
    *, article: Article, heading: str, level: int = 2, actor, reason: str = "Section added"
) -> Section:
    require_perm(actor, "articles.add_section", "add sections")
    heading = _check_heading(heading, level)
    with transaction.atomic():
        locked = lock_article(article.pk)
        order = (locked.sections.aggregate(last=Max("order"))["last"] or 0) + 1
        section = Section(article=locked, heading=heading, level=level, order=order)
        save_with_history(section, actor=actor, reason=reason)
        article_touch_version(article_id=locked.pk)
    return section


def article_retitle(*, article: Article, title: str, actor, reason: str) -> Article:
    """Change the question; readers see it at once, so the page cache version goes up."""
    require_perm(actor, "articles.change_article", "change articles")
    title = (title or "").strip()
    if not title:
        raise EditorialError("An article needs a question as its title.")
    with transaction.atomic():
        locked = lock_article(article.pk)
        if locked.title == title:
            return locked
        locked.title = title
        article_new_version(locked)
        return save_with_history(locked, actor=actor, reason=reason)


def section_rename(*, section: Section, heading: str, level: int, actor, reason: str) -> Section:
    """Change a section's heading or level; the article's page cache version goes up."""
    require_perm(actor, "articles.change_section", "change sections")
    heading = _check_heading(heading, level)
    with transaction.atomic():
        locked = lock_section(section)
        if (locked.heading, locked.level) == (heading, level):
            return locked
        locked.heading, locked.level = heading, level
        save_with_history(locked, actor=actor, reason=reason)
        article_touch_version(article_id=locked.article_id)
    return locked


def section_remove(*, section: Section, actor, reason: str) -> None:
    """Remove a section with its claims; each claim removal is a material change (I2).

    The rows stay, marked removed, so the claims keep their board decisions and history (I3).
    """
    require_perm(actor, "articles.delete_section", "remove sections")
    with transaction.atomic():
        locked = lock_section(section)
        claims = lock_claims(locked.claims.values_list("pk", flat=True))
        _mark_removed(claims, actor=actor, reason=reason)
        locked.removed_at = timezone.now()
        save_with_history(locked, actor=actor, reason=f"removed: {reason}")
        if claims:
            _record_material_change(
                article=locked.article, touched_claims=[], actor=actor, reason=reason
            )
        else:
            article_touch_version(article_id=locked.article_id)


def claim_add(
    *,
    section: Section,
    text: str,
    actor,
    reason: str,
    kind: str = ClaimKind.BULLET,
    parent: Claim | None = None,
    references: Sequence[Reference] = (),
    wordings: dict[str, str] | None = None,
) -> Claim:
    """Add a claim at the end of its section; adding is material
    (docs/invariants.md#i2-re-review-on-change)."""
    require_perm(actor, "articles.add_claim", "add claims")
    if not (text or "").strip():
        raise EditorialError(f"A claim in “{section}” needs a clinician wording.")
    if parent is not None and (parent.parent_id is not None or parent.section_id != section.pk):
        raise EditorialError("A sub-claim hangs under a top-level claim of the same section.")
    if len({reference.pk for reference in references}) != len(references):
        raise EditorialError(f"A claim in “{section}” cites the same reference twice.")
    with transaction.atomic():
        hold_references(references)
        section = lock_section(section)
        if parent is not None and not lock_claims([parent.pk]):
            raise EditorialError(
                f"The claim “{parent.summary(60)}” has been removed; add the sub-claim under "
                "another claim."
            )
        order = (section.claims.aggregate(last=Max("order"))["last"] or 0) + 1
        claim = save_with_history(
            Claim(section=section, parent=parent, order=order, kind=kind),
            actor=actor,
            reason=reason,
        )
        levels = {ReadingLevel.CLINICIAN: text, **(wordings or {})}
        for level, level_text in levels.items():
            if level_text and level_text.strip():
                save_with_history(
                    Wording(claim=claim, level=level, text=level_text.strip()),
                    actor=actor,
                    reason=reason,
                )
        _write_citations(claim=claim, references=references, actor=actor, reason=reason)
        _record_material_change(
            article=section.article, touched_claims=[], actor=actor, reason=reason
        )
    return claim


def _mark_removed(claims: Iterable[Claim], *, actor, reason: str) -> None:
    """Mark claims and their sub-claims removed: rows, decisions and history all stay (I3)."""
    ids = {claim.pk for claim in claims}
    ids |= set(Claim.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
    now = timezone.now()
    for claim in lock_claims(ids):
        claim.removed_at = now
        save_with_history(claim, actor=actor, reason=f"removed: {reason}")


def claim_remove(*, claim: Claim, actor, reason: str) -> None:
    """Take a claim (with its sub-claims) out of its article: a material change (I2)."""
    require_perm(actor, "articles.delete_claim", "remove claims")
    reason = (reason or "").strip()
    if not reason:
        raise EditorialError(
            f"Say why the claim “{claim.summary(60)}” is removed: the reason is kept in history."
        )
    with transaction.atomic():
        locked = lock_claim(claim)
        _mark_removed([locked], actor=actor, reason=reason)
        _record_material_change(
            article=locked.section.article, touched_claims=[], actor=actor, reason=reason
        )


def claim_move(*, claim: Claim, position: int, actor, reason: str) -> Claim:
    """Move a claim to ``position`` (from 1) among its siblings: the top-level claims of its
    section, or the sub-claims of its parent. Sub-claims move with their parent.

    Not a material change (I2): every wording and citation stays as the board approved it, and
    a claim never changes parent this way. Readers see the new order at once; history says who
    moved what and why.
    """
    require_perm(actor, "articles.change_claim", "move claims")
    with transaction.atomic():
        locked = lock_claim(claim)
        in_section = list(Claim.objects.filter(section_id=locked.section_id).order_by("order"))
        siblings = [other for other in in_section if other.parent_id == locked.parent_id]
        if not 1 <= position <= len(siblings):
            raise EditorialError(
                f"The claim “{locked.summary(60)}” can move to positions 1 to {len(siblings)}, "
                f"not {position}."
            )
        siblings.remove(next(other for other in siblings if other.pk == locked.pk))
        siblings.insert(position - 1, locked)
        slots = [
            index for index, other in enumerate(in_section) if other.parent_id == locked.parent_id
        ]
        for slot, sibling in zip(slots, siblings, strict=True):
            in_section[slot] = sibling
        arranged = in_reading_order(
            in_section, key=lambda other: other.pk, parent=lambda other: other.parent_id
        )
        renumber([other for other, _depth in arranged], Claim, actor=actor, reason=reason)
        article_touch_version(article_id=locked.section.article_id)
    return locked


def reference_add(*, actor, reason: str, **fields) -> Reference:
    """Save a new shared reference; no claim cites it yet, so nothing goes back to the board."""
    require_perm(actor, "articles.add_reference", "add references")
    unknown = set(fields) - set(Reference.BIBLIOGRAPHIC_FIELDS) - {"is_complete"}
    if unknown:
        raise EditorialError(f"References have no field {', '.join(sorted(unknown))}.")
    return save_with_history(Reference(**fields), actor=actor, reason=reason)


def reference_update(*, reference: Reference, actor, reason: str, **fields) -> Reference:
    """Change a reference; every claim citing it goes back to the board
    (docs/invariants.md#i2-re-review-on-change).

    Locks the reference, then every article citing it (in id order), then their claims, so the
    change cannot slip past an approval. Marking a reference incomplete is a change too: the
    board approved the claims against a reference it took to be complete.
    """
    require_perm(actor, "articles.change_reference", "change references")
    unknown = set(fields) - set(Reference.BIBLIOGRAPHIC_FIELDS) - {"is_complete"}
    if unknown:
        raise EditorialError(f"References have no field {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = Reference.objects.select_for_update().filter(pk=reference.pk).first()
        if locked is None:
            raise EditorialError(f"Reference {reference.pk} does not exist.")
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        citing = Claim.objects.filter(citations__reference=locked)
        articles = lock_articles(citing.values_list("section__article_id", flat=True))
        claims = lock_claims(citing.values_list("pk", flat=True))
        completed = "is_complete" in changed and bool(fields["is_complete"])
        for name in changed:
            setattr(locked, name, fields[name])
        save_with_history(locked, actor=actor, reason=reason)
        if claims:
            record = ReferenceChange.objects.create(
                reference=locked, fields=changed, completed=completed, changed_by=actor
            )
            record.claims.set(claims)
        for article in articles:
            _record_material_change(
                article=article,
                touched_claims=[
                    claim for claim in claims if claim.section.article_id == article.pk
                ],
                actor=actor,
                reason=reason,
            )
    return locked


def article_new_version(article: Article) -> None:
    """What readers see of ``article`` changes in this transaction: count a new content version
    (it keys the page caches and the pages' ETag, and dates their Last-Modified) and have the
    shared caches purged once the change commits. The caller holds the article's lock and saves
    it."""
    article.content_version += 1
    article.content_changed_at = timezone.now()
    reader_page_changed.send(sender=Article, article_id=article.pk)


def article_touch_version(*, article_id: int) -> None:
    """``article_new_version`` for a change that is not saved on the article itself."""
    Article.objects.filter(pk=article_id).update(
        content_version=F("content_version") + 1, content_changed_at=timezone.now()
    )
    reader_page_changed.send(sender=Article, article_id=article_id)


def renumber(objects: Sequence, model, *, actor, reason: str) -> None:
    """Give ``objects`` their list position as order, around the unique order constraint."""
    moving = [item for position, item in enumerate(objects, start=1) if item.order != position]
    if not moving:
        return
    model.objects.filter(pk__in=[item.pk for item in moving]).update(order=F("order") + 1_000_000)
    for position, item in enumerate(objects, start=1):
        item.order = position
    bulk_update_with_history(
        moving,
        model,
        ["order"],
        default_user=actor,
        default_change_reason=attributed_reason(actor, reason),
    )
