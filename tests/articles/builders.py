"""Articles built through the services, for reader tests and the reader benchmark.

``seed_article`` builds the seed article (/work/shared/seed/calcium-deposits.md, or the copy
under ``SEED_PATH``) with a small reader of its simple shape: front matter, ``##``/``###``
sections, paragraphs, bullets and sub-bullets, with citations ``[1, 2]`` at the end of a claim.
Numbers the front matter does not list become incomplete placeholder references, as the import
does with ``--allow-missing-references``.
"""

import os
import re
from datetime import UTC, datetime, time
from pathlib import Path

import yaml

from articles import services
from articles.choices import ClaimKind, ReadingLevel
from articles.models import Article, Reference

SEED_PATH = Path(os.environ.get("EDITORIAL_SEED_PATH", "/work/shared/seed/calcium-deposits.md"))

SEED_PATIENT_WORDING = (
    "Calcium deposits are small hard spots of calcium that build up in soft parts of the body, "
    "such as skin, blood vessels or joints, instead of in the bones."
)
SEED_STUDENT_WORDING = (
    "Calcium deposits in soft tissue form in three ways: in damaged tissue (dystrophic), from "
    "high blood calcium or phosphate (metastatic), or with normal blood levels (calcinosis)."
)

_CITATIONS = re.compile(r"\s*\[([\d,\s-]+)\]\s*$")


def _cited_numbers(text: str) -> tuple[str, list[int]]:
    match = _CITATIONS.search(text)
    if not match:
        return text.strip(), []
    numbers: list[int] = []
    for part in match.group(1).split(","):
        first, _, last = part.strip().partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return text[: match.start()].strip(), numbers


def seed_article(*, editor, path: Path = SEED_PATH, extra_wordings: bool = True) -> Article:
    """The seed article, submitted and in draft, with patient and student wordings on its first
    claim when ``extra_wordings``."""
    _, front_matter, body = path.read_text(encoding="utf-8").split("---", 2)
    meta = yaml.safe_load(front_matter)
    article = services.article_create(title=meta["title"], slug=meta["slug"], actor=editor)
    references: dict[int, Reference] = {}

    def reference(number: int) -> Reference:
        if number not in references:
            entry = meta["references"].get(number)
            if entry is None:
                references[number] = Reference.objects.create(
                    title=f"Reference {number} of “{meta['title']}”", is_complete=False
                )
            else:
                references[number] = Reference.objects.create(**entry)
        return references[number]

    section = None
    parent = None
    first_claim = True
    for line in body.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            hashes, heading = line.split(" ", 1)
            section = services.section_add(
                article=article, heading=heading, level=len(hashes), actor=editor
            )
            parent = None
            continue
        stripped = line.lstrip()
        is_sub_bullet = stripped.startswith("- ") and line != stripped
        kind = ClaimKind.BULLET if stripped.startswith("- ") else ClaimKind.PARAGRAPH
        text, numbers = _cited_numbers(stripped[2:] if kind == ClaimKind.BULLET else stripped)
        wordings = {}
        if first_claim and extra_wordings:
            wordings = {
                ReadingLevel.PATIENT: SEED_PATIENT_WORDING,
                ReadingLevel.STUDENT: SEED_STUDENT_WORDING,
            }
        claim = services.claim_add(
            section=section,
            text=text,
            kind=kind,
            parent=parent if is_sub_bullet else None,
            references=[reference(number) for number in numbers],
            wordings=wordings,
            actor=editor,
            reason="Seed article",
        )
        first_claim = False
        if kind == ClaimKind.BULLET and not is_sub_bullet:
            parent = claim
    if meta.get("last_updated"):
        Article.objects.filter(pk=article.pk).update(
            last_material_change_at=datetime.combine(meta["last_updated"], time(12), tzinfo=UTC)
        )
    article.refresh_from_db()
    return article
