"""Read an article written in the import format (DESIGN §7) into a plan, writing nothing.

The format is Markdown with YAML front matter. Front matter gives ``title``, ``slug``, an
optional ``last_updated`` and ``references`` keyed by the file's own citation numbers. In the
body, ``##`` and ``###`` headings are sections, paragraphs are paragraph claims, ``-`` bullets
are claims and indented bullets their sub-claims; bracketed numbers ending a claim cite
references: ``[1]``, ``[1, 2]``, ``[2-4]``.

``read_article`` checks the whole file and reports every problem with its line number, so an
editor fixes a file in one pass. The import service writes a plan only when it has no problems.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

import yaml
from markdown_it import MarkdownIt

from editorial.exceptions import EditorialError

from .choices import ClaimKind, ReferenceKind
from .models import Reference

FRONT_MATTER_FENCE = "---"
FIRST_YEAR = 1800
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_PATTERN = re.compile(r"^\d{1,8}$")
_CITATION_ITEM = r"\d+(?:\s*[-–]\s*\d+)?"
TRAILING_CITATION = re.compile(rf"\s*\[\s*({_CITATION_ITEM}(?:\s*,\s*{_CITATION_ITEM})*)\s*\]\s*$")
MAX_RANGE = 50
REFERENCE_FIELDS = ("kind", "title", "authors", "source", "year", "doi", "pmid", "url")
KNOWN_FRONT_MATTER = ("title", "slug", "last_updated", "references")


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
        return {name: getattr(self, name) for name in REFERENCE_FIELDS}


@dataclass
class ClaimEntry:
    kind: str
    line: int
    text: str | None = None
    citations: list[int] = field(default_factory=list)
    sub_claims: list["ClaimEntry"] = field(default_factory=list)


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


def read_article(source_text: str, *, allow_missing_references: bool = False) -> ArticlePlan:
    """Parse and check a whole file; the plan's ``problems`` list everything that is wrong."""
    plan = ArticlePlan()
    text = source_text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    front_matter, front_offset, body, body_offset = _split_front_matter(text, plan)
    references_read = front_matter is not None and _read_front_matter(
        front_matter, front_offset, plan
    )
    if body is not None:
        _read_body(body, body_offset, plan)
    if references_read:
        _check_citations(plan, allow_missing_references=allow_missing_references)
    plan.problems.sort(key=lambda problem: problem.line)
    plan.warnings.sort(key=lambda problem: problem.line)
    return plan


