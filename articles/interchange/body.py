"""Read the Markdown body of an import file (docs/interchange.md) into sections and claims.

``##`` and ``###`` headings open sections; under them a paragraph is a paragraph claim, a ``-``
bullet is a claim and a bullet nested in it a sub-claim (one level only). Bracketed numbers
ending a claim cite references: ``[1]``, ``[1, 2]``, ``[2-4]``. A quote right after a claim's
text gives its wordings for the other reading levels, one a line (``> patient: …``). Anything
else Markdown offers (numbered lists, code, other quotes, tables, HTML, other headings) is a
problem at its line. Texts are escaped as ``escaping`` says.

Reading is bounded: the body is parsed into at most a budget of Markdown blocks, and reading
stops at the first section or claim past ``EDITORIAL_IMPORT_MAX_CLAIMS``.
"""

import re

from django.conf import settings
from markdown_it import MarkdownIt

from ..choices import ClaimKind, ReadingLevel
from ..models import Section
from .escaping import is_escaped, read_inline
from .plan import MAX_REFERENCE_NUMBER, ArticlePlan, ClaimEntry, Problem, SectionEntry

_CITATION_ITEM = r"\d+(?:\s*[-–]\s*\d+)?"
CITATION_LIST = re.compile(rf"\s*({_CITATION_ITEM}(?:\s*,\s*{_CITATION_ITEM})*)\s*")
MAX_RANGE = 50
MAX_HEADING_LENGTH = Section._meta.get_field("heading").max_length
# Markdown tokens the claim limit allows: a claim or a section takes at most about ten.
TOKENS_PER_CLAIM = 12

# The reading levels a quote after a claim gives: the claim's own text is the clinician's.
OTHER_READING_LEVELS = [level for level in ReadingLevel.values if level != ReadingLevel.CLINICIAN]
_READING_LEVEL_LINE = re.compile(r"([^:\s]*)\s*:\s?(.*)")

# Markdown blocks that are not part of the format, as an editor would name them.
_BLOCK_NAMES = {
    "fence": "A code block",
    "code_block": "A code block",
    "blockquote_open": "A block quote",
    "hr": "A horizontal rule",
    "html_block": "HTML",
    "table_open": "A table",
}


def split_citations(text: str) -> tuple[str, list[int], list[str]]:
    """Split trailing citation brackets off a claim: (text, numbers, problems).

    Numbers come in the order the claim cites them, each once; a bracket that is not a
    citation (such as “[see below]”) stays part of the claim's text.
    """
    claim_end, citation_lists = _trailing_citation_lists(text)
    numbers: dict[int, None] = {}
    problems: list[str] = []
    for citation_list in citation_lists:
        for item in citation_list.split(","):
            cited, problem = _cited_range(item.strip())
            if problem:
                problems.append(problem)
            else:
                numbers.update(dict.fromkeys(cited))
    return read_inline(text[:claim_end]), list(numbers), problems


def citation_like_bracket(text: str) -> int | None:
    """Where the last bracket of a text opens if it would read as a citation, else None.

    The export escapes that “[” (“\\[2]”), so a wording ending in “[2]” stays text.
    """
    claim_end, _ = _trailing_citation_lists(text, escapes=False)
    if claim_end == len(text):
        return None
    return text.rindex("[")


