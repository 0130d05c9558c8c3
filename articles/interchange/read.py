"""Read an article written in the import format (DESIGN §7) into a plan, writing nothing.

The format is Markdown with YAML front matter. Front matter gives ``title``, ``slug``, an
optional ``last_updated`` and ``references`` keyed by the file's own citation numbers. In the
body, ``##`` and ``###`` headings are sections, paragraphs are paragraph claims, ``-`` bullets
are claims and indented bullets their sub-claims; bracketed numbers ending a claim cite
references: ``[1]``, ``[1, 2]``, ``[2-4]``.

``read_article`` checks the whole file and reports every problem with its line number, so an
editor fixes a file in one pass. The import service writes a plan only when it has no problems.

Files come from outside (an upload, a path), so reading one is bounded: at most
``EDITORIAL_IMPORT_MAX_BYTES`` of UTF-8 and ``EDITORIAL_IMPORT_MAX_CLAIMS`` claims (and as many
sections and references); no control characters, which the database may refuse or editors cannot
see; and front matter in plain YAML, without the anchors, aliases, tags and deep nesting that let
a few hundred bytes grow into gigabytes. Whatever is wrong becomes a ``Problem`` with its line.
"""

import codecs
import datetime
import re
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import urlparse

import yaml
from django.conf import settings
from markdown_it import MarkdownIt

from ..choices import ClaimKind, ReferenceKind
from ..models import Reference
from .plan import (
    ArticleImportRefused,
    ArticlePlan,
    ClaimEntry,
    Problem,
    ReferenceEntry,
    SectionEntry,
)

FRONT_MATTER_FENCE = "---"
FIRST_YEAR = 1800
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_PATTERN = re.compile(r"^\d{1,8}$")
_CITATION_ITEM = r"\d+(?:\s*[-–]\s*\d+)?"
CITATION_LIST = re.compile(rf"\s*({_CITATION_ITEM}(?:\s*,\s*{_CITATION_ITEM})*)\s*")
MAX_RANGE = 50
MAX_REFERENCE_NUMBER = 9999
MAX_FRONT_MATTER_DEPTH = 10
MAX_CONTROL_CHARACTER_LINES = 10
MAX_PROBLEMS_LISTED = 100
# Budgets per claim the limit allows: Markdown tokens in the body (a claim or a section takes
# at most about ten) and YAML values in the front matter (a reference takes about twenty).
TOKENS_PER_CLAIM = 12
YAML_VALUES_PER_CLAIM = 25
KNOWN_FRONT_MATTER = ("title", "slug", "last_updated", "references")


def import_source_name(name: str) -> str:
    """The file's name as messages and the history's change reason show it.

    Only the last part of a path counts (browsers may send a whole Windows path), and
    characters that could hide or disguise the name (control characters, line separators,
    right-to-left overrides) become “?”. Long names are kept whole: the history keeps them.
    """
    name = re.split(r"[\\/]", name)[-1]
    name = "".join("?" if _hides_text(char) else char for char in name)
    return name.strip() or "the uploaded file"


def _hides_text(char: str) -> bool:
    """Control, format (such as right-to-left overrides) and line-separating characters."""
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("Zl", "Zp")