def _split_front_matter(text: str, plan: ArticlePlan):
    """Return (front matter, its first line's offset, body, body's offset); offsets are 0-based."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        plan.problems.append(
            Problem(
                1,
                "The file must begin with YAML front matter: a line “---”, the title, slug and "
                "references, then another “---”.",
            )
        )
        return None, 0, text, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in (FRONT_MATTER_FENCE, "..."):
            return "\n".join(lines[1:index]), 1, "\n".join(lines[index + 1 :]), index + 1
    plan.problems.append(
        Problem(1, "The front matter opened on line 1 is never closed by a line “---”.")
    )
    return None, 0, None, 0


def _key_lines(front_matter: str, offset: int) -> tuple[dict, dict]:
    """1-based lines of top-level keys, and of each reference's number and fields."""
    top: dict = {}
    references: dict = {}
    try:
        root = yaml.compose(front_matter, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return top, references
    if not isinstance(root, yaml.MappingNode):
        return top, references
    for key, value in root.value:
        top[key.value] = offset + key.start_mark.line + 1
        if key.value == "references" and isinstance(value, yaml.MappingNode):
            for number, entry in value.value:
                fields = {}
                if isinstance(entry, yaml.MappingNode):
                    fields = {
                        name.value: offset + name.start_mark.line + 1 for name, _ in entry.value
                    }
                references[number.value] = (offset + number.start_mark.line + 1, fields)
    return top, references


def _read_front_matter(front_matter: str, offset: int, plan: ArticlePlan) -> bool:
    """Read the fields into ``plan``; False when the references could not be read at all."""
    try:
        data = yaml.safe_load(front_matter)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = offset + (mark.line + 1 if mark else 1)
        reason = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark:
            reason += f" ({context} opened on line {offset + context_mark.line + 1})"
        plan.problems.append(Problem(line, f"The front matter is not valid YAML: {reason}."))
        return False
    if not isinstance(data, dict):
        plan.problems.append(
            Problem(offset, "The front matter must be fields such as “title: …” and “slug: …”.")
        )
        return False
    lines, reference_lines = _key_lines(front_matter, offset)
    first_line = offset + 1

    title = data.get("title")
    title = str(title).strip() if title is not None else ""
    if not title:
        plan.problems.append(
            Problem(lines.get("title", first_line), "The title is empty: write the question.")
        )
    elif len(title) > 300:
        plan.problems.append(Problem(lines["title"], "The title is longer than 300 characters."))
    plan.title = title

    slug = data.get("slug")
    slug = str(slug).strip() if slug is not None else ""
    if not slug:
        plan.problems.append(Problem(lines.get("slug", first_line), "The slug is missing."))
    elif not SLUG_PATTERN.match(slug) or len(slug) > 200:
        plan.problems.append(
            Problem(
                lines["slug"],
                f"The slug “{slug}” is not valid: use lower-case letters, digits and single "
                "hyphens, at most 200 characters.",
            )
        )
    plan.slug = slug
    plan.slug_line = lines.get("slug", first_line)

    last_updated = data.get("last_updated")
    if isinstance(last_updated, datetime.datetime):
        last_updated = last_updated.date()
    if last_updated is not None and not isinstance(last_updated, datetime.date):
        plan.problems.append(
            Problem(
                lines["last_updated"],
                f"last_updated “{last_updated}” is not a date like 2025-12-11.",
            )
        )
        last_updated = None
    plan.last_updated = last_updated

    for name in data:
        if name not in KNOWN_FRONT_MATTER:
            plan.warnings.append(
                Problem(lines.get(name, first_line), f"The field “{name}” is ignored.")
            )

    references = data.get("references") or {}
    if not isinstance(references, dict):
        plan.problems.append(
            Problem(
                lines.get("references", first_line),
                "references must list each reference under its citation number.",
            )
        )
        return False
    for number, entry in references.items():
        line, field_lines = reference_lines.get(str(number), (first_line, {}))
        reference = _read_reference(number, entry, line, field_lines, plan)
        if reference is not None:
            plan.references[number] = reference
    return True


def _read_reference(number, entry, line: int, field_lines: dict, plan: ArticlePlan):
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        plan.problems.append(
            Problem(line, f"“{number}” is not a citation number: number references 1, 2, 3…")
        )
        return None
    if not isinstance(entry, dict):
        plan.problems.append(
            Problem(line, f"Reference [{number}] must have fields such as kind, title, source.")
        )
        return None
    reference = ReferenceEntry(number=number, line=line)

    def problem(name: str, message: str) -> None:
        plan.problems.append(
            Problem(field_lines.get(name, line), f"Reference [{number}]: {message}")
        )

    for name in entry:
        if name not in (*REFERENCE_FIELDS, "complete"):
            problem(name, f"unknown field “{name}” (known: {', '.join(REFERENCE_FIELDS)}).")

    kind = entry.get("kind", ReferenceKind.RESEARCH)
    if kind not in ReferenceKind.values:
        problem(
            "kind",
            f"unknown kind “{kind}”; use one of {', '.join(ReferenceKind.values)}.",
        )
    else:
        reference.kind = kind

    reference.title = str(entry.get("title") or "").strip()
    if not reference.title:
        problem("title", "the title is empty.")

    authors = entry.get("authors") or ""
    if isinstance(authors, list):
        authors = ", ".join(str(author).strip() for author in authors)
    reference.authors = str(authors).strip()
    reference.source = str(entry.get("source") or "").strip()

    year = entry.get("year")
    this_year = datetime.date.today().year
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int):
            problem("year", f"the year “{year}” is not a number.")
        elif not FIRST_YEAR <= year <= this_year:
            problem("year", f"the year {year} is outside {FIRST_YEAR}–{this_year}.")
        else:
            reference.year = year

    doi = str(entry.get("doi") or "").strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    if doi and not DOI_PATTERN.match(doi):
        problem(
            "doi", f"the DOI “{doi}” is malformed; a DOI looks like 10.1016/j.jaad.2010.10.001."
        )
    reference.doi = doi

    pmid = str(entry.get("pmid") or "").strip()
    if pmid and not PMID_PATTERN.match(pmid):
        problem("pmid", f"the PMID “{pmid}” is malformed; a PMID is up to 8 digits.")
    reference.pmid = pmid

    url = str(entry.get("url") or "").strip()
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problem("url", f"the URL “{url}” is not an http(s) address.")
    reference.url = url

    for name in ("title", "authors", "source", "doi", "pmid", "url"):
        limit = Reference._meta.get_field(name).max_length
        if len(getattr(reference, name)) > limit:
            problem(name, f"the {name} is longer than {limit} characters.")

    complete = entry.get("complete", True)
    if not isinstance(complete, bool):
        problem("complete", "complete is true or false.")
    else:
        reference.is_complete = complete
    return reference


