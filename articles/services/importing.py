"""Import application (docs/interchange.md): a read plan becomes a new article, or its changes are
applied to the existing one through the content services, all in one transaction.

Reading and checking the file is ``articles.interchange.read``; pairing old claims with the
file's is ``articles.interchange.plan``.
"""

from dataclasses import dataclass, field
from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from editorial.exceptions import EditorialError
from editorial.history import attributed_reason, save_with_history

from ..choices import ReadingLevel, ReferenceKind
from ..interchange.plan import (
    ArticleImportRefused,
    ArticlePlan,
    ClaimEntry,
    Problem,
    ReferenceEntry,
    SectionEntry,
    pair_like_a_diff,
)
from ..interchange.read import import_source_name, read_article
from ..models import Article, Citation, Claim, Reference, Section, Wording
from ..outline import in_reading_order
from .content import (
    article_retitle,
    claim_add,
    claim_remove,
    claim_set_citations,
    reference_add,
    renumber,
    section_add,
    section_remove,
    section_rename,
    wording_set,
)
from .locks import hold_references, lock_article
from .permissions import require_perm


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
    require_perm(actor, "articles.add_article", "import articles")
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
    """Deduplicate by DOI, then PMID, then (title, source, year) (docs/domain.md#models).

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
            title=plan.title, slug=plan.slug, created_by=actor, last_material_change_at=last_updated
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
    claim_of = _create_claims(
        plan, dict(zip(map(id, plan.sections), sections, strict=True)), history
    )
    wordings, citations = [], []
    for _, entry, _ in plan.claims():
        claim = claim_of[id(entry)]
        wordings.extend(
            Wording(claim=claim, level=level, text=text)
            for level, text in {ReadingLevel.CLINICIAN: entry.text, **entry.wordings}.items()
        )
        citations.extend(
            Citation(claim=claim, reference=reference, order=order)
            for order, reference in enumerate(_cited(entry, references), start=1)
        )
    bulk_create_with_history(wordings, Wording, **history)
    bulk_create_with_history(citations, Citation, **history)
    return article


def _create_claims(plan: ArticlePlan, section_of: dict[int, Section], history: dict) -> dict:
    """Top-level claims first (sub-claims point at them), numbered in reading order per section;
    returns each plan entry's new claim, keyed by ``id(entry)``."""
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
    return claim_of


