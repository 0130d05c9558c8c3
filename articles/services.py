"""Writes to articles: the review and publication workflows and every content change.

Views, admin actions, commands and tasks call these; each takes the acting user, runs in one
transaction, locks the rows it changes and records the actor and the reason in history.
Content changes are material (DESIGN §3 I2): touched claims return to pending and an approved
article goes back under review in a new round.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from difflib import SequenceMatcher

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from editorial.exceptions import EditorialError, EditorialPermissionDenied
from editorial.history import attributed_reason, delete_with_history, save_with_history
from editorial.workflow import run_transition

from .choices import ClaimKind, ClaimStatus, ReadingLevel, ReferenceKind, ReviewStatus
from .importing import (
    ArticleImportRefused,
    ArticlePlan,
    ClaimEntry,
    Problem,
    ReferenceEntry,
    SectionEntry,
    import_source_name,
    read_article,
)
from .models import Article, Citation, Claim, Reference, Section, Wording
from .outline import in_reading_order
from .signals import article_transitioned, review_round_opened


def _require_perm(actor, codename: str, action: str) -> None:
    if actor is not None and not actor.has_perm(codename):
        raise EditorialPermissionDenied(f"You need the “{codename}” permission to {action}.")


# Locks (DESIGN §3 I1, I7). Every write that can change what “Approved” means takes its row locks
# in one order: the references it starts to cite, then the article row, then the article's claims.
# Approving, deciding on claims, editing content, references and assignments therefore queue on
# the article, and no interleaving can approve an article around an open claim.


def hold_references(references: Iterable[Reference]) -> None:
    """Lock references a write is about to cite, before its article, so a concurrent change to
    one of them (which locks the reference, then the articles citing it) cannot miss the new
    citation nor deadlock with it."""
    ids = sorted({reference.pk for reference in references})
    if ids:
        list(
            Reference.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def lock_article(article_id: int) -> Article:
    """The article row, locked: the first lock of every write to it."""
    try:
        return Article.objects.select_for_update().get(pk=article_id)
    except Article.DoesNotExist as exc:
        raise EditorialError(f"Article {article_id} does not exist.") from exc


def lock_articles(article_ids: Iterable[int]) -> list[Article]:
    """Several article rows, locked in id order so two writers never wait on each other."""
    return list(Article.objects.select_for_update().filter(pk__in=set(article_ids)).order_by("pk"))


def lock_claims(claim_ids: Iterable[int]) -> list[Claim]:
    """Current claims, locked in id order; their articles must be locked already."""
    return list(
        Claim.objects.select_for_update(of=("self",))
        .filter(pk__in=set(claim_ids))
        .select_related("section__article")
        .order_by("pk")
    )


def lock_claim(claim: Claim) -> Claim:
    """Lock a claim's article, then the claim; refuse a claim removed meanwhile."""
    article_id = (
        Claim.objects.filter(pk=claim.pk).values_list("section__article_id", flat=True).first()
    )
    if article_id is not None:
        lock_article(article_id)
        locked = lock_claims([claim.pk])
        if locked:
            return locked[0]
    raise EditorialError(f"Claim {claim.pk} has been removed from its article.")


def _lock_article(article: Article) -> Article:
    return lock_article(article.pk)


def _transition_article(
    *, article: Article, name: str, actor, reason: str = "", arguments=None
) -> Article:
    """Run a review or publication transition under the article's lock, then its claims'.

    ``arguments`` makes the transition's keyword arguments once the lock is held, so the times
    it records (approved at, published at) are those of the decision, not of the wait.
    """
    with transaction.atomic():
        locked = _lock_article(article)
        lock_claims(Claim.objects.of_article(locked).values_list("pk", flat=True))
        run_transition(locked, name, actor, **(arguments() if arguments else {}))
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
    with transaction.atomic():
        resubmitted = _transition_article(
            article=article, name="resubmit", actor=actor, reason=reason
        )
        review_round_opened.send(sender=Article, article=resubmitted, actor=actor)
    return resubmitted


