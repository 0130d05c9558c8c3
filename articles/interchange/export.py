"""Write an article back in the import format (DESIGN §7), so export then import round-trips.

References are numbered as readers see them, in order of first citation. The clinician wording
is the claim's text (the format has no other reading levels). A placeholder reference is written
with ``complete: false`` so that importing the file keeps it blocking approval.
"""

import yaml
from django.utils import timezone

from ..choices import ClaimKind, ReadingLevel
from ..models import Article, Reference
from ..outline import article_outline


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
        + yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=1000)
        + "---\n"
    ]
    for row in outline.sections:
        parts.append("#" * row.section.level + f" {row.section.heading}\n")
        block: list[str] = []
        for entry in row.claims:
            claim = entry.claim
            line = claim.wording_text(ReadingLevel.CLINICIAN) + citation_brackets(
                entry.citation_numbers
            )
            if claim.kind == ClaimKind.PARAGRAPH and entry.depth == 0:
                if block:
                    parts.append("\n".join(block) + "\n")
                    block = []
                parts.append(line + "\n")
            else:
                block.append(("  - " if entry.depth else "- ") + line)
        if block:
            parts.append("\n".join(block) + "\n")
    return "\n".join(parts)


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
