"""Read the YAML front matter of an import file (docs/interchange.md): the article's fields and
references.

Front matter gives ``title``, ``slug``, an optional ``last_updated`` and ``references`` keyed by
the file's own citation numbers, each with bibliographic fields (kind, title, authors, source,
year, doi, pmid, url) and ``complete: false`` for a placeholder.

The front matter comes from outside, so it is read as plain YAML only (``FrontMatterLoader``):
no anchors, aliases, tags or deep nesting, which let a few hundred bytes grow into gigabytes,
and at most as many values as the references an import takes. Every problem is reported at the
line of the key it concerns, found in the composed YAML nodes.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import urlparse

import yaml
from django.conf import settings
from django.core.validators import URLValidator

from ..choices import ReferenceKind
from ..models import Article, Reference
from .plan import MAX_REFERENCE_NUMBER, ArticlePlan, Problem, ReferenceEntry

FRONT_MATTER_FENCE = "---"
FIRST_YEAR = 1800
MAX_TITLE_LENGTH = Article._meta.get_field("title").max_length
MAX_SLUG_LENGTH = Article._meta.get_field("slug").max_length
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_PATTERN = re.compile(r"^\d{1,8}$")
MAX_FRONT_MATTER_DEPTH = 10
# YAML values the claim limit allows (it also limits references): a reference takes about twenty.
YAML_VALUES_PER_CLAIM = 25
# The schemes the admin's URL field accepts (Django's URLValidator).
URL_SCHEMES = tuple(URLValidator.schemes)
KNOWN_FRONT_MATTER = ("title", "slug", "last_updated", "references")


def split_front_matter(text: str, plan: ArticlePlan):
    """Return (front matter, its first line's offset, body, body's offset); offsets are 0-based.

    The front matter is None when it is missing or never closed, and so is the body when
    the front matter is never closed (there is no telling where the body would begin).
    """
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
        refusal = self.refusal(event)
        if refusal:
            raise _FrontMatterRefused(event.start_mark, refusal)
        self.values_left -= 1
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def refusal(self, event) -> str | None:
        """Why the value starting at ``event`` is not read, or None to read it."""
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            return "YAML anchors and aliases (&name, *name) are not allowed in the front matter."
        if event.tag is not None:
            return (
                f"YAML tags such as “{_tag_as_written(event.tag)}” are not allowed in the "
                "front matter: write plain values (put text in quotes)."
            )
        if not self.values_left:
            return (
                "The front matter is too long for the references an import takes "
                "(EDITORIAL_IMPORT_MAX_CLAIMS): reading stopped at this line."
            )
        if self.depth == MAX_FRONT_MATTER_DEPTH:
            return f"The front matter is nested more than {MAX_FRONT_MATTER_DEPTH} levels deep."
        return None

    def compose_scalar_node(self, anchor):
        """A value whose YAML escapes (``\\0``, ``\\x00``, ``\\u0000``, ``\\ud800``) make a
        character no database column can store is refused with its line. Other control
        characters are how the export writes what the admin accepted (docs/interchange.md), so
        an escape may carry them, while the raw character stays refused."""
        node = super().compose_scalar_node(anchor)
        found = _unstorable_character_in(node.value)
        if found:
            raise _FrontMatterRefused(
                node.start_mark,
                f"contains {found}, written as a YAML escape: delete it.",
            )
        return node

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


def _unstorable_character_in(text: str) -> str | None:
    """NUL (PostgreSQL cannot store it) or a lone surrogate (not text), named with its code."""
    for char in text:
        if char == "\0":
            return "a NUL character (U+0000)"
        if unicodedata.category(char) == "Cs":
            return f"a lone surrogate, which is not text (U+{ord(char):04X})"
    return None


def _tag_as_written(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (_YAML_INT, _YAML_VALUE)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FrontMatterLoader.add_implicit_resolver(
    _YAML_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)


def read_front_matter(front_matter: str, offset: int, plan: ArticlePlan) -> bool:
    """Read the fields into ``plan``; False when the references could not be read at all.

    The citations are checked against the references only when they could be read: otherwise
    every citation would be reported missing.
    """
    data, root, read = _load_front_matter(front_matter, offset, plan)
    if not read:
        return False
    if not isinstance(data, dict):
        plan.problems.append(
            Problem(offset, "The front matter must be fields such as “title: …” and “slug: …”.")
        )
        return False
    lines, reference_lines = _key_lines(root, offset, plan)
    fields = _FrontMatterFields(data, lines, first_line=offset + 1, plan=plan)
    plan.title = _read_title(fields)
    plan.slug = _read_slug(fields)
    plan.slug_line = fields.line("slug")
    plan.last_updated = _read_last_updated(fields)
    for name in data:
        if name not in KNOWN_FRONT_MATTER:
            plan.warnings.append(Problem(fields.line(name), f"The field “{name}” is ignored."))
    return _read_references(fields, reference_lines)


def _load_front_matter(front_matter: str, offset: int, plan: ArticlePlan):
    """The front matter's (data, root node, read), and read is False after adding a problem."""
    max_values = YAML_VALUES_PER_CLAIM * settings.EDITORIAL_IMPORT_MAX_CLAIMS + 100
    loader = FrontMatterLoader(front_matter, max_values=max_values)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        plan.problems.append(_unreadable_problem(exc, front_matter, offset))
        return None, None, False
    finally:
        loader.dispose()
    return data, root, True