def _import_changes(
    *, article: Article, plan: ArticlePlan, references: dict[int, Reference], actor, reason: str
) -> tuple[Article, list[str]]:
    """Apply a file to an existing article through the content services
    (docs/invariants.md#i2-re-review-on-change)."""
    changes: list[str] = []
    article = lock_article(article.pk)
    if article.title != plan.title:
        article = article_retitle(article=article, title=plan.title, actor=actor, reason=reason)
        changes.append(f"title changed to “{plan.title}”")
    section_pairs = pair_like_a_diff(
        list(article.sections.order_by("order")),
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
        section = _place_section(
            article=article,
            section=section,
            entry=entry,
            changes=changes,
            actor=actor,
            reason=reason,
        )
        update = _SectionClaimsUpdate(
            section=section, references=references, actor=actor, reason=reason
        )
        changes.extend(update.apply(entry))
        kept_sections.append(section)
    renumber(kept_sections, Section, actor=actor, reason=reason)
    return Article.objects.get(pk=article.pk), changes


def _place_section(
    *, article: Article, section: Section | None, entry: SectionEntry, changes: list, actor, reason
) -> Section:
    """The stored section for ``entry``: added, renamed, or as it is."""
    if section is None:
        changes.append(f"section “{entry.heading}” added")
        return section_add(
            article=article, heading=entry.heading, level=entry.level, actor=actor, reason=reason
        )
    if (section.heading, section.level) != (entry.heading, entry.level):
        changes.append(f"section “{section.heading}” now “{entry.heading}”")
        return section_rename(
            section=section, heading=entry.heading, level=entry.level, actor=actor, reason=reason
        )
    return section


@dataclass
class _FileClaim:
    """A claim as the file has it: its entry, whether it is a sub-claim, its references."""

    entry: ClaimEntry
    is_sub: bool
    cited: list[Reference]

    def key(self) -> tuple:
        references = tuple(reference.pk for reference in self.cited)
        return (self.is_sub, self.entry.kind, self.entry.text, references)


def _stored_key(claim: Claim) -> tuple:
    cited = tuple(citation.reference_id for citation in claim.citations.all())
    return (claim.parent_id is not None, claim.kind, claim.wording_text("clinician"), cited)


class _SectionClaimsUpdate:
    """Diff a section's claims (in reading order) against the file's, like a text diff: equal
    claims stay untouched, changed ones go through the content services (so only they return
    to pending), new ones are added, missing ones removed; then parents and order follow the
    file."""

    def __init__(self, *, section: Section, references: dict[int, Reference], actor, reason: str):
        self.section, self.references = section, references
        self.actor, self.reason = actor, reason
        self.changes: list[str] = []
        self.placed: list[tuple[Claim, Claim | None]] = []
        self.removed: list[Claim] = []

    def apply(self, entry: SectionEntry) -> list[str]:
        stored = self.section.claims.order_by("order").prefetch_related("wordings", "citations")
        in_order = [
            claim
            for claim, _depth in in_reading_order(
                stored, key=lambda claim: claim.pk, parent=lambda claim: claim.parent_id
            )
        ]
        wanted = [
            _FileClaim(claim_entry, is_sub, _cited(claim_entry, self.references))
            for claim_entry, is_sub in _section_claims(entry)
        ]
        pairs = pair_like_a_diff(
            in_order,
            wanted,
            old_key=_stored_key,
            new_key=_FileClaim.key,
            same_shape=lambda claim, file_claim: _stored_key(claim)[:2] == file_claim.key()[:2],
        )
        parent: Claim | None = None
        for claim, file_claim in pairs:
            if file_claim is None:
                self.removed.append(claim)
                continue
            claim = self._write(claim, file_claim, parent=parent)
            if not file_claim.is_sub:
                parent = claim
            self.placed.append((claim, parent if file_claim.is_sub else None))
        self._finish()
        return self.changes

    def _write(self, claim: Claim | None, file_claim: _FileClaim, *, parent: Claim | None) -> Claim:
        entry, context = file_claim.entry, {"actor": self.actor, "reason": self.reason}
        if claim is None:
            self.changes.append(f"line {entry.line}: claim added")
            return claim_add(
                section=self.section,
                text=entry.text,
                kind=entry.kind,
                parent=parent if file_claim.is_sub else None,
                references=file_claim.cited,
                wordings=entry.wordings,
                **context,
            )
        stored = claim.texts_by_level()
        levels = [level for level, text in entry.wordings.items() if stored.get(level) != text]
        if _stored_key(claim) == file_claim.key() and not levels:
            return claim
        for level in levels:
            claim = wording_set(claim=claim, level=level, text=entry.wordings[level], **context)
        if _stored_key(claim) != file_claim.key():
            if claim.wording_text(ReadingLevel.CLINICIAN) != entry.text:
                claim = wording_set(
                    claim=claim, level=ReadingLevel.CLINICIAN, text=entry.text, **context
                )
            claim = claim_set_citations(claim=claim, references=file_claim.cited, **context)
        self.changes.append(f"line {entry.line}: claim “{claim.summary(60)}” changed")
        return claim

    def _finish(self) -> None:
        """Hang sub-claims under the parents the file gives, remove what it dropped, renumber."""
        moved = []
        for claim, wanted_parent in self.placed:
            if claim.parent_id != (wanted_parent.pk if wanted_parent else None):
                claim.parent = wanted_parent
                moved.append(claim)
        if moved:
            bulk_update_with_history(
                moved, Claim, ["parent"], default_user=self.actor, default_change_reason=self.reason
            )
        self.changes.extend(f"claim removed: “{claim.summary(60)}”" for claim in self.removed)
        for claim in sorted(self.removed, key=lambda claim: claim.parent_id is None):
            if Claim.objects.filter(pk=claim.pk).exists():
                claim_remove(claim=claim, actor=self.actor, reason=self.reason)
        renumber([claim for claim, _ in self.placed], Claim, actor=self.actor, reason=self.reason)


def _section_claims(entry: SectionEntry):
    for claim_entry in entry.claims:
        yield claim_entry, False
        for sub_claim in claim_entry.sub_claims:
            yield sub_claim, True
