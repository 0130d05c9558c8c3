"""Compare articles by what readers and reviewers see: sections, claims and their citations."""

from articles.importing import read_article
from articles.models import Article


def outline(text: str) -> list:
    """Sections, claims and their cited references (by title) as a file describes them."""
    plan = read_article(text, allow_missing_references=True)
    assert plan.is_valid, plan.problems
    titles = {number: reference.title for number, reference in plan.references.items()}
    return [
        (
            section.heading,
            section.level,
            [
                (
                    claim.kind,
                    parent is not None,
                    claim.text,
                    [titles.get(n) for n in claim.citations],
                )
                for sec, claim, parent in plan.claims()
                if sec is section
            ],
        )
        for section in plan.sections
    ]


def stored_outline(article: Article) -> list:
    """The same, read from the database, citing reference rows."""
    return [
        (
            section.heading,
            section.level,
            [
                (
                    claim.kind,
                    claim.parent_id is not None,
                    claim.wording_text("clinician"),
                    [citation.reference_id for citation in claim.citations.order_by("order")],
                )
                for claim in section.claims.order_by("order")
            ],
        )
        for section in article.sections.order_by("order")
    ]
