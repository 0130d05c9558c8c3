"""How a text of the article (a wording, a heading) is written in the Markdown body, and read back.

The body is read block by block and a claim's text is kept as written, so only what would
change the blocks, the citations or the whitespace is escaped, the CommonMark way
(``docs/interchange.md`` lists the rules):

- a backslash before ASCII punctuation stands for that character: ``\\- ``, ``1\\. ``,
  ``\\[2]``, ``\\\\``; any other backslash is itself;
- a numeric character reference (``&#10;``, ``&#x2028;``) stands for its character: line
  breaks, tabs, a second space in a row, other Unicode spaces and the control characters a file
  may not hold are written so, since the reader joins a text's lines with single spaces.

The writer escapes the least it can, so a text without any of these reads the same as before
and the seed exports as written.
"""

import re

ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# A numeric character reference the reader decodes (the writer escapes the “&” of any other
# text that looks like one): &#10; or &#x2028; of a code point other than 0 and the surrogates.
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")
# Characters a file may not hold as they are (read.py refuses them): control characters but
# tab and newline, Unicode line and paragraph separators, lone surrogates.
_NOT_IN_FILES = re.compile(r"[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\U0010ffff]")
# What opens a block other than a paragraph at the start of a line: a heading, a bullet or a
# thematic break, a quote, a setext underline, a code fence, HTML.
_BLOCK_STARTS = frozenset("#-+*>=_`~<")
_ORDERED_LIST_MARKER = re.compile(r"\d{1,9}[.)]")


def character_reference_at(text: str, position: int) -> tuple[str, int] | None:
    """The character a reference at ``position`` stands for and where it ends, or None."""
    match = _REFERENCE.match(text, position)
    if not match:
        return None
    hexadecimal, decimal = match.groups()
    code_point = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if code_point == 0 or 0xD800 <= code_point <= 0xDFFF or code_point > 0x10FFFF:
        return None
    return chr(code_point), match.end()


def is_escaped(text: str, position: int) -> bool:
    """Whether the character at ``position`` follows an odd run of backslashes."""
    backslashes = 0
    while position - backslashes > 0 and text[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def read_inline(raw: str) -> str:
    """A text as the file writes it → the text: lines joined, escapes undone, ends stripped."""
    collapsed = " ".join(raw.split())
    text: list[str] = []
    position = 0
    while position < len(collapsed):
        char = collapsed[position]
        following = collapsed[position + 1 : position + 2]
        if char == "\\" and following in ASCII_PUNCTUATION and following:
            text.append(following)
            position += 2
            continue
        reference = character_reference_at(collapsed, position) if char == "&" else None
        if reference:
            text.append(reference[0])
            position = reference[1]
            continue
        text.append(char)
        position += 1
    return "".join(text).strip()


def write_inline(
    text: str, *, starts_line: bool = False, escape_position: int | None = None
) -> str:
    """The text as the file writes it, on one line, reading back as ``text``.

    ``starts_line``: the text opens a line (a claim), so a leading block marker is escaped.
    ``escape_position``: one more character to escape (the “[” of a trailing bracket that
    would read as a citation, the last “#” of a heading).
    """
    pieces = [_written_character(text, position) for position in range(len(text))]
    if starts_line and text:
        marker = _ORDERED_LIST_MARKER.match(text)
        if marker:
            pieces[marker.end() - 1] = "\\" + text[marker.end() - 1]
        elif text[0] in _BLOCK_STARTS:
            pieces[0] = "\\" + text[0]
    if escape_position is not None and pieces[escape_position] == text[escape_position]:
        pieces[escape_position] = "\\" + text[escape_position]
    # A backslash is doubled where what follows it would otherwise make it an escape.
    for position in range(len(text) - 1, -1, -1):
        if text[position] != "\\":
            continue
        following = pieces[position + 1][:1] if position + 1 < len(pieces) else ""
        if following in ASCII_PUNCTUATION and following:
            pieces[position] = "\\\\"
    return "".join(pieces)


def _written_character(text: str, position: int) -> str:
    """One character as written: itself, a character reference, or “&” escaped."""
    char = text[position]
    if char == " ":
        alone = 0 < position < len(text) - 1 and text[position - 1] != " "
        return " " if alone else "&#32;"
    if char.isspace() or _NOT_IN_FILES.match(char) or char == "\ufeff":
        return f"&#x{ord(char):X};"
    if char == "&" and character_reference_at(text, position):
        return "\\&"
    return char
