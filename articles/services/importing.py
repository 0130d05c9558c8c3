"""Import application (DESIGN §7): a read plan becomes a new article, or its changes are applied
to the existing one through the content services, all in one transaction.

Reading and checking the file is ``articles.interchange.read``; pairing old claims with the
file's is ``articles.interchange.plan``.
"""

from collections.abc import Sequence
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


def _import_changes(
    *, article: Article, plan: ArticlePlan, references: dict[int, Reference], actor, reason: str
) -> tuple[Article, list[str]]:
    """Apply a file to an existing article through the content services (DESIGN §3 I2)."""
    changes: list[str] = []
    article = lock_article(article.pk)
    if article.title != plan.title:
        article = article_retitle(article=article, title=plan.title, actor=actor, reason=reason)
        changes.append(f"title changed to “{plan.title}”")
    old_sections = list(article.sections.order_by("order"))
    section_pairs = pair_like_a_diff(
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
    renumber(kept_sections, Section, actor=actor, reason=reason)
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

    pairs = pair_like_a_diff(
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
            changes.append(f"line {claim_entry.line}: claim “{claim.summary(60)}” changed")
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
    changes.extend(f"claim removed: “{claim.summary(60)}”" for claim in removed)
    _remove_claims(removed, actor=actor, reason=reason)
    renumber([claim for claim, _ in placed], Claim, actor=actor, reason=reason)
    return changes


def _section_claims(entry: SectionEntry):
    for claim_entry in entry.claims:
        yield claim_entry, False
        for sub_claim in claim_entry.sub_claims:
            yield sub_claim, True