def _trailing_citation_lists(text: str, *, escapes: bool = True) -> tuple[int, list[str]]:
    """Where the claim's text ends, and the citation brackets after it in reading order.

    It walks back from the end one bracket at a time, so a claim costs time in proportion to
    its length (a regular expression searched from every position took minutes on long ones).
    A bracket opened by an escaped “\\[” is text, and so is everything before it.
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
        if not match or (escapes and is_escaped(text, opening)):
            break
        citation_lists.append(match.group(1))
        claim_end = opening
    return claim_end, citation_lists[::-1]


def _cited_range(item: str) -> tuple[range, str | None]:
    """The reference numbers one citation (“3” or “2-4”) stands for, or a problem with it."""
    shown = item if len(item) <= 20 else item[:20] + "…"
    bounds = [
        int(bound) if len(bound.strip()) <= 9 else MAX_REFERENCE_NUMBER + 1
        for bound in re.split(r"[-–]", item)
    ]
    start, end = bounds[0], bounds[-1]
    if end < start:
        return range(0), f"The citation range [{shown}] runs backwards."
    if start < 1 or end > MAX_REFERENCE_NUMBER:
        return range(0), (
            f"The citation [{shown}] is not a reference number: number references from "
            f"1 to {MAX_REFERENCE_NUMBER}."
        )
    if end - start > MAX_RANGE:
        return range(0), f"The citation range [{shown}] is too long."
    return range(start, end + 1), None


class BodyReader:
    """Reads the body's Markdown blocks into ``plan.sections``, one method per kind of block.

    Each block method (``read_heading``, ``open_bullet``…) takes the index of the block's
    opening token and returns the index of the next token to read. Open bullets are a stack:
    a bullet's claim (or None where the bullet cannot be a claim, already reported) stays on
    it until the bullet closes, so its paragraph and its sub-bullets know where they belong.
    """

    def __init__(self, plan: ArticlePlan, *, offset: int):
        self.plan = plan
        self.offset = offset
        self.max_claims = settings.EDITORIAL_IMPORT_MAX_CLAIMS
        self.tokens: list = []
        self.section: SectionEntry | None = None
        self.list_depth = 0
        self.open_bullets: list[ClaimEntry | None] = []
        self.claims_read = 0
        self.outside_reported = False
        self.limit_reported = False
        # The claim whose paragraph ended at this token index: a quote there is its levels.
        self.levels_at: tuple[int, ClaimEntry] | None = None
        self.token_readers = {
            "heading_open": self.read_heading,
            "bullet_list_open": self.enter_bullet_list,
            "bullet_list_close": self.leave_bullet_list,
            "ordered_list_open": self.refuse_numbered_list,
            "list_item_open": self.open_bullet,
            "list_item_close": self.close_bullet,
            "paragraph_open": self.read_paragraph,
            **dict.fromkeys(_BLOCK_NAMES, self.refuse_block),
            "blockquote_open": self.read_reading_levels,
        }

    def read(self, body: str) -> None:
        """Read every block up to the claim limit; a file without claims is a problem."""
        stopped_at = self.parse(body)
        index = 0
        while index < len(self.tokens) and not self.limit_reported:
            read_token = self.token_readers.get(self.tokens[index].type, self.skip_token)
            index = read_token(index)
        if stopped_at is not None and not self.limit_reported:
            self.problem(
                stopped_at,
                f"The file is too long for the {self.max_claims} claims an import takes "
                "(EDITORIAL_IMPORT_MAX_CLAIMS): reading stopped at this line.",
            )
        if not any(True for _ in self.plan.claims()) and not self.plan.problems:
            self.problem(self.offset + 1, "The file has no claims.")

    def parse(self, body: str) -> int | None:
        """Parse the body into ``tokens``; the line where parsing stopped, if it had to."""
        try:
            self.tokens = _markdown_blocks(
                body, max_tokens=TOKENS_PER_CLAIM * self.max_claims + 100
            )
        except _BodyTooLong as too_long:
            self.tokens = too_long.tokens
            return self.offset + too_long.line + 1
        return None

    def read_heading(self, index: int) -> int:
        """A ``##`` or ``###`` heading opens a section; any other heading is a problem."""
        token = self.tokens[index]
        line = self.line_of(token)
        heading = read_inline(self.tokens[index + 1].content)
        if self.open_bullets:
            self.problem(
                line,
                f"“{token.markup} {heading}” is inside a bullet: start a section's "
                "heading at the beginning of its line.",
            )
        elif token.tag not in ("h2", "h3"):
            self.outside_reported = True  # the claims under it would repeat this problem
            self.problem(
                line,
                f"“{token.markup} {heading}” is not a section: use “##” for sections and "
                "“###” for subsections (the title goes in the front matter).",
            )
        elif not heading:
            self.problem(line, "The section heading is empty.")
        elif len(heading) > MAX_HEADING_LENGTH:
            self.problem(line, f"The section heading is over {MAX_HEADING_LENGTH} characters.")
        else:
            self.section = SectionEntry(heading=heading, level=int(token.tag[1]), line=line)
            self.plan.sections.append(self.section)
            self.check_limit(line, len(self.plan.sections), "sections")
        return index + 3

    def enter_bullet_list(self, index: int) -> int:
        self.list_depth += 1
        return index + 1

    def leave_bullet_list(self, index: int) -> int:
        self.list_depth -= 1
        return index + 1

    def open_bullet(self, index: int) -> int:
        """A bullet is a claim of its section, or a sub-claim of the bullet it is nested in."""
        line = self.line_of(self.tokens[index])
        claim = self.bullet_claim(line)
        self.open_bullets.append(claim)
        if claim is not None:
            self.count_claim(line)
        return index + 1

    def bullet_claim(self, line: int) -> ClaimEntry | None:
        """The claim a new bullet starts, or None where it cannot be one."""
        parent = self.open_bullets[-1] if self.open_bullets else None
        if self.list_depth > 2:
            if parent is not None:
                self.problem(line, "Bullets nest one level deep: this sub-bullet is nested deeper.")
            return None
        if self.list_depth == 2:
            if parent is None:
                return None
            claim = ClaimEntry(kind=ClaimKind.BULLET, line=line)
            parent.sub_claims.append(claim)
            return claim
        if not self.in_section(line):
            return None
        claim = ClaimEntry(kind=ClaimKind.BULLET, line=line)
        self.section.claims.append(claim)
        return claim

    def close_bullet(self, index: int) -> int:
        """A bullet that held no paragraph is an empty claim."""
        claim = self.open_bullets.pop()
        if claim is not None and claim.text is None:
            self.problem(claim.line, "The bullet is empty: write its claim.")
            claim.text = ""
        return index + 1

    def read_paragraph(self, index: int) -> int:
        """A paragraph is the text of the bullet it is in, or else a paragraph claim."""
        content = self.tokens[index + 1].content
        line = self.line_of(self.tokens[index])
        if self.open_bullets:
            claim = self.open_bullets[-1]
            if claim is not None and claim.text is None:
                self.fill(claim, content)
                self.levels_at = (index + 3, claim)
            elif claim is not None:
                self.problem(line, "A bullet holds one paragraph: start a new bullet instead.")
        elif self.in_section(line):
            claim = ClaimEntry(kind=ClaimKind.PARAGRAPH, line=line)
            self.section.claims.append(claim)
            self.fill(claim, content)
            self.levels_at = (index + 3, claim)
            self.count_claim(line)
        return index + 3

    def read_reading_levels(self, index: int) -> int:
        """A quote right after a claim's text: its other wordings, “level: text” a line."""
        if self.levels_at is None or self.levels_at[0] != index:
            return self.refuse_block(index)
        claim = self.levels_at[1]
        end = _skip_block(self.tokens, index, "blockquote_close")
        inner = [token.type for token in self.tokens[index + 1 : end - 1]]
        if inner != ["paragraph_open", "inline", "paragraph_close"]:
            self.problem(
                self.line_of(self.tokens[index]),
                "A quote after a claim gives its other reading levels, one a line: "
                "“> patient: …” or “> student: …”, nothing else.",
            )
            return end
        first_line = self.line_of(self.tokens[index + 1])
        for number, text in enumerate(self.tokens[index + 2].content.split("\n")):
            self.read_reading_level(claim, text, first_line + number)
        return end

    def read_reading_level(self, claim: ClaimEntry, text: str, line: int) -> None:
        match = _READING_LEVEL_LINE.fullmatch(text.strip())
        level = match.group(1) if match else ""
        levels = " or ".join(f"“{name}: …”" for name in OTHER_READING_LEVELS)
        if level not in OTHER_READING_LEVELS:
            shown = text.strip()[:40]
            self.problem(
                line,
                f"“{shown}” names no reading level: write {levels} (the claim's own text is "
                "the clinician wording).",
            )
        elif level in claim.wordings:
            self.problem(line, f"The claim's {level} wording is given twice: keep one.")
        else:
            wording = read_inline(match.group(2))
            if wording:
                claim.wordings[level] = wording
            else:
                self.problem(line, f"The {level} wording is empty: write it or leave it out.")

    def refuse_numbered_list(self, index: int) -> int:
        """A numbered list is refused whole: its items are not claims."""
        self.problem(
            self.line_of(self.tokens[index]), "Numbered lists are not claims: use “-” bullets."
        )
        return _skip_block(self.tokens, index, "ordered_list_close")

    def refuse_block(self, index: int) -> int:
        """Code, quotes, rules, HTML and tables are refused whole, with what they are."""
        kind = self.tokens[index].type
        self.problem(
            self.line_of(self.tokens[index]),
            f"{_BLOCK_NAMES[kind]} is not part of the import format.",
        )
        if kind.endswith("_open"):
            return _skip_block(self.tokens, index, kind.replace("_open", "_close"))
        return index + 1

    def skip_token(self, index: int) -> int:
        return index + 1

    def fill(self, claim: ClaimEntry, content: str) -> None:
        """Give the claim its text and citations; the text is kept as written, its lines
        joined and its escapes undone (``escaping``)."""
        text, numbers, problems = split_citations(" ".join(content.split()))
        self.plan.problems.extend(Problem(claim.line, problem) for problem in problems)
        claim.text = text
        claim.citations = numbers
        if not text:
            self.problem(claim.line, "The claim is empty: write its text.")

    def in_section(self, line: int) -> bool:
        """Whether a claim at ``line`` has a section; the first claim without one is reported."""
        if self.section is not None:
            return True
        if not self.outside_reported:
            self.problem(line, "Claims must come under a “##” or “###” section heading.")
            self.outside_reported = True
        return False

    def count_claim(self, line: int) -> None:
        self.claims_read += 1
        self.check_limit(line, self.claims_read, "claims")

    def check_limit(self, line: int, count: int, what: str) -> None:
        """Past the claim limit, report it and stop reading (``limit_reported``)."""
        if count <= self.max_claims:
            return
        self.limit_reported = True
        self.problem(
            line,
            f"The article has more than {self.max_claims} {what}, the most an import takes "
            "(EDITORIAL_IMPORT_MAX_CLAIMS): split it into several articles.",
        )

    def line_of(self, token) -> int:
        """The 1-based line of the file where a token starts."""
        return self.offset + token.map[0] + 1 if token.map else self.offset + 1

    def problem(self, line: int, message: str) -> None:
        self.plan.problems.append(Problem(line, message))


class _BodyTooLong(Exception):
    """Parsing stopped at a 0-based line of the body, with the tokens read so far."""

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
    """The index after the token closing the block opened at ``index``."""
    level = tokens[index].level
    for position in range(index + 1, len(tokens)):
        if tokens[position].type == closing and tokens[position].level == level:
            return position + 1
    return len(tokens)
