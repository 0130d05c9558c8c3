"""The plan of an article read from the import format: what the file asks for, its problems
(which refuse it) and warnings (which don't); and how an update pairs the stored claims with the
file's. Pure data and algorithms: nothing here reads a file or writes a row."""

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from editorial.exceptions import EditorialError

from ..choices import ReferenceKind
from ..models import Reference

# Citation numbers run from 1 to this, in the references and in the claims alike.
MAX_REFERENCE_NUMBER = 9999


@dataclass(frozen=True)
class Problem:
    """Something wrong (or, as a warning, worth knowing) at a line of the file."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ArticleImportRefused(EditorialError):
    """The file was not imported; ``problems`` says everything that is wrong, line by line."""

    def __init__(self, problems: list[Problem], *, source_name: str = "The file"):
        self.problems = problems
        count = len(problems)
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(
            f"{source_name} was not imported ({count} problem{'s' if count != 1 else ''}):\n{lines}"
        )


@dataclass
class ReferenceEntry:
    number: int
    line: int
    kind: str = ReferenceKind.RESEARCH
    title: str = ""
    authors: str = ""
    source: str = ""
    year: int | None = None
    doi: str = ""
    pmid: str = ""
    url: str = ""
    is_complete: bool = True

    def bibliographic_fields(self) -> dict:
        return {name: getattr(self, name) for name in Reference.BIBLIOGRAPHIC_FIELDS}


@dataclass
class ClaimEntry:
    kind: str
    line: int
    text: str | None = None
    citations: list[int] = field(default_factory=list)
    sub_claims: list["ClaimEntry"] = field(default_factory=list)
    # The claim's wordings for the other reading levels the file gives, {level: text}.
    wordings: dict[str, str] = field(default_factory=dict)


@dataclass
class SectionEntry:
    heading: str
    level: int
    line: int
    claims: list[ClaimEntry] = field(default_factory=list)


@dataclass
class ArticlePlan:
    """What the file asks for, with its problems (which refuse it) and warnings (which don't)."""

    title: str = ""
    slug: str = ""
    slug_line: int = 1
    last_updated: datetime.date | None = None
    references: dict[int, ReferenceEntry] = field(default_factory=dict)
    sections: list[SectionEntry] = field(default_factory=list)
    missing_references: dict[int, list[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def claims(self) -> Iterator[tuple[SectionEntry, ClaimEntry, ClaimEntry | None]]:
        """Every claim in reading order, with its section and (for sub-claims) its parent."""
        for section in self.sections:
            for claim in section.claims:
                yield section, claim, None
                for sub_claim in claim.sub_claims:
                    yield section, sub_claim, claim

    def cited_numbers(self) -> list[int]:
        """The file's citation numbers in order of first citation (the readers' numbering)."""
        seen: dict[int, None] = {}
        for _, claim, _ in self.claims():
            for number in claim.citations:
                seen.setdefault(number, None)
        return list(seen)


def pair_like_a_diff(old: Sequence, new: Sequence, *, old_key, new_key, same_shape):
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
