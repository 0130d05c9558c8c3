"""Read an article written in the import format (docs/interchange.md) into a plan, writing nothing.

The format is Markdown with YAML front matter: ``front_matter`` reads the article's fields and
its references, ``body`` its sections and claims. This module holds what concerns the whole
file: ``read_import_file`` takes an upload or a local file, ``read_article`` checks it and
``import_source_name`` names it in messages.

``read_article`` checks the whole file and reports every problem with its line number, so an
editor fixes a file in one pass; then it checks that every citation has its reference. The
import service writes a plan only when it has no problems.

Files come from outside (an upload, a path), so reading one is bounded: at most
``EDITORIAL_IMPORT_MAX_BYTES`` of UTF-8 and ``EDITORIAL_IMPORT_MAX_CLAIMS`` claims (and as many
sections and references); no control characters, which the database may refuse or editors cannot
see; and front matter in plain YAML, without the anchors, aliases, tags and deep nesting that let
a few hundred bytes grow into gigabytes. Whatever is wrong becomes a ``Problem`` with its line.
"""

import codecs
import re
import unicodedata
from typing import BinaryIO

from django.conf import settings

from .body import BodyReader, split_citations
from .front_matter import read_front_matter, split_front_matter
from .plan import ArticleImportRefused, ArticlePlan, Problem

__all__ = ["import_source_name", "read_article", "read_import_file", "split_citations"]

MAX_CONTROL_CHARACTER_LINES = 10
MAX_PROBLEMS_LISTED = 100
MAX_LINES_LISTED = 10


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
    front_matter, front_offset, body, body_offset = split_front_matter(text, plan)
    references_read = front_matter is not None and read_front_matter(
        front_matter, front_offset, plan
    )
    if body is not None:
        BodyReader(plan, offset=body_offset).read(body)
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
        problems.append(
            Problem(
                line,
                f"contains {_unwanted_character(char)} (U+{ord(char):04X}): delete it (most "
                "editors do not show it).",
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


def _unwanted_character(char: str) -> str:
    """What an unwanted character is, in an editor's words."""
    category = unicodedata.category(char)
    if category == "Cs":
        return "a lone surrogate, which is not text"
    if category in ("Zl", "Zp"):
        return "a Unicode line or paragraph separator"
    return "a control character"


def _check_citations(plan: ArticlePlan, *, allow_missing_references: bool) -> None:
    """Every cited number needs its reference, unless placeholders are allowed for them.

    Records the missing numbers (the import creates their placeholders) and warns about
    references listed but never cited.
    """
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
            plan.problems.append(_missing_reference_problem(number, lines))
    for number, reference in plan.references.items():
        if number not in cited:
            plan.warnings.append(
                Problem(reference.line, f"Reference [{number}] is listed but never cited.")
            )


def _missing_reference_problem(number: int, lines: list[int]) -> Problem:
    """A reference cited but not listed, with the lines citing it (the first ten)."""
    where = ", ".join(str(line) for line in lines[:MAX_LINES_LISTED])
    if len(lines) > MAX_LINES_LISTED:
        where += f" and {len(lines) - MAX_LINES_LISTED} more"
    return Problem(
        lines[0],
        f"Reference [{number}] is cited (line{'s' if len(lines) > 1 else ''} "
        f"{where}) but not listed under references: add it, or import with "
        "--allow-missing-references (in the admin: “Allow missing references”) to "
        "create a placeholder that blocks approval.",
    )
