"""The seed article, built through the import service, for reader tests and the benchmark."""

from pathlib import Path

from articles import services
from articles.choices import ReadingLevel
from articles.models import Article, Claim

SEED_PATH = Path(__file__).resolve().parents[2] / "articles" / "demo" / "calcium-deposits.md"
"""The seed article as bundled with the demo: the suite reads only files in the repository."""

SEED_PATIENT_WORDING = (
    "Calcium deposits are small hard spots of calcium that build up in soft parts of the body, "
    "such as skin, blood vessels or joints, instead of in the bones."
)
SEED_STUDENT_WORDING = (
    "Calcium deposits in soft tissue form in three ways: in damaged tissue (dystrophic), from "
    "high blood calcium or phosphate (metastatic), or with normal blood levels (calcinosis)."
)


def seed_article(*, editor, path: Path = SEED_PATH, extra_wordings: bool = True) -> Article:
    """The seed article as imported with ``--allow-missing-references``: submitted, in draft.

    With ``extra_wordings`` its first claim also has a patient and a student wording.
    """
    result = services.article_import(
        source_text=path.read_text(encoding="utf-8"),
        actor=editor,
        allow_missing_references=True,
        source_name=path.name,
    )
    article = result.article
    if extra_wordings:
        first_claim = Claim.objects.of_article(article).order_by("section__order", "order")[0]
        for level, text in (
            (ReadingLevel.PATIENT, SEED_PATIENT_WORDING),
            (ReadingLevel.STUDENT, SEED_STUDENT_WORDING),
        ):
            services.wording_set(
                claim=first_claim, level=level, text=text, actor=editor, reason="Reading levels"
            )
    article.refresh_from_db()
    return article