def split_citations(text: str) -> tuple[str, list[int], list[str]]:
    """Split trailing citation brackets off a claim: (text, numbers, problems)."""
    numbers: list[int] = []
    problems: list[str] = []
    while match := TRAILING_CITATION.search(text):
        group: list[int] = []
        for item in match.group(1).split(","):
            bounds = [int(bound) for bound in re.split(r"[-–]", item)]
            start, end = bounds[0], bounds[-1]
            if end < start:
                problems.append(f"The citation range [{item.strip()}] runs backwards.")
            elif end - start > MAX_RANGE:
                problems.append(f"The citation range [{item.strip()}] is too long.")
            else:
                group.extend(range(start, end + 1))
        numbers[:0] = group
        text = text[: match.start()]
    return text.strip(), list(dict.fromkeys(numbers)), problems


_BLOCK_NAMES = {
    "fence": "A code block",
    "code_block": "A code block",
    "blockquote_open": "A block quote",
    "hr": "A horizontal rule",
    "html_block": "HTML",
    "table_open": "A table",
}


def _read_body(body: str, offset: int, plan: ArticlePlan) -> None:
    tokens = MarkdownIt("commonmark").parse(body)
    section: SectionEntry | None = None
    list_depth = 0
    items: list[ClaimEntry | None] = []
    reported_outside = False
    index = 0

    def line_of(token) -> int:
        return offset + token.map[0] + 1 if token.map else offset + 1

    def place_in_section(line: int) -> bool:
        nonlocal reported_outside
        if section is None:
            if not reported_outside:
                plan.problems.append(
                    Problem(line, "Claims must come under a “##” or “###” section heading.")
                )
                reported_outside = True
            return False
        return True

    def fill(claim: ClaimEntry, content: str) -> None:
        text, numbers, problems = split_citations(" ".join(content.split()))
        plan.problems.extend(Problem(claim.line, problem) for problem in problems)
        claim.text = text
        claim.citations = numbers
        if not text:
            plan.problems.append(Problem(claim.line, "The claim is empty: write its text."))

    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            line = line_of(token)
            heading = " ".join(tokens[index + 1].content.split())
            if token.tag not in ("h2", "h3"):
                reported_outside = True
                plan.problems.append(
                    Problem(
                        line,
                        f"“{token.markup} {heading}” is not a section: use “##” for sections and "
                        "“###” for subsections (the title goes in the front matter).",
                    )
                )
            elif not heading:
                plan.problems.append(Problem(line, "The section heading is empty."))
            elif len(heading) > 300:
                plan.problems.append(Problem(line, "The section heading is over 300 characters."))
            else:
                section = SectionEntry(heading=heading, level=int(token.tag[1]), line=line)
                plan.sections.append(section)
            index += 3
            continue
        if kind == "bullet_list_open":
            list_depth += 1
        elif kind == "bullet_list_close":
            list_depth -= 1
        elif kind == "ordered_list_open":
            plan.problems.append(
                Problem(line_of(token), "Numbered lists are not claims: use “-” bullets.")
            )
            index = _skip_block(tokens, index, "ordered_list_close")
            continue
        elif kind == "list_item_open":
            line = line_of(token)
            claim = None
            parent = items[-1] if items else None
            if list_depth > 2:
                if parent is not None:
                    plan.problems.append(
                        Problem(
                            line,
                            "Bullets nest one level deep: this sub-bullet is nested deeper.",
                        )
                    )
            elif list_depth == 2:
                if parent is not None:
                    claim = ClaimEntry(kind=ClaimKind.BULLET, line=line)
                    parent.sub_claims.append(claim)
            elif place_in_section(line):
                claim = ClaimEntry(kind=ClaimKind.BULLET, line=line)
                section.claims.append(claim)
            items.append(claim)
        elif kind == "list_item_close":
            claim = items.pop()
            if claim is not None and claim.text is None:
                plan.problems.append(Problem(claim.line, "The bullet is empty: write its claim."))
                claim.text = ""
        elif kind == "paragraph_open":
            content = tokens[index + 1].content
            line = line_of(token)
            if items:
                claim = items[-1]
                if claim is not None and claim.text is None:
                    fill(claim, content)
                elif claim is not None:
                    plan.problems.append(
                        Problem(line, "A bullet holds one paragraph: start a new bullet instead.")
                    )
            elif place_in_section(line):
                claim = ClaimEntry(kind=ClaimKind.PARAGRAPH, line=line)
                section.claims.append(claim)
                fill(claim, content)
            index += 3
            continue
        elif kind in _BLOCK_NAMES:
            plan.problems.append(
                Problem(line_of(token), f"{_BLOCK_NAMES[kind]} is not part of the import format.")
            )
            if kind.endswith("_open"):
                index = _skip_block(tokens, index, kind.replace("_open", "_close"))
                continue
        index += 1

    if not any(True for _ in plan.claims()) and not plan.problems:
        plan.problems.append(Problem(offset + 1, "The file has no claims."))


