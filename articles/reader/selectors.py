"""Reads for the public reader site.

An article page is read in two queries whatever its length: the article's header row (asked on
every request, cached page or not), then its sections with their claims, wordings, citations and
references. Citation numbers are computed here, never stored: references
are numbered in the order the article first cites them (Vancouver style).

These are the hottest reads of the site, so they are written in SQL once rather than compiled
from querysets on every request: building the querysets cost more than serving a cached page.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from django.db import connection
from django.utils import timezone

from ..choices import (
    STANDING_APPROVAL_STATUSES,
    ClaimKind,
    PublicationStatus,
    ReadingLevel,
    ReferenceKind,
    ReviewStatus,
)
from ..models import Article, Citation, Claim, Reference, Section, Wording
from ..outline import CitationNumbers, in_reading_order

REVIEW_STEPS = ("Submitted", "Under Review", "Approved")
"""The stepper readers see; changes requested is still under review to them."""

_STEP_OF_STATUS = {
    ReviewStatus.SUBMITTED: 0,
    ReviewStatus.UNDER_REVIEW: 1,
    ReviewStatus.CHANGES_REQUESTED: 1,
    ReviewStatus.APPROVED: 2,
    ReviewStatus.PERIODIC_REVIEW: 2,  # the approval stands while the board confirms it (§10)
}

_REFERENCE_KIND_LABELS = dict(ReferenceKind.choices)


_READING_LEVELS = frozenset(ReadingLevel.values)


def known_reading_level(level: str | None) -> str | None:
    """The reading level named by ``level``, or None when it names none."""
    return level if level in _READING_LEVELS else None


def review_step(review_status: str) -> int:
    """Index in ``REVIEW_STEPS`` of the step a review status shows as."""
    return _STEP_OF_STATUS.get(review_status, 0)


@dataclass(frozen=True, slots=True)
class ArticleHeader:
    id: int
    title: str
    slug: str
    review_status: str
    content_version: int
    last_updated: datetime | None

    @property
    def is_approved(self) -> bool:
        return self.review_status in STANDING_APPROVAL_STATUSES

    @property
    def review_step(self) -> int:
        return review_step(self.review_status)


@dataclass(slots=True)
class ReaderClaim:
    text: str
    is_paragraph: bool
    id: int = 0
    citation_numbers: list[int] = field(default_factory=list)
    sub_claims: list["ReaderClaim"] = field(default_factory=list)


@dataclass(slots=True)
class ReaderSection:
    heading: str
    level: int
    claims: list[ReaderClaim] = field(default_factory=list)

    def blocks(self):
        """Paragraphs alone, runs of consecutive bullets together as one list."""
        run: list[ReaderClaim] = []
        for claim in self.claims:
            if claim.is_paragraph:
                if run:
                    yield ("list", run)
                    run = []
                yield ("paragraph", claim)
            else:
                run.append(claim)
        if run:
            yield ("list", run)


@dataclass(frozen=True, slots=True)
class ReaderReference:
    number: int
    kind: str
    kind_label: str
    title: str
    authors: str
    source: str
    year: int | None
    doi: str
    pmid: str
    url: str
    is_complete: bool


@dataclass(slots=True)
class ReaderArticle:
    header: ArticleHeader
    reading_level: str
    sections: list[ReaderSection]
    references: list[ReaderReference]


_HEADER_FIELDS = (
    "id",
    "title",
    "slug",
    "review_status",
    "content_version",
    "last_material_change_at",
)

_SQL = {
    "header": """
        SELECT "id", "title", "slug", "review_status", "content_version",
               "last_material_change_at"
        FROM {article}
        WHERE "slug" = %s AND "publication_status" = %s
    """,
    "page": """
        SELECT s."id", s."heading", s."level", c."id", c."parent_id", c."kind",
               COALESCE(chosen."text", clinician."text"),
               r."id", r."kind", r."title", r."authors", r."source", r."year", r."doi",
               r."pmid", r."url", r."is_complete"
        FROM {section} s
        LEFT JOIN {claim} c ON c."section_id" = s."id" AND c."removed_at" IS NULL
        LEFT JOIN {wording} chosen ON chosen."claim_id" = c."id" AND chosen."level" = %s
        LEFT JOIN {wording} clinician
            ON clinician."claim_id" = c."id" AND clinician."level" = %s
        LEFT JOIN {citation} t ON t."claim_id" = c."id"
        LEFT JOIN {reference} r ON r."id" = t."reference_id"
        WHERE s."article_id" = %s AND s."removed_at" IS NULL
        ORDER BY s."order", s."id", c."order", c."id", t."order", t."id"
    """,
}


@cache
def _sql(name: str) -> str:
    """The statement ``name`` with this project's table names, quoted for the database."""
    tables = {
        model._meta.model_name: connection.ops.quote_name(model._meta.db_table)
        for model in (Article, Section, Claim, Wording, Citation, Reference)
    }
    return _SQL[name].format(**tables)