def _unreadable_problem(exc: yaml.YAMLError, front_matter: str, offset: int) -> Problem:
    """Why the front matter could not be read, at the line of the file where reading stopped."""
    if isinstance(exc, _FrontMatterRefused):
        return Problem(offset + exc.line + 1, exc.message)
    if isinstance(exc, yaml.reader.ReaderError):
        return Problem(
            offset + front_matter.count("\n", 0, exc.position) + 1,
            f"The front matter is not valid YAML: the character U+{exc.character:04X} is "
            "not allowed.",
        )
    mark = getattr(exc, "problem_mark", None)
    line = offset + (mark.line + 1 if mark else 1)
    reason = getattr(exc, "problem", None) or str(exc)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark:
        reason += f" ({context} opened on line {offset + context_mark.line + 1})"
    return Problem(line, f"The front matter is not valid YAML: {reason}.")


def _key_lines(root, offset: int, plan: ArticlePlan) -> tuple[dict, dict]:
    """1-based lines of top-level keys, and of each reference's number and fields.

    Reads the composed node, never the data, so nothing is expanded. A key given twice is a
    problem: YAML would silently keep the last one.
    """
    top: dict = {}
    references: dict = {}
    if not isinstance(root, yaml.MappingNode):
        return top, references
    for name, line, value in _keys(root, "", offset, plan):
        top[name] = line
        if name == "references" and isinstance(value, yaml.MappingNode):
            references = _reference_key_lines(value, offset, plan)
    return top, references


def _reference_key_lines(mapping, offset: int, plan: ArticlePlan) -> dict:
    """Each reference number's (line, {field: line}), from the ``references`` node."""
    references = {}
    for number, line, entry in _keys(mapping, "The reference number ", offset, plan):
        fields = {}
        if isinstance(entry, yaml.MappingNode):
            where = f"Reference [{number}]: the field "
            fields = {name: field_line for name, field_line, _ in _keys(entry, where, offset, plan)}
        references[number] = (line, fields)
    return references


def _keys(mapping, where: str, offset: int, plan: ArticlePlan) -> Iterator[tuple[str, int, object]]:
    """A mapping node's (key, 1-based line, value node), reporting keys given twice."""
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


class _FrontMatterFields:
    """The front matter's values, with the line of each key (the first line for a key not given,
    such as a missing slug)."""

    def __init__(self, data: dict, lines: dict, *, first_line: int, plan: ArticlePlan):
        self.data = data
        self.lines = lines
        self.first_line = first_line
        self.plan = plan

    def line(self, name) -> int:
        return self.lines.get(name, self.first_line)

    def problem(self, name: str, message: str) -> None:
        self.plan.problems.append(Problem(self.line(name), message))

    def text(self, name: str, what: str) -> str | None:
        """The field as stripped text ("" when absent), or None after reporting another type."""
        value = self.data.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(
                name, f"{what} must be text, not {kind_of_value(value)}: put it in quotes."
            )
            return None
        return value.strip()


def _read_title(fields: _FrontMatterFields) -> str:
    """The article's question: required."""
    title = fields.text("title", "The title")
    if title == "":
        fields.problem("title", "The title is empty: write the question.")
    elif title is not None and len(title) > MAX_TITLE_LENGTH:
        fields.problem("title", f"The title is longer than {MAX_TITLE_LENGTH} characters.")
    return title or ""


