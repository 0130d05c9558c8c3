"""An article in reading order: its one computation, shared by the reader page, the admin and
export (so the three can never disagree, as they once did for a sub-claim added after import).

Reading order: sections in order; in each, every top-level claim followed by its sub-claims
(each group by their ``order``, whenever they were added). Claims are numbered 1..n in that
order. References are numbered in the order of their first citation in reading order (Vancouver
style); numbers are computed here, never stored.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Prefetch

from .models import Article, Citation, Claim, Reference, Section

Item = TypeVar("Item")


def in_reading_order(
    claims: Iterable[Item], *, key: Callable[[Item], int], parent: Callable[[Item], int | None]
) -> list[tuple[Item, int]]:
    """``(claim, depth)`` in reading order, from one section's claims given in ``order``.

    Works on model instances and on the reader's plain rows alike (``key`` and ``parent`` read
    the id and parent id). A sub-claim whose parent is not among ``claims`` is left out.
    """
    claims = list(claims)
    children: dict[int, list[Item]] = {}
    for claim in claims:
        if parent(claim) is not None:
            children.setdefault(parent(claim), []).append(claim)
    ordered: list[tuple[Item, int]] = []
    for claim in claims:
        if parent(claim) is None:
            ordered.append((claim, 0))
            ordered.extend((child, 1) for child in children.get(key(claim), ()))
    return ordered


def citation_numbers_for_display(numbers: Iterable[int]) -> list[int]:
    """A claim's citation numbers as readers see them: ascending (“[1, 3]”), as Vancouver
    readers expect. The one rule for the reader page and ``OutlineClaim``; export keeps the
    citation order instead (``OutlineClaim.citation_numbers``), so an import reads the claim's
    citations back in the order it cites them."""
    return sorted(numbers)


class CitationNumbers:
    """Vancouver numbering: each reference gets the next number at its first citation."""

    def __init__(self):
        self.numbers: dict[int, int] = {}

    def number(self, reference_id: int) -> int:
        return self.numbers.setdefault(reference_id, len(self.numbers) + 1)

    def is_new(self, reference_id: int) -> bool:
        return reference_id not in self.numbers


@dataclass
class OutlineClaim:
    claim: Claim
    number: int
    depth: int
    citations: list[tuple[int, Reference]] = field(default_factory=list)
    """The claim's references in its citation order, each with its reader number."""

    @property
    def citation_numbers(self) -> list[int]:
        """The reader numbers in the claim's citation order: what export writes."""
        return [number for number, _reference in self.citations]

    @property
    def citation_numbers_for_display(self) -> list[int]:
        """The reader numbers as the reader page shows them (``citation_numbers_for_display``)."""
        return citation_numbers_for_display(self.citation_numbers)


@dataclass
class OutlineSection:
    section: Section
    claims: list[OutlineClaim] = field(default_factory=list)


@dataclass
class Outline:
    sections: list[OutlineSection]
    references: list[tuple[int, Reference]]
    """Every cited reference once, by number."""

    def claims(self) -> Iterator[OutlineClaim]:
        for section in self.sections:
            yield from section.claims


def article_outline(article: Article, *, claim_prefetches: Iterable = ()) -> Outline:
    """The article's current sections and claims in reading order, in four queries.

    ``claim_prefetches`` adds what a page needs beyond wordings and cited references (the
    admin adds the board decisions).
    """
    claims = Claim.objects.order_by("order").prefetch_related(
        "wordings",
        Prefetch(
            "citations", queryset=Citation.objects.order_by("order").select_related("reference")
        ),
        *claim_prefetches,
    )
    sections = article.sections.order_by("order").prefetch_related(
        Prefetch("claims", queryset=claims)
    )
    numbering = CitationNumbers()
    references: list[tuple[int, Reference]] = []
    outline_sections = []
    count = 0
    for section in sections:
        row = OutlineSection(section=section)
        ordered = in_reading_order(
            section.claims.all(), key=lambda claim: claim.pk, parent=lambda claim: claim.parent_id
        )
        for claim, depth in ordered:
            count += 1
            entry = OutlineClaim(claim=claim, number=count, depth=depth)
            for citation in claim.citations.all():
                if numbering.is_new(citation.reference_id):
                    references.append((numbering.number(citation.reference_id), citation.reference))
                entry.citations.append(
                    (numbering.number(citation.reference_id), citation.reference)
                )
            row.claims.append(entry)
        outline_sections.append(row)
    return Outline(sections=outline_sections, references=references)


def claim_numbers(article_ids: Iterable[int]) -> dict[int, int]:
    """``{claim id: its number in its article}`` for the current claims of several articles, in
    one query: the outline's numbering for lists that show claims of many articles at once."""
    rows = (
        Claim.objects.filter(section__article_id__in=set(article_ids))
        .order_by("section__article_id", "section__order", "section_id", "order")
        .values_list("pk", "parent_id", "section_id", "section__article_id")
    )
    by_section: dict[tuple[int, int], list[tuple]] = {}
    for row in rows:
        by_section.setdefault((row[3], row[2]), []).append(row)
    numbers: dict[int, int] = {}
    counts: dict[int, int] = {}
    for (article_id, _section_id), claims in by_section.items():
        for (pk, *_rest), _depth in in_reading_order(
            claims, key=lambda row: row[0], parent=lambda row: row[1]
        ):
            counts[article_id] = counts.get(article_id, 0) + 1
            numbers[pk] = counts[article_id]
    return numbers