def _skip_block(tokens, index: int, closing: str) -> int:
    level = tokens[index].level
    for position in range(index + 1, len(tokens)):
        if tokens[position].type == closing and tokens[position].level == level:
            return position + 1
    return len(tokens)


def _check_citations(plan: ArticlePlan, *, allow_missing_references: bool) -> None:
    cited: dict[int, list[int]] = {}
    for _, claim, _ in plan.claims():
        for number in claim.citations:
            lines = cited.setdefault(number, [])
            if claim.line not in lines:
                lines.append(claim.line)
    plan.missing_references = {
        number: lines for number, lines in cited.items() if number not in plan.references
    }
    if not allow_missing_references:
        for number, lines in sorted(plan.missing_references.items()):
            where = ", ".join(str(line) for line in lines)
            plan.problems.append(
                Problem(
                    lines[0],
                    f"Reference [{number}] is cited (line{'s' if len(lines) > 1 else ''} "
                    f"{where}) but not listed under references: add it, or import with "
                    "--allow-missing-references (in the admin: “Allow missing references”) to "
                    "create a placeholder that blocks approval.",
                )
            )
    for number, reference in plan.references.items():
        if number not in cited:
            plan.warnings.append(
                Problem(reference.line, f"Reference [{number}] is listed but never cited.")
            )
