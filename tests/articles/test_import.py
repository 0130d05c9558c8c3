"""Importing articles from Markdown (docs/interchange.md): the seed, the rules, shared
references."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.choices import ClaimKind, ReferenceKind
from articles.interchange.plan import ArticleImportRefused
from articles.interchange.read import read_article
from articles.models import Article, Citation, Claim, Reference, Section, Wording
from articles.services import article_import
from editorial.exceptions import EditorialPermissionDenied
from tests.articles.builders import SEED_PATH
from tests.factories import BoardReviewerFactory

pytestmark = pytest.mark.django_db

SEED = SEED_PATH
DATA = Path(__file__).parent / "data"


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def import_text(text: str, actor, **options):
    return article_import(source_text=text, actor=actor, source_name="test.md", **options)


def assert_nothing_written():
    for model in (Article, Section, Claim, Wording, Reference, Citation):
        assert not model.objects.exists(), f"{model.__name__} rows were written"


class TestSeedArticle:
    def test_seed_imports_every_section_and_claim(self, editor):
        result = import_text(seed_text(), editor, allow_missing_references=True)

        article = result.article
        assert result.created
        assert article.slug == "calcium-deposits-in-tissues"
        assert article.title == "What does it mean to have calcium deposits in tissues?"
        assert article.last_material_change_at.date() == date(2025, 12, 11)
        sections = Section.objects.filter(article=article)
        assert sections.count() == 13
        assert sections.filter(level=2).count() == 5
        assert sections.filter(level=3).count() == 8
        claims = Claim.objects.of_article(article)
        assert claims.count() == 43
        assert claims.filter(kind=ClaimKind.PARAGRAPH).count() == 1
        assert claims.filter(kind=ClaimKind.BULLET, parent__isnull=True).count() == 30
        assert claims.filter(parent__isnull=False).count() == 12

    def test_seed_keeps_claim_text_nesting_and_citations(self, editor):
        article = import_text(seed_text(), editor, allow_missing_references=True).article

        intro = Claim.objects.of_article(article).get(wordings__text="Common examples include:")
        assert not intro.citations.exists()
        assert [sub.wording_text("clinician") for sub in intro.sub_claims.order_by("order")] == [
            "Atherosclerotic plaques in blood vessels",
            "Damaged heart valves",
            "Areas of prior inflammation or trauma",
        ]
        first_bullet = Claim.objects.of_article(article).get(
            wordings__text__startswith="Occurs in damaged or devitalized tissues"
        )
        assert [c.reference.title for c in first_bullet.citations.order_by("order")] == [
            "A review of soft tissue calcifications.",
            "Calcinosis cutis: part I. Diagnostic pathway.",
        ]

    def test_seed_gets_placeholders_exactly_for_3_6_and_7(self, editor):
        article = import_text(seed_text(), editor, allow_missing_references=True).article

        placeholders = Reference.objects.filter(is_complete=False)
        assert sorted(placeholders.values_list("title", flat=True)) == [
            f"Reference [{number}] of “calcium-deposits-in-tissues” — to be completed"
            for number in (3, 6, 7)
        ]
        assert Reference.objects.filter(is_complete=True).count() == 4
        bisphosphonates = Claim.objects.of_article(article).get(
            wordings__text__startswith="Remember that bisphosphonates"
        )
        assert [c.reference.is_complete for c in bisphosphonates.citations.all()] == [False]
        assert article.incomplete_references().count() == 3

    def test_seed_without_the_flag_names_3_6_and_7_and_writes_nothing(self, editor):
        with pytest.raises(ArticleImportRefused) as refused:
            import_text(seed_text(), editor)

        problems = [(problem.line, problem.message[:15]) for problem in refused.value.problems]
        assert problems == [
            (39, "Reference [3] i"),
            (75, "Reference [6] i"),
            (105, "Reference [7] i"),
        ]
        assert "cited (lines 39, 42, 103)" in refused.value.problems[0].message
        assert_nothing_written()

    def test_import_records_who_and_why_in_history(self, editor):
        article = import_text(seed_text(), editor, allow_missing_references=True).article

        claim = Claim.objects.of_article(article).first()
        for row in (article.history.get(), claim.history.get(), claim.wordings.get().history.get()):
            assert row.history_user == editor
            assert row.history_change_reason == "Imported from test.md"


def malformed(front_matter: str, body: str = "## Answer\n\n- A claim [1]\n") -> str:
    return f"---\n{front_matter}---\n\n{body}"


GOOD_FRONT = """title: Is this a question?
slug: a-question
references:
  1:
    kind: research
    title: A study
    source: Journal of Examples
    year: 2020