def read_import_file(file: BinaryIO, *, source_name: str) -> str:
    """Read an uploaded or local file for the import, never more than the size limit allows.

    At most ``EDITORIAL_IMPORT_MAX_BYTES`` + 1 bytes are read, so a huge file is refused
    without being held in memory; the text must be UTF-8. Raises ``ArticleImportRefused``.
    """
    max_bytes = settings.EDITORIAL_IMPORT_MAX_BYTES
    raw = file.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ArticleImportRefused(
            [_too_large_problem(max_bytes)], source_name=import_source_name(source_name)
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            problem = Problem(1, "The file is UTF-16 text, not UTF-8: save it as UTF-8.")
        else:
            problem = Problem(
                raw.count(b"\n", 0, exc.start) + 1,
                f"The file is not UTF-8 text. Save it as UTF-8 and import it again (byte "
                f"0x{raw[exc.start]:02X} on this line is not UTF-8).",
            )
        raise ArticleImportRefused([problem], source_name=import_source_name(source_name)) from None


def read_article(source_text: str, *, allow_missing_references: bool = False) -> ArticlePlan:
    """Parse and check a whole file; the plan's ``problems`` list everything that is wrong.

    A file over the size limit, or with control characters, is refused before it is parsed.
    """
    plan = ArticlePlan()
    max_bytes = settings.EDITORIAL_IMPORT_MAX_BYTES
    if _utf8_size_exceeds(source_text, max_bytes):
        plan.problems.append(_too_large_problem(max_bytes))
        return plan
    text = source_text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    plan.problems.extend(_control_character_problems(text))
    if plan.problems:
        return plan
    front_matter, front_offset, body, body_offset = _split_front_matter(text, plan)
    references_read = front_matter is not None and _read_front_matter(
        front_matter, front_offset, plan
    )
    if body is not None:
        _read_body(body, body_offset, plan)
    if references_read:
        _check_citations(plan, allow_missing_references=allow_missing_references)
    plan.problems = _listed(plan.problems, "problems")
    plan.warnings = _listed(plan.warnings, "warnings")
    return plan


def _listed(problems: list[Problem], what: str) -> list[Problem]:
    """Sorted by line, and at most the first hundred: a broken file would list thousands."""
    problems.sort(key=lambda problem: problem.line)
    if len(problems) <= MAX_PROBLEMS_LISTED:
        return problems
    rest = len(problems) - MAX_PROBLEMS_LISTED
    return [
        *problems[:MAX_PROBLEMS_LISTED],
        Problem(
            problems[MAX_PROBLEMS_LISTED].line,
            f"{rest} more {what} from this line on are not listed.",
        ),
    ]


def _utf8_size_exceeds(text: str, max_bytes: int) -> bool:
    """Whether the text is over ``max_bytes`` in UTF-8, encoding it only when that is unclear."""
    if len(text) > max_bytes:
        return True
    if len(text) * 4 <= max_bytes:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > max_bytes


def _too_large_problem(max_bytes: int) -> Problem:
    return Problem(
        1,
        f"The file is larger than {_size(max_bytes)}, the most an import reads "
        "(EDITORIAL_IMPORT_MAX_BYTES): split the article into smaller ones.",
    )


def _size(count: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"


# Control characters (tab and newline aside), Unicode line and paragraph separators (YAML
# starts a new line at them, so line numbers would be wrong) and lone surrogates (not text).
_UNWANTED_CHARACTER = re.compile(r"[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\U0010ffff]")


def _control_character_problems(text: str) -> list[Problem]:
    """One problem per line holding a character no article may hold (the first ten lines)."""
    problems: list[Problem] = []
    line, counted_to, last_line = 1, 0, 0
    extra_lines, first_extra_line = 0, 0
    for match in _UNWANTED_CHARACTER.finditer(text):
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        if line == last_line:
            continue
        last_line = line
        if len(problems) == MAX_CONTROL_CHARACTER_LINES:
            extra_lines += 1
            first_extra_line = first_extra_line or line
            continue
        char = match.group()
        category = unicodedata.category(char)
        if category == "Cs":
            what = "a lone surrogate, which is not text"
        elif category in ("Zl", "Zp"):
            what = "a Unicode line or paragraph separator"
        else:
            what = "a control character"
        problems.append(
            Problem(
                line,
                f"contains {what} (U+{ord(char):04X}): delete it (most editors do not show it).",
            )
        )
    if extra_lines:
        problems.append(
            Problem(
                first_extra_line,
                f"{extra_lines} more lines from this one on contain control characters: is the "
                "file text?",
            )
        )
    return problems


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


class _FrontMatterRefused(yaml.YAMLError):
    """Front matter the loader will not read any further, at a 0-based line of it."""

    def __init__(self, mark, message: str):
        super().__init__(message)
        self.line = mark.line
        self.message = message


class FrontMatterLoader(yaml.SafeLoader):
    """Plain YAML only: no anchors or aliases, no tags, no nesting deeper than ten levels.

    Aliases let a few hundred bytes stand for billions of values (“billion laughs”) and deep
    nesting exhausts Python's recursion, so both are refused while composing, before anything
    is expanded; tags (``!!binary``, ``!!set``…) make values no field takes. Composing stops
    after ``max_values`` values, so a long front matter costs bounded time and memory.

    Numbers are plain decimals: YAML 1.1 would read 0123 as octal 83 and 1:30 as 90 (taking
    quadratic time on a long run of “:”), which no editor means; such values stay text.
    """

    def __init__(self, stream, *, max_values: int):
        super().__init__(stream)
        self.depth = 0
        self.values_left = max_values

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            raise _FrontMatterRefused(
                event.start_mark,
                "YAML anchors and aliases (&name, *name) are not allowed in the front matter.",
            )
        if event.tag is not None:
            raise _FrontMatterRefused(
                event.start_mark,
                f"YAML tags such as “{_tag_as_written(event.tag)}” are not allowed in the "
                "front matter: write plain values (put text in quotes).",
            )
        if not self.values_left:
            raise _FrontMatterRefused(
                event.start_mark,
                "The front matter is too long for the references an import takes "
                "(EDITORIAL_IMPORT_MAX_CLAIMS): reading stopped at this line.",
            )
        self.values_left -= 1
        if self.depth == MAX_FRONT_MATTER_DEPTH:
            raise _FrontMatterRefused(
                event.start_mark,
                f"The front matter is nested more than {MAX_FRONT_MATTER_DEPTH} levels deep.",
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            value = str(node.value)
            value = value if len(value) <= 40 else value[:40] + "…"
            raise yaml.constructor.ConstructorError(
                None, None, f"“{value}” cannot be read ({exc})", node.start_mark
            ) from None


_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_YAML_INT = _YAML_TAG_PREFIX + "int"
_YAML_VALUE = _YAML_TAG_PREFIX + "value"


def _tag_as_written(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_YAML_INT, _YAML_VALUE)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FrontMatterLoader.add_implicit_resolver(
    _YAML_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)


def _load_front_matter(front_matter: str, offset: int, plan: ArticlePlan):
    """The front matter's (data, root node, read), and read is False after adding a problem."""
    max_values = YAML_VALUES_PER_CLAIM * settings.EDITORIAL_IMPORT_MAX_CLAIMS + 100
    loader = FrontMatterLoader(front_matter, max_values=max_values)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except _FrontMatterRefused as refused:
        plan.problems.append(Problem(offset + refused.line + 1, refused.message))
        return None, None, False
    except yaml.reader.ReaderError as exc:
        line = offset + front_matter.count("\n", 0, exc.position) + 1
        plan.problems.append(
            Problem(
                line,
                f"The front matter is not valid YAML: the character U+{exc.character:04X} is "
                "not allowed.",
            )
        )
        return None, None, False
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = offset + (mark.line + 1 if mark else 1)
        reason = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark:
            reason += f" ({context} opened on line {offset + context_mark.line + 1})"
        plan.problems.append(Problem(line, f"The front matter is not valid YAML: {reason}."))
        return None, None, False
    finally:
        loader.dispose()
    return data, root, True


def _key_lines(root, offset: int, plan: ArticlePlan) -> tuple[dict, dict]:
    """1-based lines of top-level keys, and of each reference's number and fields.

    Reads the composed node, never the data, so nothing is expanded. A key given twice is a
    problem: YAML would silently keep the last one.
    """
    top: dict = {}
    references: dict = {}

    def keys(mapping, where: str) -> Iterator[tuple[str, int, object]]:
        seen: dict = {}
        for key, value in mapping.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            line = offset + key.start_mark.line + 1
            if key.value in seen:
                plan.problems.append(
                    Problem(
                        line,
                        f"{where}“{key.value}” is given twice (first on line {seen[key.value]}): "
                        "keep one.",
                    )
                )
                continue
            seen[key.value] = line
            yield key.value, line, value

    if not isinstance(root, yaml.MappingNode):
        return top, references
    for name, line, value in keys(root, ""):
        top[name] = line
        if name == "references" and isinstance(value, yaml.MappingNode):
            for number, number_line, entry in keys(value, "The reference number "):
                fields = {}
                if isinstance(entry, yaml.MappingNode):
                    fields = {
                        field_name: field_line
                        for field_name, field_line, _ in keys(
                            entry, f"Reference [{number}]: the field "
                        )
                    }
                references[number] = (number_line, fields)
    return top, references


_KIND_OF_VALUE = (
    (bool, "true or false (YAML reads yes, no, on and off as true or false)"),
    ((int, float), "a number"),
    (datetime.datetime, "a date and time"),
    (datetime.date, "a date"),
    (list, "a list"),
    (dict, "a set of fields"),
)


def kind_of_value(value) -> str:
    """What YAML made of a value, in an editor's words."""
    for kinds, words in _KIND_OF_VALUE:
        if isinstance(value, kinds):
            return words
    return "text" if isinstance(value, str) else f"a {type(value).__name__}"


def _text_field(data: dict, name: str, line: int, plan: ArticlePlan, prefix: str) -> str | None:
    """The field as stripped text ("" when absent), or None after reporting another type."""
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        plan.problems.append(
            Problem(
                line,
                f"{prefix} must be text, not {kind_of_value(value)}: put it in quotes.",
            )
        )
        return None
    return value.strip()


def _read_front_matter(front_matter: str, offset: int, plan: ArticlePlan) -> bool:
    """Read the fields into ``plan``; False when the references could not be read at all."""
    data, root, read = _load_front_matter(front_matter, offset, plan)
    if not read:
        return False
    if not isinstance(data, dict):
        plan.problems.append(
            Problem(offset, "The front matter must be fields such as “title: …” and “slug: …”.")
        )
        return False
    lines, reference_lines = _key_lines(root, offset, plan)
    first_line = offset + 1

    title = _text_field(data, "title", lines.get("title", first_line), plan, "The title")
    if title == "":
        plan.problems.append(
            Problem(lines.get("title", first_line), "The title is empty: write the question.")
        )
    elif title is not None and len(title) > 300:
        plan.problems.append(
            Problem(lines.get("title", first_line), "The title is longer than 300 characters.")
        )
    plan.title = title or ""

    slug = _text_field(data, "slug", lines.get("slug", first_line), plan, "The slug")
    if slug == "":
        plan.problems.append(Problem(lines.get("slug", first_line), "The slug is missing."))
    elif slug is not None and (not SLUG_PATTERN.match(slug) or len(slug) > 200):
        plan.problems.append(
            Problem(
                lines.get("slug", first_line),
                f"The slug “{slug}” is not valid: use lower-case letters, digits and single "
                "hyphens, at most 200 characters.",
            )
        )
    plan.slug = slug or ""
    plan.slug_line = lines.get("slug", first_line)

    last_updated = data.get("last_updated")
    if isinstance(last_updated, datetime.datetime):
        last_updated = last_updated.date()
    this_year = datetime.date.today().year
    if last_updated is not None and not isinstance(last_updated, datetime.date):
        plan.problems.append(
            Problem(
                lines.get("last_updated", first_line),
                f"last_updated “{last_updated}” is not a date like 2025-12-11.",
            )
        )
        last_updated = None
    elif last_updated is not None and not FIRST_YEAR <= last_updated.year <= this_year:
        plan.problems.append(
            Problem(
                lines.get("last_updated", first_line),
                f"last_updated {last_updated} is outside {FIRST_YEAR}–{this_year}.",
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
    max_references = settings.EDITORIAL_IMPORT_MAX_CLAIMS
    if len(references) > max_references:
        plan.problems.append(
            Problem(
                lines.get("references", first_line),
                f"The file lists more than {max_references} references, the most an import "
                "takes (EDITORIAL_IMPORT_MAX_CLAIMS).",
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
    if number > MAX_REFERENCE_NUMBER:
        plan.problems.append(
            Problem(
                line,
                f"The reference number {number} is too large: number references from 1 to "
                f"{MAX_REFERENCE_NUMBER}.",
            )
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

    def text(name: str, *, numbers_too: bool = False) -> str:
        value = entry.get(name)
        if value is None:
            return ""
        if numbers_too and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            problem(name, f"the {name} must be text, not {kind_of_value(value)}.")
            return ""
        return value.strip()

    for name in entry:
        if name not in (*Reference.BIBLIOGRAPHIC_FIELDS, "complete"):
            known = ", ".join(Reference.BIBLIOGRAPHIC_FIELDS)
            problem(name, f"unknown field “{name}” (known: {known}).")

    kind = entry.get("kind", ReferenceKind.RESEARCH)
    if not isinstance(kind, str):
        problem("kind", f"the kind must be text, not {kind_of_value(kind)}.")
    elif kind not in ReferenceKind.values:
        problem(
            "kind",
            f"unknown kind “{kind}”; use one of {', '.join(ReferenceKind.values)}.",
        )
    else:
        reference.kind = kind

    reference.title = text("title")
    if not reference.title and isinstance(entry.get("title", ""), str | None):
        problem("title", "the title is empty.")

    authors = entry.get("authors")
    if isinstance(authors, list):
        if all(isinstance(author, str) for author in authors):
            reference.authors = ", ".join(author.strip() for author in authors)
        else:
            wrong = next(author for author in authors if not isinstance(author, str))
            problem("authors", f"each author must be text, not {kind_of_value(wrong)}.")
    elif authors is None or isinstance(authors, str):
        reference.authors = (authors or "").strip()
    else:
        problem(
            "authors", f"the authors must be text or a list of names, not {kind_of_value(authors)}."
        )
    reference.source = text("source")

    year = entry.get("year")
    this_year = datetime.date.today().year
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int):
            problem("year", f"the year “{year}” is not a number.")
        elif not FIRST_YEAR <= year <= this_year:
            problem("year", f"the year {year} is outside {FIRST_YEAR}–{this_year}.")
        else:
            reference.year = year

    doi = text("doi")
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    if doi and not DOI_PATTERN.match(doi):
        problem(
            "doi", f"the DOI “{doi}” is malformed; a DOI looks like 10.1016/j.jaad.2010.10.001."
        )
    reference.doi = doi

    # A PMID is digits, and YAML reads “pmid: 30675420” as a number: both are fine.
    pmid = text("pmid", numbers_too=True)
    if pmid and not PMID_PATTERN.match(pmid):
        problem("pmid", f"the PMID “{pmid}” is malformed; a PMID is up to 8 digits.")
    reference.pmid = pmid

    url = text("url")
    if url:
        try:
            parsed = urlparse(url)
        except ValueError:  # such as an unclosed “[” of an IPv6 address
            parsed = None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
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
    """Split trailing citation brackets off a claim: (text, numbers, problems).

    It walks back from the end one bracket at a time, so a claim costs time in proportion to
    its length (a regular expression searched from every position took minutes on long ones).
    """
    citation_lists: list[str] = []
    claim_end = len(text)
    while True:
        closing = claim_end
        while closing and text[closing - 1].isspace():
            closing -= 1
        if not closing or text[closing - 1] != "]":
            break
        opening = text.rfind("[", 0, closing - 1)
        match = opening >= 0 and CITATION_LIST.fullmatch(text, opening + 1, closing - 1)
        if not match:
            break
        citation_lists.append(match.group(1))
        claim_end = opening
    numbers: dict[int, None] = {}
    problems: list[str] = []
    for citation_list in reversed(citation_lists):
        for item in citation_list.split(","):
            item = item.strip()
            shown = item if len(item) <= 20 else item[:20] + "…"
            bounds = [
                int(bound) if len(bound.strip()) <= 9 else MAX_REFERENCE_NUMBER + 1
                for bound in re.split(r"[-–]", item)
            ]
            start, end = bounds[0], bounds[-1]
            if end < start:
                problems.append(f"The citation range [{shown}] runs backwards.")
            elif start < 1 or end > MAX_REFERENCE_NUMBER:
                problems.append(
                    f"The citation [{shown}] is not a reference number: number references from "
                    f"1 to {MAX_REFERENCE_NUMBER}."
                )
            elif end - start > MAX_RANGE:
                problems.append(f"The citation range [{shown}] is too long.")
            else:
                numbers.update(dict.fromkeys(range(start, end + 1)))
    return text[:claim_end].strip(), list(numbers), problems


_BLOCK_NAMES = {
    "fence": "A code block",
    "code_block": "A code block",
    "blockquote_open": "A block quote",
    "hr": "A horizontal rule",
    "html_block": "HTML",
    "table_open": "A table",
}


def _read_body(body: str, offset: int, plan: ArticlePlan) -> None:
    """Read sections and claims from the Markdown blocks; stop past the claim limit."""
    max_claims = settings.EDITORIAL_IMPORT_MAX_CLAIMS
    try:
        tokens = _markdown_blocks(body, max_tokens=TOKENS_PER_CLAIM * max_claims + 100)
        stopped_at = None
    except _BodyTooLong as too_long:
        tokens, stopped_at = too_long.tokens, offset + too_long.line + 1
    claims_read = 0
    section: SectionEntry | None = None
    list_depth = 0
    items: list[ClaimEntry | None] = []
    reported_outside = False
    limit_reported = False
    index = 0

    def over_limit(line: int, count: int, what: str) -> bool:
        nonlocal limit_reported
        if count <= max_claims:
            return False
        limit_reported = True
        plan.problems.append(
            Problem(
                line,
                f"The article has more than {max_claims} {what}, the most an import takes "
                "(EDITORIAL_IMPORT_MAX_CLAIMS): split it into several articles.",
            )
        )
        return True

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
            if items:
                plan.problems.append(
                    Problem(
                        line,
                        f"“{token.markup} {heading}” is inside a bullet: start a section's "
                        "heading at the beginning of its line.",
                    )
                )
            elif token.tag not in ("h2", "h3"):
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
                if over_limit(line, len(plan.sections), "sections"):
                    break
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
            if claim is not None:
                claims_read += 1
                if over_limit(line, claims_read, "claims"):
                    break
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
                claims_read += 1
                if over_limit(line, claims_read, "claims"):
                    break
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

    if stopped_at is not None and not limit_reported:
        plan.problems.append(
            Problem(
                stopped_at,
                f"The file is too long for the {max_claims} claims an import takes "
                "(EDITORIAL_IMPORT_MAX_CLAIMS): reading stopped at this line.",
            )
        )
    if not any(True for _ in plan.claims()) and not plan.problems:
        plan.problems.append(Problem(offset + 1, "The file has no claims."))


class _BodyTooLong(Exception):
    def __init__(self, line: int, tokens: list):
        super().__init__(line)
        self.line = line
        self.tokens = tokens


def _markdown_blocks(body: str, *, max_tokens: int) -> list:
    """The body's Markdown blocks; raises ``_BodyTooLong`` after ``max_tokens`` tokens.

    Only block structure matters (a claim's text is kept as written), so inline Markdown is
    never parsed: on long runs of “[” or “*” that alone took minutes. Each token costs a few
    hundred bytes, so parsing stops at the budget instead of holding half a million of them.
    Link reference definitions (“[1]: …”) are read as paragraphs, not silently dropped.
    """
    markdown = MarkdownIt("commonmark").disable(["inline", "text_join", "reference"])

    def stop_past_budget(state, start_line: int, end_line: int, silent: bool) -> bool:
        if len(state.tokens) > max_tokens:
            raise _BodyTooLong(start_line, state.tokens)
        return False

    markdown.block.ruler.before("table", "stop_past_budget", stop_past_budget)
    return markdown.parse(body)


def _skip_block(tokens, index: int, closing: str) -> int:
    level = tokens[index].level
    for position in range(index + 1, len(tokens)):
        if tokens[position].type == closing and tokens[position].level == level:
            return position + 1
    return len(tokens)


def _check_citations(plan: ArticlePlan, *, allow_missing_references: bool) -> None:
    cited: dict[int, dict[int, None]] = {}
    for _, claim, _ in plan.claims():
        for number in claim.citations:
            cited.setdefault(number, {})[claim.line] = None
    plan.missing_references = {
        number: list(lines) for number, lines in cited.items() if number not in plan.references
    }
    max_references = settings.EDITORIAL_IMPORT_MAX_CLAIMS
    if allow_missing_references and (
        len(plan.references) + len(plan.missing_references) > max_references
    ):
        plan.problems.append(
            Problem(
                min(min(lines) for lines in plan.missing_references.values()),
                f"The file cites more than {max_references} references, the most an import "
                "takes (EDITORIAL_IMPORT_MAX_CLAIMS).",
            )
        )
    if not allow_missing_references:
        for number, lines in sorted(plan.missing_references.items()):
            where = ", ".join(str(line) for line in lines[:10])
            if len(lines) > 10:
                where += f" and {len(lines) - 10} more"
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
