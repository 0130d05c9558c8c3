"""Write an article back in the import format (DESIGN §7), so export then import round-trips.

References are numbered as readers see them, in order of first citation. The clinician wording
is the claim's text (the format has no other reading levels). A placeholder reference is written
with ``complete: false`` so that importing the file keeps it blocking approval.
"""

import yaml
from django.db.models import Prefetch
from django.utils import timezone

from .choices import ClaimKind, ReadingLevel
from .models import Article, Citation, Claim, Reference


def article_as_markdown(article: Article) -> str:
    sections = list(
        article.sections.order_by("order").prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.order_by("order").prefetch_related(
                    "wordings",
                    Prefetch(
                        "citations",
                        queryset=Citation.objects.order_by("order").select_related("reference"),
                    ),
                ),
            )
        )
    )
    numbers: dict[int, int] = {}
    references: dict[int, Reference] = {}
    for section in sections:
        for claim in section.claims.all():
            for citation in claim.citations.all():
                if citation.reference_id not in numbers:
                    numbers[citation.reference_id] = len(numbers) + 1
                    references[numbers[citation.reference_id]] = citation.reference

    front_matter = {"title": article.title, "slug": article.slug}
    if article.last_material_change_at:
        front_matter["last_updated"] = timezone.localdate(article.last_material_change_at)
    if references:
        front_matter["references"] = {
            number: _reference_fields(reference) for number, reference in references.items()
        }
    parts = [
        "---\n"
        + yaml.safe_dump(front_matter, sort_keys=False, allow_unicode=True, width=1000)
        + "---\n"
    ]
    for section in sections:
        parts.append("#" * section.level + f" {section.heading}\n")
        block: list[str] = []
        for claim in section.claims.all():
            cited = [numbers[citation.reference_id] for citation in claim.citations.all()]
            line = claim.wording_text(ReadingLevel.CLINICIAN) + citation_brackets(cited)
            if claim.kind == ClaimKind.PARAGRAPH and claim.parent_id is None:
                if block:
                    parts.append("\n".join(block) + "\n")
                    block = []
                parts.append(line + "\n")
            else:
                block.append(("  - " if claim.parent_id else "- ") + line)
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