"""


def reference_with(line: str) -> str:
    return GOOD_FRONT + f"    {line}\n"


VALIDATION_CASES = {
    "missing front matter": ("## Answer\n\n- A claim\n", 1, "must begin with YAML front matter"),
    "unclosed front matter": ("---\ntitle: A\nslug: a\n\n## Answer\n", 1, "never closed"),
    "front matter not YAML": (malformed("title: [unclosed\nslug: a\n"), 3, "not valid YAML"),
    "empty title": (
        malformed(GOOD_FRONT.replace("Is this a question?", '""')),
        2,
        "title is empty",
    ),
    "bad slug": (malformed(GOOD_FRONT.replace("a-question", "A Question!")), 3, "slug “A Ques"),
    "unknown reference kind": (
        malformed(GOOD_FRONT.replace("kind: research", "kind: anecdote")),
        6,
        "unknown kind “anecdote”",
    ),
    "year before 1800": (
        malformed(GOOD_FRONT.replace("year: 2020", "year: 1799")),
        9,
        "year 1799 is outside 1800",
    ),
    "year in the future": (
        malformed(GOOD_FRONT.replace("year: 2020", f"year: {date.today().year + 1}")),
        9,
        "is outside 1800",
    ),
    "malformed DOI": (
        malformed(reference_with("doi: 11.1000/x")),
        10,
        "DOI “11.1000/x” is malformed",
    ),
    "malformed PMID": (malformed(reference_with("pmid: PMC123")), 10, "PMID “PMC123” is malformed"),
    "URL not a link": (
        malformed(reference_with("url: mailto:editor@example.org")),
        10,
        "not a link starting http, https, ftp or ftps://",
    ),
    "reference field too long": (
        malformed(GOOD_FRONT.replace("source: Journal of Examples", "source: " + "J" * 301)),
        8,
        "the source is longer than 300 characters",
    ),
    "citation of an unlisted number": (
        malformed(GOOD_FRONT, "## Answer\n\n- A claim [1]\n- Another claim [1, 4]\n"),
        15,
        "Reference [4] is cited (line 15) but not listed",
    ),
    "nesting deeper than one level": (
        malformed(GOOD_FRONT, "## Answer\n\n- A claim [1]\n  - A sub-claim\n    - Too deep\n"),
        16,
        "nest one level deep",
    ),
    "claim with only citations": (
        malformed(GOOD_FRONT, "## Answer\n\n- A claim [1]\n- [1]\n"),
        15,
        "claim is empty",
    ),
    "empty bullet": (
        malformed(GOOD_FRONT, "## Answer\n\n- A claim [1]\n-\n"),
        15,
        "bullet is empty",
    ),
    "claim before any section": (malformed(GOOD_FRONT, "- A claim [1]\n"), 12, "under a “##”"),
    "level-one heading": (
        malformed(GOOD_FRONT, "# Answer\n\n- A claim [1]\n"),
        12,
        "is not a section",
    ),
    "numbered list": (
        malformed(GOOD_FRONT, "## Answer\n\n1. A claim [1]\n"),
        14,
        "Numbered lists are not claims",
    ),
    "backwards citation range": (
        malformed(GOOD_FRONT, "## Answer\n\n- A claim [1]\n- Another [3-1]\n"),
        15,
        "[3-1] runs backwards",
    ),
}


@pytest.mark.parametrize(
    ("text", "line", "message"), VALIDATION_CASES.values(), ids=VALIDATION_CASES.keys()
)
def test_refused_file_names_the_problem_and_its_line_and_writes_nothing(
    editor, text, line, message
):
    with pytest.raises(ArticleImportRefused) as refused:
        import_text(text, editor)

    assert [(p.line, message in p.message) for p in refused.value.problems] == [(line, True)]
    assert_nothing_written()


def test_every_problem_is_reported_at_once(editor):
    text = malformed(
        GOOD_FRONT.replace("a-question", "A Question").replace("year: 2020", "year: 1700"),
        "## Answer\n\n- A claim [1, 9]\n- [1]\n",
    )
    with pytest.raises(ArticleImportRefused) as refused:
        import_text(text, editor)

    assert [problem.line for problem in refused.value.problems] == [3, 9, 14, 15]
    assert "4 problems" in str(refused.value)
    assert_nothing_written()


def test_missing_reference_is_refused_even_with_other_numbers_cited(editor):
    text = malformed(GOOD_FRONT, "## Answer\n\n- A claim [1]\n- Another [2]\n")
    with pytest.raises(ArticleImportRefused, match=r"line 15: Reference \[2\]"):
        import_text(text, editor)
    assert_nothing_written()


def test_reference_listed_but_never_cited_is_a_warning(editor):
    result = import_text((DATA / "unused-reference.md").read_text(), editor)

    assert [str(warning) for warning in result.warnings] == [
        "line 10: Reference [2] is listed but never cited."
    ]
    assert Article.objects.filter(slug="unused-reference").exists()


def test_existing_slug_is_refused_without_update(editor):
    import_text(seed_text(), editor, allow_missing_references=True)

    with pytest.raises(ArticleImportRefused, match="line 3: An article with the slug"):
        import_text(seed_text(), editor, allow_missing_references=True)
    assert Article.objects.count() == 1
    assert Claim.objects.count() == 43


def test_board_reviewer_cannot_import(reviewer):
    with pytest.raises(EditorialPermissionDenied):
        import_text(seed_text(), reviewer, allow_missing_references=True)
    assert_nothing_written()


class TestReferences:
    def test_reference_shared_with_the_seed_is_one_row(self, editor):
        seed = import_text(seed_text(), editor, allow_missing_references=True).article
        other = import_text((DATA / "vascular-calcification.md").read_text(), editor).article

        shared = Reference.objects.get(title="A review of soft tissue calcifications.")
        cited_by = set(
            Claim.objects.filter(citations__reference=shared).values_list(
                "section__article__slug", flat=True
            )
        )
        assert cited_by == {seed.slug, other.slug}

    def test_references_are_matched_by_doi_then_pmid_before_title(self, editor):
        doi = Reference.objects.create(title="Old title", doi="10.1161/01.RES.0000126921.29101.32")
        pmid = Reference.objects.create(title="Another old title", pmid="30675420")

        article = import_text((DATA / "vascular-calcification.md").read_text(), editor).article

        cited = set(Reference.objects.filter(citations__claim__section__article=article))
        assert {doi, pmid} <= cited
        assert Reference.objects.count() == 5

    def test_same_title_with_another_doi_is_another_reference(self, editor):
        stored = Reference.objects.create(
            title="Vascular calcification in chronic kidney disease",
            source="Circulation Research",
            year=2004,
            doi="10.1000/another-paper",
        )

        article = import_text((DATA / "vascular-calcification.md").read_text(), editor).article

        cited = Reference.objects.filter(citations__claim__section__article=article)
        assert stored not in cited
        assert cited.filter(doi="10.1161/01.RES.0000126921.29101.32").exists()

    def test_stored_reference_that_differs_from_the_file_is_kept_with_a_warning(self, editor):
        Reference.objects.create(title="Older", doi="10.1161/01.RES.0000126921.29101.32")

        result = import_text((DATA / "vascular-calcification.md").read_text(), editor)

        assert any(
            "Reference [2] is the stored reference “Older”" in w.message for w in result.warnings
        )
        assert Reference.objects.get(doi__startswith="10.1161").title == "Older"

    def test_range_citation_cites_each_number_in_order(self, editor):
        article = import_text((DATA / "vascular-calcification.md").read_text(), editor).article

        claim = Claim.objects.of_article(article).get(wordings__text__startswith="In CKD, high")
        assert [c.reference.title for c in claim.citations.order_by("order")] == [
            "Vascular calcification in chronic kidney disease",
            "KDIGO clinical practice guideline for CKD–MBD",
            "Coronary artery calcium score and risk",
        ]

    def test_file_fields_are_kept_with_unicode(self, editor):
        article = import_text((DATA / "vascular-calcification.md").read_text(), editor).article

        assert article.title.startswith("Qu’est-ce que la calcification vasculaire —")
        guideline = Reference.objects.get(pmid="30675420")
        assert guideline.kind == ReferenceKind.GUIDELINE
        assert guideline.title == "KDIGO clinical practice guideline for CKD–MBD"
        assert guideline.url == "https://kdigo.org/guidelines/ckd-mbd/"
        assert Reference.objects.get(doi__startswith="10.1161").authors == "Moe SM, Chen NX"
        assert (
            Claim.objects.of_article(article)
            .filter(wordings__text="Hyperphosphataemia (≥ 1.5 mmol/L)")
            .exists()
        )


class TestReader:
    def test_paragraph_continuation_lines_join_into_one_claim(self):
        plan = read_article(malformed(GOOD_FRONT, "## Answer\n\nOne claim\nover two lines [1]\n"))

        assert plan.is_valid
        [(_, claim, _)] = plan.claims()
        assert (claim.kind, claim.text, claim.citations) == (
            "paragraph",
            "One claim over two lines",
            [1],
        )

    def test_readers_number_references_by_first_citation(self):
        plan = read_article((DATA / "vascular-calcification.md").read_text())

        assert plan.cited_numbers() == [5, 2, 1, 3, 4]


class TestCommand:
    def test_import_article_reports_every_problem_and_exits_non_zero(self, editor, tmp_path):
        path = tmp_path / "seed.md"
        path.write_text(seed_text(), encoding="utf-8")

        with pytest.raises(CommandError) as refused:
            call_command("import_article", str(path), "--as", editor.username)

        assert "seed.md was not imported (3 problems)" in str(refused.value)
        assert "line 105: Reference [7]" in str(refused.value)
        assert_nothing_written()

    def test_import_article_as_an_editor(self, editor, capsys):
        call_command(
            "import_article", str(SEED), "--allow-missing-references", "--as", editor.username
        )

        assert "Imported “What does it mean" in capsys.readouterr().out
        assert Article.objects.get().created_by == editor

    def test_import_article_needs_someone_to_act_as(self):
        with pytest.raises(CommandError, match="pass --as USERNAME"):
            call_command("import_article", str(SEED), "--allow-missing-references")

    def test_import_article_refuses_a_reviewer(self):
        reviewer = BoardReviewerFactory()
        with pytest.raises(CommandError, match="permission to import articles"):
            call_command("import_article", str(SEED), "--as", reviewer.username)


def test_import_article_update_prints_each_change(editor, tmp_path, capsys):
    call_command("import_article", str(SEED), "--allow-missing-references", "--as", editor.username)
    path = tmp_path / "revised.md"
    path.write_text(seed_text().replace("Hypervitaminosis D [1]", "Hypervitaminosis D [1, 2]"))

    call_command(
        "import_article",
        str(path),
        "--update",
        "--allow-missing-references",
        "--as",
        editor.username,
    )

    claim = Claim.objects.get(wordings__text="Hypervitaminosis D")
    output = capsys.readouterr().out
    assert f"line 50: claim “{claim.summary(60)}” changed" in output
    assert "1 change(s) from revised.md" in output
