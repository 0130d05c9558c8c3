"""Writes to articles: the review and publication workflows and every content change.

Views, admin actions, commands and tasks call these; each takes the acting user, runs in one
transaction, locks the rows it changes and records the actor and the reason in history.
Content changes are material (DESIGN §3 I2): touched claims return to pending and an approved
article goes back under review in a new round.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from editorial.exceptions import EditorialError, EditorialPermissionDenied
from editorial.history import delete_with_history, save_with_history
from editorial.workflow import run_transition

from .choices import ClaimKind, ClaimStatus, ReadingLevel, ReviewStatus
from .models import Article, Citation, Claim, Reference, Section, Wording
from .signals import article_transitioned


def _require_perm(actor, codename: str, action: str) -> None:
    if actor is not None and not actor.has_perm(codename):
        raise EditorialPermissionDenied(f"You need the “{codename}” permission to {action}.")


def _lock_article(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _transition_article(
    *, article: Article, name: str, actor, reason: str = "", **kwargs
) -> Article:
    with transaction.atomic():
        locked = _lock_article(article)
        run_transition(locked, name, actor, **kwargs)
        locked.content_version += 1
        save_with_history(locked, actor=actor, reason=f"{name}: {reason}" if reason else name)
        transaction.on_commit(
            lambda: article_transitioned.send(
                sender=Article, article=locked, transition=name, actor=actor
            )
        )
    return locked


# Review workflow.


def article_create(*, title: str, slug: str = "", actor, reason: str = "Created") -> Article:
    _require_perm(actor, "articles.add_article", "create articles")
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
    return _transition_article(
        article=article, name="request_changes", actor=actor, reason=note.strip()
    )


def article_resubmit(*, article: Article, actor, reason: str = "") -> Article:
    """Send a revised article back; its reviewers are carried into the new round."""
    from reviewers.services import assignments_carry_forward

    with transaction.atomic():
        resubmitted = _transition_article(
            article=article, name="resubmit", actor=actor, reason=reason
        )
        assignments_carry_forward(article=resubmitted, actor=actor)
    return resubmitted


def article_approve(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(
        article=article,
        name="approve",
        actor=actor,
        reason=reason,
        approved_by=actor,
        approved_at=timezone.now(),
    )


def article_publish(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(
        article=article, name="publish", actor=actor, reason=reason, published_at=timezone.now()
    )


def article_withdraw(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(article=article, name="withdraw", actor=actor, reason=reason)


# Content: every change below is material (DESIGN §3 I2).


def _record_material_change(
    *, article: Article, touched_claims: Iterable[Claim], actor, reason: str
) -> Article:
    """Return touched claims to pending and reopen an approved article, saying why."""
    from reviewers.services import assignments_carry_forward

    for claim in touched_claims:
        if claim.review_status != ClaimStatus.PENDING:
            claim.return_to_pending()
            save_with_history(claim, actor=actor, reason=f"return_to_pending: {reason}")
    locked = _lock_article(article)
    locked.last_material_change_at = timezone.now()
    locked.content_version += 1
    if locked.review_status == ReviewStatus.APPROVED:
        locked.reopen()
        save_with_history(locked, actor=actor, reason=f"reopen: {reason}")
        assignments_carry_forward(article=locked, actor=actor)
        transaction.on_commit(
            lambda: article_transitioned.send(
                sender=Article, article=locked, transition="reopen", actor=actor
            )
        )
    else:
        save_with_history(locked, actor=actor, reason=reason)
    return locked


def _lock_claim(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("section__article").get(pk=claim.pk)


def _require_content_perm(actor) -> None:
    _require_perm(actor, "articles.change_claim", "change the content of articles")


def wording_set(*, claim: Claim, level: str, text: str, actor, reason: str) -> Claim:
    """Write (or, with empty text, remove) the wording of a claim for one reading level."""
    _require_content_perm(actor)
    if level not in ReadingLevel.values:
        raise EditorialError(f"“{level}” is not a reading level.")
    text = (text or "").strip()
    with transaction.atomic():
        locked = _lock_claim(claim)
        wording = Wording.objects.filter(claim=locked, level=level).first()
        if wording is not None and wording.text == text:
            return locked
        if not text:
            if level == ReadingLevel.CLINICIAN:
                raise EditorialError(f"Claim {locked.pk} needs a clinician wording.")
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
        raise EditorialError(f"Claim {claim.pk} cites the same reference twice.")
    with transaction.atomic():
        locked = _lock_claim(claim)
        current = list(locked.citations.values_list("reference_id", flat=True))
        if current == [reference.pk for reference in references]:
            return locked
        _write_citations(claim=locked, references=references, actor=actor, reason=reason)
        _record_material_change(
            article=locked.section.article, touched_claims=[locked], actor=actor, reason=reason
        )
    return locked


def section_add(
    *, article: Article, heading: str, level: int = 2, actor, reason: str = "Section added"
) -> Section:
    _require_perm(actor, "articles.add_section", "add sections")
    if level not in (2, 3):
        raise EditorialError(f"A section heading is level 2 or 3, not {level}.")
    if not heading.strip():
        raise EditorialError("A section needs a heading.")
    with transaction.atomic():
        order = (article.sections.aggregate(last=Max("order"))["last"] or 0) + 1
        section = Section(article=article, heading=heading.strip(), level=level, order=order)
        return save_with_history(section, actor=actor, reason=reason)


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
    """Add a claim at the end of its section; adding is material (DESIGN §3 I2)."""
    _require_perm(actor, "articles.add_claim", "add claims")
    if not (text or "").strip():
        raise EditorialError(f"A claim in “{section}” needs a clinician wording.")
    if parent is not None and (parent.parent_id is not None or parent.section_id != section.pk):
        raise EditorialError("A sub-claim hangs under a top-level claim of the same section.")
    with transaction.atomic():
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


def claim_remove(*, claim: Claim, actor, reason: str) -> None:
    _require_perm(actor, "articles.delete_claim", "remove claims")
    with transaction.atomic():
        locked = _lock_claim(claim)
        article = locked.section.article
        for sub_claim in locked.sub_claims.all():
            delete_with_history(sub_claim, actor=actor, reason=reason)
        delete_with_history(locked, actor=actor, reason=reason)
        _record_material_change(article=article, touched_claims=[], actor=actor, reason=reason)


def reference_update(*, reference: Reference, actor, reason: str, **fields) -> Reference:
    """Change bibliographic fields; every claim citing the reference is reviewed again."""
    _require_perm(actor, "articles.change_reference", "change references")
    unknown = set(fields) - set(Reference.BIBLIOGRAPHIC_FIELDS) - {"is_complete"}
    if unknown:
        raise EditorialError(f"References have no field {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = Reference.objects.select_for_update().get(pk=reference.pk)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, fields[name])
        save_with_history(locked, actor=actor, reason=reason)
        if set(changed) & set(Reference.BIBLIOGRAPHIC_FIELDS):
            citing = Claim.objects.select_for_update().filter(citations__reference=locked)
            by_article: dict[int, list[Claim]] = {}
            for claim in citing.select_related("section__article"):
                by_article.setdefault(claim.section.article_id, []).append(claim)
            for claims in by_article.values():
                _record_material_change(
                    article=claims[0].section.article,
                    touched_claims=claims,
                    actor=actor,
                    reason=reason,
                )
    return locked


def article_touch_version(*, article_id: int) -> None:
    """Invalidate cached pages of an article after a change that is not saved on it."""
    Article.objects.filter(pk=article_id).update(content_version=F("content_version") + 1)