def article_approve(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(
        article=article,
        name="approve",
        actor=actor,
        reason=reason,
        arguments=lambda: {"approved_by": actor, "approved_at": timezone.now()},
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


# Content: every change below is material (DESIGN §3 I2).


def _record_material_change(
    *, article: Article, touched_claims: Iterable[Claim], actor, reason: str
) -> Article:
    """Return touched claims to pending and reopen an approved article, saying why."""
    locked = _lock_article(article)
    for claim in touched_claims:
        if claim.review_status != ClaimStatus.PENDING:
            claim.return_to_pending()
            save_with_history(claim, actor=actor, reason=f"return_to_pending: {reason}")
    locked.last_material_change_at = timezone.now()
    locked.content_version += 1
    if locked.review_status == ReviewStatus.APPROVED:
        locked.reopen()
        save_with_history(locked, actor=actor, reason=f"reopen: {reason}")
        review_round_opened.send(sender=Article, article=locked, actor=actor)
        transaction.on_commit(
            lambda: article_transitioned.send(
                sender=Article, article=locked, transition="reopen", actor=actor
            )
        )
    else:
        save_with_history(locked, actor=actor, reason=reason)
    return locked


def _require_content_perm(actor) -> None:
    _require_perm(actor, "articles.change_claim", "change the content of articles")


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
    _require_perm(actor, "articles.add_section", "add sections")
    heading = _check_heading(heading, level)
    with transaction.atomic():
        locked = _lock_article(article)
        order = (locked.sections.aggregate(last=Max("order"))["last"] or 0) + 1
        section = Section(article=locked, heading=heading, level=level, order=order)
        save_with_history(section, actor=actor, reason=reason)
        article_touch_version(article_id=locked.pk)
    return section


def article_retitle(*, article: Article, title: str, actor, reason: str) -> Article:
    """Change the question; readers see it at once, so the page cache version goes up."""
    _require_perm(actor, "articles.change_article", "change articles")
    title = (title or "").strip()
    if not title:
        raise EditorialError("An article needs a question as its title.")
    with transaction.atomic():
        locked = _lock_article(article)
        if locked.title == title:
            return locked
        locked.title = title
        locked.content_version += 1
        return save_with_history(locked, actor=actor, reason=reason)


def _lock_section(section: Section) -> Section:
    """Lock the section's article, then the section; refuse a section removed meanwhile."""
    lock_article(section.article_id)
    locked = Section.objects.select_for_update().filter(pk=section.pk).first()
    if locked is None:
        raise EditorialError(f"The section “{section}” has been removed from its article.")
    return locked


def section_rename(*, section: Section, heading: str, level: int, actor, reason: str) -> Section:
    """Change a section's heading or level; the article's page cache version goes up."""
    _require_perm(actor, "articles.change_section", "change sections")
    heading = _check_heading(heading, level)
    with transaction.atomic():
        locked = _lock_section(section)
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
    _require_perm(actor, "articles.delete_section", "remove sections")
    with transaction.atomic():
        locked = _lock_section(section)
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
    """Add a claim at the end of its section; adding is material (DESIGN §3 I2)."""
    _require_perm(actor, "articles.add_claim", "add claims")
    if not (text or "").strip():
        raise EditorialError(f"A claim in “{section}” needs a clinician wording.")
    if parent is not None and (parent.parent_id is not None or parent.section_id != section.pk):
        raise EditorialError("A sub-claim hangs under a top-level claim of the same section.")
    if len({reference.pk for reference in references}) != len(references):
        raise EditorialError(f"A claim in “{section}” cites the same reference twice.")
    with transaction.atomic():
        hold_references(references)
        section = _lock_section(section)
        if parent is not None and not lock_claims([parent.pk]):
            raise EditorialError(
                f"Claim {parent.pk} has been removed; add the sub-claim under another claim."
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
    _require_perm(actor, "articles.delete_claim", "remove claims")
    reason = (reason or "").strip()
    if not reason:
        raise EditorialError(f"Say why claim {claim.pk} is removed: the reason is kept in history.")
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
    _require_perm(actor, "articles.change_claim", "move claims")
    with transaction.atomic():
        locked = lock_claim(claim)
        in_section = list(Claim.objects.filter(section_id=locked.section_id).order_by("order"))
        siblings = [other for other in in_section if other.parent_id == locked.parent_id]
        if not 1 <= position <= len(siblings):
            raise EditorialError(
                f"Claim {locked.pk} can move to positions 1 to {len(siblings)}, not {position}."
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
        _renumber([other for other, _depth in arranged], Claim, actor=actor, reason=reason)
        article_touch_version(article_id=locked.section.article_id)
    return locked


def reference_add(*, actor, reason: str, **fields) -> Reference:
    """Save a new shared reference; no claim cites it yet, so nothing goes back to the board."""
    _require_perm(actor, "articles.add_reference", "add references")
    unknown = set(fields) - set(Reference.BIBLIOGRAPHIC_FIELDS) - {"is_complete"}
    if unknown:
        raise EditorialError(f"References have no field {', '.join(sorted(unknown))}.")
    return save_with_history(Reference(**fields), actor=actor, reason=reason)


def reference_update(*, reference: Reference, actor, reason: str, **fields) -> Reference:
    """Change a reference; every claim citing it goes back to the board (DESIGN §3 I2).

    Locks the reference, then every article citing it (in id order), then their claims, so the
    change cannot slip past an approval. Marking a reference incomplete is a change too: the
    board approved the claims against a reference it took to be complete.
    """
    _require_perm(actor, "articles.change_reference", "change references")
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
        for name in changed:
            setattr(locked, name, fields[name])
        save_with_history(locked, actor=actor, reason=reason)
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


def article_touch_version(*, article_id: int) -> None:
    """Invalidate cached pages of an article after a change that is not saved on it."""
    Article.objects.filter(pk=article_id).update(content_version=F("content_version") + 1)


# Import (DESIGN §7): a Markdown file becomes an article, or updates one, in one transaction.


@dataclass
class ArticleImport:
    """What an import did, for the command line and the admin to report."""

    article: Article
    created: bool
    changes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def article_import(
    *,
    source_text: str,
    actor,
    allow_missing_references: bool = False,
    update: bool = False,
    source_name: str = "the uploaded file",
) -> ArticleImport:
    """Create an article from the import format, or with ``update`` apply the file's changes.

    Nothing is written unless the whole file is valid. References are shared: each is matched
    by DOI, then PMID, then title, source and year before a new one is made. An update goes
    through the content services, so only the claims it changes return to pending (I2).
    Whatever is wrong with the file (too large, not text, malformed) is an
    ``ArticleImportRefused`` listing the problems by line.
    """
    _require_perm(actor, "articles.add_article", "import articles")
    source_name = import_source_name(source_name)
    plan = read_article(source_text, allow_missing_references=allow_missing_references)
    if not plan.is_valid:
        raise ArticleImportRefused(plan.problems, source_name=source_name)
    existing = Article.objects.filter(slug=plan.slug).first()
    if existing is not None and not update:
        raise ArticleImportRefused(
            [
                Problem(
                    plan.slug_line,
                    f"An article with the slug “{plan.slug}” already exists; to apply this "
                    "file's changes to it, import with --update (in the admin: “Update the "
                    "existing article”).",
                )
            ],
            source_name=source_name,
        )
    warnings = list(plan.warnings)
    try:
        return _import_plan(
            plan=plan, existing=existing, actor=actor, source_name=source_name, warnings=warnings
        )
    except IntegrityError as exc:
        raise EditorialError(
            f"“{plan.slug}” or one of its references was written by someone else during this "
            "import; nothing was imported. Import the file again."
        ) from exc


def _import_plan(
    *, plan: ArticlePlan, existing: Article | None, actor, source_name: str, warnings: list
) -> ArticleImport:
    with transaction.atomic():
        if existing is None:
            reason = attributed_reason(actor, f"Imported from {source_name}")
            references = _import_references(
                plan=plan, actor=actor, reason=reason, warnings=warnings
            )
            article = _import_new_article(
                plan=plan, references=references, actor=actor, reason=reason
            )
            result = ArticleImport(article=article, created=True, warnings=warnings)
        else:
            reason = attributed_reason(actor, f"Import of {source_name}")
            references = _import_references(
                plan=plan, actor=actor, reason=reason, warnings=warnings
            )
            hold_references(references.values())
            article, changes = _import_changes(
                article=existing, plan=plan, references=references, actor=actor, reason=reason
            )
            result = ArticleImport(
                article=article, created=False, changes=changes, warnings=warnings
            )
    return result


def _matching_reference(entry: ReferenceEntry) -> Reference | None:
    """Deduplicate by DOI, then PMID, then (title, source, year) (DESIGN §2).

    A title match whose stored DOI or PMID differs from the file's is another work.
    """
    found = (entry.doi and Reference.objects.matching(doi=entry.doi)) or (
        entry.pmid and Reference.objects.matching(pmid=entry.pmid)
    )
    if found:
        return found
    found = Reference.objects.matching(title=entry.title, source=entry.source, year=entry.year)
    if found and (
        (entry.doi and found.doi and found.doi.lower() != entry.doi.lower())
        or (entry.pmid and found.pmid and found.pmid != entry.pmid)
    ):
        return None
    return found


def _placeholder_title(*, number: int, slug: str) -> str:
    return f"Reference [{number}] of “{slug}” — to be completed"


def _import_references(
    *, plan: ArticlePlan, actor, reason: str, warnings: list[Problem]
) -> dict[int, Reference]:
    """The shared reference for each of the file's citation numbers, creating what is new."""
    references: dict[int, Reference] = {}
    for number, entry in plan.references.items():
        reference = _matching_reference(entry)
        if reference is None:
            reference = reference_add(
                **entry.bibliographic_fields(),
                is_complete=entry.is_complete,
                actor=actor,
                reason=reason,
            )
        else:
            differing = [
                name
                for name, value in entry.bibliographic_fields().items()
                if value not in ("", None) and value != getattr(reference, name)
            ]
            if differing:
                warnings.append(
                    Problem(
                        entry.line,
                        f"Reference [{number}] is the stored reference “{reference}”, whose "
                        f"{', '.join(differing)} differ from the file; the stored one is used "
                        "(change it in the admin if the file is right).",
                    )
                )
        references[number] = reference
    for number in plan.missing_references:
        title = _placeholder_title(number=number, slug=plan.slug)
        reference = Reference.objects.matching(title=title, source="", year=None)
        if reference is None:
            reference = reference_add(
                kind=ReferenceKind.OTHER,
                title=title,
                is_complete=False,
                actor=actor,
                reason=f"{reason}: placeholder for a reference the file cites but does not list",
            )
        references[number] = reference
    return references


def _cited(claim: ClaimEntry, references: dict[int, Reference]) -> list[Reference]:
    """The claim's references in citation order, each once (two numbers may share one)."""
    unique = {references[number].pk: references[number] for number in claim.citations}
    return list(unique.values())


def _import_new_article(
    *, plan: ArticlePlan, references: dict[int, Reference], actor, reason: str
) -> Article:
    """Create every row in bulk, with history, so a long article imports quickly."""
    last_updated = timezone.now()
    if plan.last_updated is not None:
        last_updated = timezone.make_aware(datetime.combine(plan.last_updated, time.min))
    article = save_with_history(
        Article(
            title=plan.title,
            slug=plan.slug,
            created_by=actor,
            last_material_change_at=last_updated,
        ),
        actor=actor,
        reason=reason,
    )
    history = {"default_user": actor, "default_change_reason": reason}
    sections = bulk_create_with_history(
        [
            Section(article=article, heading=entry.heading, level=entry.level, order=order)
            for order, entry in enumerate(plan.sections, start=1)
        ],
        Section,
        **history,
    )
    section_of = {
        id(entry): section for entry, section in zip(plan.sections, sections, strict=True)
    }
    orders: dict[int, int] = {}
    top_level, sub_level = [], []
    for section_entry, entry, parent_entry in plan.claims():
        section = section_of[id(section_entry)]
        orders[section.pk] = orders.get(section.pk, 0) + 1
        claim = Claim(section=section, order=orders[section.pk], kind=entry.kind)
        (sub_level if parent_entry else top_level).append((entry, parent_entry, claim))
    bulk_create_with_history([claim for _, _, claim in top_level], Claim, **history)
    claim_of = {id(entry): claim for entry, _, claim in top_level}
    for _, parent_entry, claim in sub_level:
        claim.parent = claim_of[id(parent_entry)]
    bulk_create_with_history([claim for _, _, claim in sub_level], Claim, **history)
    claim_of.update({id(entry): claim for entry, _, claim in sub_level})
    wordings, citations = [], []
    for _, entry, _ in plan.claims():
        claim = claim_of[id(entry)]
        wordings.append(Wording(claim=claim, level=ReadingLevel.CLINICIAN, text=entry.text))
        citations.extend(
            Citation(claim=claim, reference=reference, order=order)
            for order, reference in enumerate(_cited(entry, references), start=1)
        )
    bulk_create_with_history(wordings, Wording, **history)
    bulk_create_with_history(citations, Citation, **history)
    return article


def _pairs(old: Sequence, new: Sequence, *, old_key, new_key, same_shape):
    """Match old to new items like a text diff: (old or None, new or None) in new order.

    Equal items keep their identity; in a replaced run, items of the same shape are paired
    by position (the file changed them), the rest are removals and additions.
    """
    matcher = SequenceMatcher(
        a=[old_key(item) for item in old], b=[new_key(item) for item in new], autojunk=False
    )
    pairs = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        olds, news = old[old_start:old_end], new[new_start:new_end]
        if tag == "equal":
            pairs.extend(zip(olds, news, strict=True))
            continue
        for index in range(max(len(olds), len(news))):
            before = olds[index] if index < len(olds) else None
            after = news[index] if index < len(news) else None
            if before is not None and after is not None and not same_shape(before, after):
                pairs.extend([(before, None), (None, after)])
            else:
                pairs.append((before, after))
    return pairs


def _renumber(objects: Sequence, model, *, actor, reason: str) -> None:
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


def _import_changes(
    *, article: Article, plan: ArticlePlan, references: dict[int, Reference], actor, reason: str
) -> tuple[Article, list[str]]:
    """Apply a file to an existing article through the content services (DESIGN §3 I2)."""
    changes: list[str] = []
    article = _lock_article(article)
    if article.title != plan.title:
        article = article_retitle(article=article, title=plan.title, actor=actor, reason=reason)
        changes.append(f"title changed to “{plan.title}”")
    old_sections = list(article.sections.order_by("order"))
    section_pairs = _pairs(
        old_sections,
        plan.sections,
        old_key=lambda section: (section.level, section.heading),
        new_key=lambda entry: (entry.level, entry.heading),
        same_shape=lambda section, entry: True,
    )
    kept_sections: list[Section] = []
    for section, entry in section_pairs:
        if entry is None:
            section_remove(section=section, actor=actor, reason=reason)
            changes.append(f"section “{section.heading}” removed")
            continue
        if section is None:
            section = section_add(
                article=article,
                heading=entry.heading,
                level=entry.level,
                actor=actor,
                reason=reason,
            )
            changes.append(f"section “{entry.heading}” added")
        elif (section.heading, section.level) != (entry.heading, entry.level):
            changes.append(f"section “{section.heading}” now “{entry.heading}”")
            section = section_rename(
                section=section,
                heading=entry.heading,
                level=entry.level,
                actor=actor,
                reason=reason,
            )
        changes.extend(
            _import_section_claims(
                section=section, entry=entry, references=references, actor=actor, reason=reason
            )
        )
        kept_sections.append(section)
    _renumber(kept_sections, Section, actor=actor, reason=reason)
    return Article.objects.get(pk=article.pk), changes


def _remove_claims(claims: Sequence[Claim], *, actor, reason: str) -> None:
    """Remove sub-claims before their parents, so each removal is its own recorded change."""
    for claim in sorted(claims, key=lambda claim: claim.parent_id is None):
        if Claim.objects.filter(pk=claim.pk).exists():
            claim_remove(claim=claim, actor=actor, reason=reason)


def _import_section_claims(
    *,
    section: Section,
    entry: SectionEntry,
    references: dict[int, Reference],
    actor,
    reason: str,
) -> list[str]:
    """Diff a section's claims against the file's; only what differs goes through a service."""
    old_claims = list(section.claims.order_by("order").prefetch_related("wordings", "citations"))
    new_claims = [
        (claim_entry, is_sub, _cited(claim_entry, references))
        for claim_entry, is_sub in _section_claims(entry)
    ]

    def old_key(claim: Claim) -> tuple:
        cited = tuple(citation.reference_id for citation in claim.citations.all())
        return (claim.parent_id is not None, claim.kind, claim.wording_text("clinician"), cited)

    def new_key(item) -> tuple:
        claim_entry, is_sub, cited = item
        return (is_sub, claim_entry.kind, claim_entry.text, tuple(ref.pk for ref in cited))

    pairs = _pairs(
        old_claims,
        new_claims,
        old_key=old_key,
        new_key=new_key,
        same_shape=lambda claim, item: old_key(claim)[:2] == new_key(item)[:2],
    )
    changes: list[str] = []
    placed: list[tuple[Claim, Claim | None]] = []
    removed: list[Claim] = []
    parent: Claim | None = None
    for claim, item in pairs:
        if item is None:
            removed.append(claim)
            continue
        claim_entry, is_sub, cited = item
        if claim is None:
            claim = claim_add(
                section=section,
                text=claim_entry.text,
                kind=claim_entry.kind,
                parent=parent if is_sub else None,
                references=cited,
                actor=actor,
                reason=reason,
            )
            changes.append(f"line {claim_entry.line}: claim added")
        elif old_key(claim) != new_key(item):
            if claim.wording_text(ReadingLevel.CLINICIAN) != claim_entry.text:
                claim = wording_set(
                    claim=claim,
                    level=ReadingLevel.CLINICIAN,
                    text=claim_entry.text,
                    actor=actor,
                    reason=reason,
                )
            claim = claim_set_citations(claim=claim, references=cited, actor=actor, reason=reason)
            changes.append(f"line {claim_entry.line}: claim {claim.pk} changed")
        if not is_sub:
            parent = claim
        placed.append((claim, parent if is_sub else None))
    moved = []
    for claim, wanted_parent in placed:
        if claim.parent_id != (wanted_parent.pk if wanted_parent else None):
            claim.parent = wanted_parent
            moved.append(claim)
    if moved:
        bulk_update_with_history(
            moved, Claim, ["parent"], default_user=actor, default_change_reason=reason
        )
    changes.extend(f"claim {claim.pk} removed: “{claim.summary(60)}”" for claim in removed)
    _remove_claims(removed, actor=actor, reason=reason)
    _renumber([claim for claim, _ in placed], Claim, actor=actor, reason=reason)
    return changes


def _section_claims(entry: SectionEntry):
    for claim_entry in entry.claims:
        yield claim_entry, False
        for sub_claim in claim_entry.sub_claims:
            yield sub_claim, True