def _read_slug(fields: _FrontMatterFields) -> str:
    """The article's address, also how an update finds the article: required."""
    slug = fields.text("slug", "The slug")
    if slug == "":
        fields.problem("slug", "The slug is missing.")
    elif slug is not None and (not SLUG_PATTERN.match(slug) or len(slug) > MAX_SLUG_LENGTH):
        fields.problem(
            "slug",
            f"The slug “{slug}” is not valid: use lower-case letters, digits and single "
            f"hyphens, at most {MAX_SLUG_LENGTH} characters.",
        )
    return slug or ""


def _read_last_updated(fields: _FrontMatterFields) -> datetime.date | None:
    """An optional date (of a date and time, its date) from 1800 to this year."""
    last_updated = fields.data.get("last_updated")
    if isinstance(last_updated, datetime.datetime):
        last_updated = last_updated.date()
    this_year = datetime.date.today().year
    if last_updated is None:
        return None
    if not isinstance(last_updated, datetime.date):
        fields.problem(
            "last_updated", f"last_updated “{last_updated}” is not a date like 2025-12-11."
        )
        return None
    if not FIRST_YEAR <= last_updated.year <= this_year:
        fields.problem(
            "last_updated", f"last_updated {last_updated} is outside {FIRST_YEAR}–{this_year}."
        )
        return None
    return last_updated


def _read_references(fields: _FrontMatterFields, reference_lines: dict) -> bool:
    """Read each reference into ``plan.references``; False when the list itself is unusable."""
    references = fields.data.get("references") or {}
    if not isinstance(references, dict):
        fields.problem(
            "references", "references must list each reference under its citation number."
        )
        return False
    max_references = settings.EDITORIAL_IMPORT_MAX_CLAIMS
    if len(references) > max_references:
        fields.problem(
            "references",
            f"The file lists more than {max_references} references, the most an import "
            "takes (EDITORIAL_IMPORT_MAX_CLAIMS).",
        )
        return False
    for number, entry in references.items():
        line, field_lines = reference_lines.get(str(number), (fields.first_line, {}))
        refusal = _reference_refusal(number, entry)
        if refusal:
            fields.plan.problems.append(Problem(line, refusal))
        else:
            reader = _ReferenceReader(number, entry, line, field_lines, fields.plan)
            fields.plan.references[number] = reader.read()
    return True


def _reference_refusal(number, entry) -> str | None:
    """Why a reference cannot be read at all (its number or its shape), or None."""
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        return f"“{number}” is not a citation number: number references 1, 2, 3…"
    if number > MAX_REFERENCE_NUMBER:
        return (
            f"The reference number {number} is too large: number references from 1 to "
            f"{MAX_REFERENCE_NUMBER}."
        )
    if not isinstance(entry, dict):
        return f"Reference [{number}] must have fields such as kind, title, source."
    return None


