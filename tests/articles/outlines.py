"""Compare articles by what readers and reviewers see: sections, claims and their citations."""

from articles.interchange.read import read_article
from articles.models import Article
from articles.outline import article_outline


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
    """The same, read from the database in reading order, citing reference rows."""
    return [
        (
            row.section.heading,
            row.section.level,
            [
                (
                    entry.claim.kind,
                    entry.depth == 1,
                    entry.claim.wording_text("clinician"),
                    [reference.pk for _number, reference in entry.citations],
                )
                for entry in row.claims
            ],
        )
        for row in article_outline(article).sections
    ]