def _query(name: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_sql(name), params)
        return cursor.fetchall()


def published_article_header(*, slug: str) -> ArticleHeader | None:
    """The header of the published article at ``slug``; None for drafts, withdrawn articles
    and unknown slugs (DESIGN §3 I6). One indexed query; its content version keys the cache."""
    rows = _query("header", [slug, PublicationStatus.PUBLISHED.value])
    if not rows:
        return None
    *fields, last_updated = rows[0]
    if last_updated is not None and timezone.is_naive(last_updated):
        last_updated = last_updated.replace(tzinfo=UTC)  # SQLite stores UTC without an offset
    return ArticleHeader(*fields, last_updated)


def published_articles() -> list[ArticleHeader]:
    """Every published article, by title, for the home page."""
    return [
        ArticleHeader(*row)
        for row in Article.objects.published().order_by("title").values_list(*_HEADER_FIELDS)
    ]


def article_for_reader(*, header: ArticleHeader, reading_level: str) -> ReaderArticle:
    """The whole page of an article in one reading level, in one query after its header.

    The query yields a row per section, claim and citation, in reading order. Each claim shows
    its wording for ``reading_level``, falling back to the clinician wording.
    """
    level = known_reading_level(reading_level) or ReadingLevel.CLINICIAN
    sections: dict[int, ReaderSection] = {}
    section_claims: dict[int, list[tuple]] = {}
    claims: dict[int, ReaderClaim] = {}
    cited: dict[int, list[tuple]] = {}
    for row in _query("page", [level, ReadingLevel.CLINICIAN.value, header.id]):
        section_id, heading, heading_level, claim_id, parent_id, kind, text, *reference = row
        if section_id not in sections:
            sections[section_id] = ReaderSection(heading=heading, level=heading_level)
            section_claims[section_id] = []
        if claim_id is None:
            continue
        if claim_id not in claims:
            claims[claim_id] = ReaderClaim(
                text=text or "", is_paragraph=kind == ClaimKind.PARAGRAPH, id=claim_id
            )
            section_claims[section_id].append((claim_id, parent_id))
        if reference[0] is not None:
            cited.setdefault(claim_id, []).append(reference)

    numbering = CitationNumbers()
    references: list[ReaderReference] = []
    for section_id, section in sections.items():
        ordered = in_reading_order(
            section_claims[section_id], key=lambda row: row[0], parent=lambda row: row[1]
        )
        for (claim_id, parent_id), _depth in ordered:
            claim = claims[claim_id]
            if parent_id is None:
                section.claims.append(claim)
            else:
                claims[parent_id].sub_claims.append(claim)
            for reference in cited.get(claim_id, ()):
                if numbering.is_new(reference[0]):
                    references.append(_reader_reference(numbering.number(reference[0]), reference))
                claim.citation_numbers.append(numbering.number(reference[0]))
            claim.citation_numbers.sort()

    return ReaderArticle(
        header=header,
        reading_level=level,
        sections=list(sections.values()),
        references=references,
    )


def _reader_reference(number: int, row) -> ReaderReference:
    _, kind, title, authors, source, year, doi, pmid, url, is_complete = row
    return ReaderReference(
        number=number,
        kind=kind,
        kind_label=_REFERENCE_KIND_LABELS.get(kind, ""),
        title=title,
        authors=authors,
        source=source,
        year=year,
        doi=doi,
        pmid=pmid,
        url=url if url.lower().startswith(("http://", "https://")) else "",
        is_complete=bool(is_complete),
    )
