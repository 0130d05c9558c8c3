"""Write an article back in the import format (docs/interchange.md), so export then import
round-trips.

References are numbered as readers see them, in order of first citation. The clinician wording
is the claim's text; the claim's own student and patient wordings follow it in a quote
(``> patient: …``). A placeholder reference is written with ``complete: false`` so that
importing the file keeps it blocking approval. Every text is escaped (``escaping``; YAML
double quotes in the front matter) so that any text the admin accepts reads back as it is
(docs/invariants.md#i9-faithful-interchange).
"""

import yaml
from django.utils import timezone

from ..choices import ClaimKind, ReadingLevel
from ..models import Article, Claim, Reference
from ..outline import article_outline
from .body import OTHER_READING_LEVELS, citation_like_bracket
from .escaping import write_inline


class _FrontMatterDumper(yaml.SafeDumper):
    """Text with line breaks, tabs or other characters a file may not hold as they are goes in
    double quotes, where YAML escapes them (``\\n``, ``\\t``, ``\\L``): a plain or single-quoted
    scalar would fold such a text over lines, one of which could read “---”, the fence."""


def _represent_text(dumper: yaml.SafeDumper, text: str):
    style = None if text.isprintable() else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_FrontMatterDumper.add_representer(str, _represent_text)


def article_as_markdown(article: Article) -> str:
    outline = article_outline(article)
    front_matter = {"title": article.title, "slug": article.slug}
    if article.last_material_change_at:
        front_matter["last_updated"] = timezone.localdate(article.last_material_change_at)
    if outline.references:
        front_matter["references"] = {
            number: _reference_fields(reference) for number, reference in outline.references
        }
    parts = [
        "---\n"
        + yaml.dump(
            front_matter,
            Dumper=_FrontMatterDumper,
            sort_keys=False,
            allow_unicode=True,
            width=float("inf"),
        )
        + "---\n"
    ]
    for row in outline.sections:
        parts.append("#" * row.section.level + f" {_heading_line(row.section.heading)}\n")
        block: list[str] = []
        for entry in row.claims:
            claim = entry.claim
            is_paragraph = claim.kind == ClaimKind.PARAGRAPH and entry.depth == 0
            indent = "" if is_paragraph else "    " if entry.depth else "  "
            lines = [
                _claim_line(claim) + citation_brackets(entry.citation_numbers),
                *_reading_level_lines(claim, indent=indent),
            ]
            if is_paragraph:
                if block:
                    parts.append("\n".join(block) + "\n")
                    block = []
                parts.append("\n".join(lines) + "\n")
            else:
                lines[0] = ("  - " if entry.depth else "- ") + lines[0]
                block.extend(lines)
        if block:
            parts.append("\n".join(block) + "\n")
    return "\n".join(parts)


def _heading_line(heading: str) -> str:
    """A heading ending in “#” escapes it: Markdown drops a closing run of “#”."""
    return write_inline(heading, escape_position=len(heading) - 1 if heading[-1:] == "#" else None)


def _claim_line(claim: Claim) -> str:
    """The clinician wording, with a trailing bracket that would read as a citation escaped."""
    text = claim.wording_text(ReadingLevel.CLINICIAN)
    return write_inline(text, starts_line=True, escape_position=citation_like_bracket(text))


def _reading_level_lines(claim: Claim, *, indent: str) -> list[str]:
    """``> patient: …`` for each of the claim's own wordings beside the clinician's."""
    own = claim.texts_by_level()
    return [
        f"{indent}> {level}: {write_inline(own[level])}"
        for level in OTHER_READING_LEVELS
        if own.get(level)
    ]


def _reference_fields(reference: Reference) -> dict:
    fields = {
        name: getattr(reference, name)
        for name in Reference.BIBLIOGRAPHIC_FIELDS
        if getattr(reference, name) not in ("", None)
    }
    if not reference.is_complete:
        fields["complete"] = False
    return fields


def citation_brackets(numbers: list[int]) -> str:
    """`` [1, 2]`` for a claim's citation numbers; runs of three or more become ``[2-4]``."""
    if not numbers:
        return ""
    items: list[str] = []
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if end - start >= 2:
            items.append(f"{numbers[start]}-{numbers[end]}")
            start = end + 1
        else:
            items.append(str(numbers[start]))
            start += 1
    return f" [{', '.join(items)}]"
