"""Reads for the public reader site.

Every request for an article first asks which version of it is published, if any (``versions``):
all a cached page or a reader's fresh copy needs. The first request for a version reads its
header; rendering a page reads, in one more query whatever its length, the sections
with their claims, wordings, citations and references. Citation numbers are computed here,
never stored: references are numbered in the order the article first cites them (Vancouver
style).

Both queries are querysets (``Article.objects.published()`` holds the one "published" rule),
compiled to SQL once per process and run with each request's values (``PreparedQuery``).
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import FilteredRelation, Q, QuerySet
from django.db.models.functions import Coalesce

from ..choices import (
    ClaimKind,
    ReadingLevel,
    ReferenceKind,
    ReviewStatus,
    has_standing_approval,
)
from ..models import Article, Section, doi_url, pubmed_url
from ..outline import CitationNumbers, citation_numbers_for_display, in_reading_order

REVIEW_STEPS = ("Submitted", "Under Review", "Approved")
"""The stepper readers see; changes requested is still under review to them."""

_STEP_OF_STATUS = {
    ReviewStatus.SUBMITTED: 0,
    ReviewStatus.UNDER_REVIEW: 1,
    ReviewStatus.CHANGES_REQUESTED: 1,
    ReviewStatus.APPROVED: 2,
    ReviewStatus.PERIODIC_REVIEW: 2,  # the approval stands meanwhile (docs/governance.md)
}

_REFERENCE_KIND_LABELS = dict(ReferenceKind.choices)

_REFERENCE_FIELDS = (
    "id",
    "kind",
    "title",
    "authors",
    "source",
    "year",
    "doi",
    "pmid",
    "url",
    "is_complete",
)


_READING_LEVELS = frozenset(ReadingLevel.values)


def known_reading_level(level: str | None) -> str | None:
    """The reading level named by ``level``, or None when it names none."""
    return level if level in _READING_LEVELS else None


def review_step(review_status: str) -> int:
    """Index in ``REVIEW_STEPS`` of the step a review status shows as."""
    return _STEP_OF_STATUS.get(review_status, 0)


@dataclass(slots=True)
class PublishedVersion:
    """What decides the answer to a request before anything is rendered: the article is
    published (else there is no version), and which version of its pages is current. Everything
    else about a version (its header, its pages) never changes, so it can be remembered."""

    id: int
    content_version: int


@dataclass(frozen=True, slots=True)
class ArticleHeader:
    """The article as its page and the list of articles show it, above its sections."""

    id: int
    title: str
    slug: str
    review_status: str
    content_version: int
    content_changed_at: datetime
    last_updated: datetime | None

    @property
    def has_standing_approval(self) -> bool:
        return has_standing_approval(self.review_status)

    @property
    def review_step(self) -> int:
        return review_step(self.review_status)


@dataclass(slots=True)
class ReaderClaim:
    id: int
    text: str
    is_paragraph: bool
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

    @property
    def doi_url(self) -> str:
        return doi_url(self.doi)

    @property
    def pubmed_url(self) -> str:
        return pubmed_url(self.pmid)


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
    "content_changed_at",
    "last_material_change_at",
)


class PreparedQuery:
    """A queryset compiled to SQL once per process, then run with each call's values.

    Compiling costs more than running these indexed reads: on SQLite about 100 µs to compile the
    query of an article's published version against 20 µs to run it, and 300 µs for the page
    query. The version is asked on every request, so compiling it each time would make a cached
    page several times slower. The SQL stays the ORM's own, from the querysets (and their rules:
    ``Article.objects.published()``) the rest of the project uses, and rows go through the ORM's
    converters for its columns (dates come back aware on SQLite too).

    ``build`` makes the queryset from placeholder values, one keyword each; every placeholder must
    reach the SQL as one parameter of its own, as filter values do, where each call's value goes.
    """

    def __init__(self, build: Callable[..., QuerySet], **placeholders):
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple:
        compiler = self._build(**self._placeholders).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = {}
        for name, placeholder in self._placeholders.items():
            if params.count(placeholder) != 1:
                raise ValueError(f"Placeholder {name}={placeholder!r} is not one SQL parameter.")
            positions[name] = params.index(placeholder)
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        return sql, list(params), positions, compiler, compiler.get_converters(columns)

    def rows(self, **values) -> list[tuple]:
        alias = DEFAULT_DB_ALIAS
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(alias, self._compile(alias))
        sql, params, positions, compiler, converters = compiled
        params = list(params)
        for name, value in values.items():
            params[positions[name]] = value
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            return [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows


ARTICLE_ID_PLACEHOLDER = -918_273_645
"""A placeholder for an article id in a ``PreparedQuery``, never a real one."""

_CONTENT_VERSION = 2_147_480_017
"""A placeholder for a content version, always replaced: within the field's range, or the ORM
would know no row can match and compile no query at all."""

_HEADER = PreparedQuery(
    lambda article_id, content_version: (
        Article.objects.published()
        .filter(pk=article_id, content_version=content_version)
        .order_by()
        .values_list(*_HEADER_FIELDS)
    ),
    article_id=ARTICLE_ID_PLACEHOLDER,
    content_version=_CONTENT_VERSION,
)

_PAGE = PreparedQuery(
    lambda article_id, level: (
        Section.objects.filter(article_id=article_id)
        .annotate(
            claim=FilteredRelation("claims", condition=Q(claims__removed_at__isnull=True)),
            chosen=FilteredRelation("claim__wordings", condition=Q(claim__wordings__level=level)),
            clinician=FilteredRelation(
                "claim__wordings",
                condition=Q(claim__wordings__level=ReadingLevel.CLINICIAN.value),
            ),
            text=Coalesce("chosen__text", "clinician__text"),
        )
        .order_by(
            "order",
            "id",
            "claim__order",
            "claim__id",
            "claim__citations__order",
            "claim__citations__id",
        )
        .values_list(
            "id",
            "heading",
            "level",
            "claim__id",
            "claim__parent_id",
            "claim__kind",
            "text",
            *(f"claim__citations__reference__{name}" for name in _REFERENCE_FIELDS),
        )
    ),
    article_id=ARTICLE_ID_PLACEHOLDER,
    level="\x00level\x00",
)


def published_header(version: PublishedVersion) -> ArticleHeader | None:
    """The header of that version of the article; None if it is no longer the published one
    (changed or withdrawn since ``version`` was read)."""
    rows = _HEADER.rows(article_id=version.id, content_version=version.content_version)
    return ArticleHeader(*rows[0]) if rows else None


def published_articles() -> list[ArticleHeader]:
    """Every published article, by title, for the home page."""
    return [
        ArticleHeader(*row)
        for row in Article.objects.published().order_by("title").values_list(*_HEADER_FIELDS)
    ]


def article_for_reader(*, header: ArticleHeader, reading_level: str) -> ReaderArticle:
    """The whole page of an article in one reading level, below its header, in one query.

    The query yields a row per section, claim and citation, in reading order. Each claim shows
    its wording for ``reading_level``, falling back to the clinician wording.
    """
    level = known_reading_level(reading_level) or ReadingLevel.CLINICIAN
    sections: dict[int, ReaderSection] = {}
    section_claims: dict[int, list[tuple]] = {}
    claims: dict[int, ReaderClaim] = {}
    cited: dict[int, list[tuple]] = {}
    for row in _PAGE.rows(article_id=header.id, level=level):
        section_id, heading, heading_level, claim_id, parent_id, kind, text, *reference = row
        if section_id not in sections:
            sections[section_id] = ReaderSection(heading=heading, level=heading_level)
            section_claims[section_id] = []
        if claim_id is None:
            continue
        if claim_id not in claims:
            claims[claim_id] = ReaderClaim(
                id=claim_id, text=text or "", is_paragraph=kind == ClaimKind.PARAGRAPH
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
            claim.citation_numbers = citation_numbers_for_display(claim.citation_numbers)

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