class _ReferenceReader:
    """Reads one reference's fields, one method per field, each problem at its field's line.

    A field that cannot be read keeps its default and is reported; the others are still read,
    so an editor sees every problem of a reference at once.
    """

    def __init__(self, number: int, entry: dict, line: int, field_lines: dict, plan: ArticlePlan):
        self.entry = entry
        self.field_lines = field_lines
        self.plan = plan
        self.reference = ReferenceEntry(number=number, line=line)

    def read(self) -> ReferenceEntry:
        self.check_field_names()
        self.read_kind()
        self.read_title()
        self.read_authors()
        self.reference.source = self.text("source")
        self.read_year()
        self.read_doi()
        self.read_pmid()
        self.read_url()
        self.check_lengths()
        self.read_complete()
        return self.reference

    def problem(self, name: str, message: str) -> None:
        line = self.field_lines.get(name, self.reference.line)
        self.plan.problems.append(Problem(line, f"Reference [{self.reference.number}]: {message}"))

    def text(self, name: str, *, numbers_too: bool = False) -> str:
        """The field as stripped text, "" when absent or (reported) not text."""
        value = self.entry.get(name)
        if value is None:
            return ""
        if numbers_too and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.problem(name, f"the {name} must be text, not {kind_of_value(value)}.")
            return ""
        return value.strip()

    def check_field_names(self) -> None:
        """A misspelt field (“tilte”) would otherwise be lost without a word."""
        for name in self.entry:
            if name not in (*Reference.BIBLIOGRAPHIC_FIELDS, "complete"):
                known = ", ".join(Reference.BIBLIOGRAPHIC_FIELDS)
                self.problem(name, f"unknown field “{name}” (known: {known}).")

    def read_kind(self) -> None:
        """Research unless the file says guideline, review or other."""
        kind = self.entry.get("kind", ReferenceKind.RESEARCH)
        if not isinstance(kind, str):
            self.problem("kind", f"the kind must be text, not {kind_of_value(kind)}.")
        elif kind not in ReferenceKind.values:
            self.problem(
                "kind",
                f"unknown kind “{kind}”; use one of {', '.join(ReferenceKind.values)}.",
            )
        else:
            self.reference.kind = kind

    def read_title(self) -> None:
        """Required: the title is how readers and editors tell references apart."""
        self.reference.title = self.text("title")
        if not self.reference.title and isinstance(self.entry.get("title", ""), str | None):
            self.problem("title", "the title is empty.")

    def read_authors(self) -> None:
        """Text as written, or a list of names joined with commas."""
        authors = self.entry.get("authors")
        if isinstance(authors, list):
            wrong = [author for author in authors if not isinstance(author, str)]
            if wrong:
                self.problem("authors", f"each author must be text, not {kind_of_value(wrong[0])}.")
            else:
                self.reference.authors = ", ".join(author.strip() for author in authors)
        elif authors is None or isinstance(authors, str):
            self.reference.authors = (authors or "").strip()
        else:
            self.problem(
                "authors",
                f"the authors must be text or a list of names, not {kind_of_value(authors)}.",
            )

    def read_year(self) -> None:
        """From 1800 to this year: anything else is a typo."""
        year = self.entry.get("year")
        this_year = datetime.date.today().year
        if year is None:
            return
        if isinstance(year, bool) or not isinstance(year, int):
            self.problem("year", f"the year “{year}” is not a number.")
        elif not FIRST_YEAR <= year <= this_year:
            self.problem("year", f"the year {year} is outside {FIRST_YEAR}–{this_year}.")
        else:
            self.reference.year = year

    def read_doi(self) -> None:
        """The bare DOI, without a doi.org address or “doi:”: references are matched by it."""
        doi = self.text("doi")
        doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
        if doi and not DOI_PATTERN.match(doi):
            self.problem(
                "doi",
                f"the DOI “{doi}” is malformed; a DOI looks like 10.1016/j.jaad.2010.10.001.",
            )
        self.reference.doi = doi

    def read_pmid(self) -> None:
        """A PMID is digits, and YAML reads “pmid: 30675420” as a number: both are fine."""
        pmid = self.text("pmid", numbers_too=True)
        if pmid and not PMID_PATTERN.match(pmid):
            self.problem("pmid", f"the PMID “{pmid}” is malformed; a PMID is up to 8 digits.")
        self.reference.pmid = pmid

    def read_url(self) -> None:
        """An address of a scheme the admin's URL field takes (http, https, ftp, ftps): readers
        follow the link, and a reference written in the admin exports and imports again."""
        url = self.text("url")
        if url:
            try:
                parsed = urlparse(url)
            except ValueError:  # such as an unclosed “[” of an IPv6 address
                parsed = None
            if parsed is None or parsed.scheme.lower() not in URL_SCHEMES or not parsed.netloc:
                schemes = ", ".join(URL_SCHEMES[:-1]) + " or " + URL_SCHEMES[-1]
                self.problem("url", f"the URL “{url}” is not a link starting {schemes}://.")
        self.reference.url = url

    def check_lengths(self) -> None:
        """Text longer than the database keeps would fail the import half-way."""
        for name in ("title", "authors", "source", "doi", "pmid", "url"):
            limit = Reference._meta.get_field(name).max_length
            if len(getattr(self.reference, name)) > limit:
                self.problem(name, f"the {name} is longer than {limit} characters.")

    def read_complete(self) -> None:
        """``complete: false`` marks a placeholder, which blocks approval until completed."""
        complete = self.entry.get("complete", True)
        if not isinstance(complete, bool):
            self.problem("complete", "complete is true or false.")
        else:
            self.reference.is_complete = complete
