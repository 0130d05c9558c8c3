"""Exporting an article in the import format, and importing the export again (round trip)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.interchange.export import article_as_markdown, citation_brackets
from articles.interchange.read import read_article
from articles.models import Article, Claim, Reference
from articles.services import article_import
from tests.articles.builders import SEED_PATH
from tests.articles.outlines import outline, stored_outline

pytestmark = pytest.mark.django_db

SEED = SEED_PATH
DATA = Path(__file__).parent / "data"


def under_another_slug(markdown: str, old: str, new: str) -> str:
    return markdown.replace(f"slug: {old}\n", f"slug: {new}\n", 1)


def test_seed_round_trips_under_another_slug(editor):
    text = SEED.read_text(encoding="utf-8")
    original = article_import(source_text=text, actor=editor, allow_missing_references=True)
    references_before = Reference.objects.count()

    exported = article_as_markdown(original.article)
    copy = article_import(
        source_text=under_another_slug(exported, "calcium-deposits-in-tissues", "copy"),
        actor=editor,
    )

    assert copy.warnings == []
    assert stored_outline(copy.article) == stored_outline(original.article)
    assert Reference.objects.count() == references_before
    assert copy.article.incomplete_references().count() == 3
    assert copy.article.last_material_change_at == original.article.last_material_change_at


def test_export_keeps_the_seed_body_as_written(editor):
    text = SEED.read_text(encoding="utf-8")
    article = article_import(source_text=text, actor=editor, allow_missing_references=True).article

    exported = article_as_markdown(article)

    assert exported.split("\n---\n", 1)[1] == text.split("\n---\n", 1)[1]


def test_export_numbers_references_by_first_citation(editor):
    text = (DATA / "vascular-calcification.md").read_text()
    article = article_import(source_text=text, actor=editor).article

    exported = article_as_markdown(article)

    plan = read_article(exported)
    assert [plan.references[n].title for n in sorted(plan.references)] == [
        "Calcium × phosphate product — a primer",
        "Vascular calcification in chronic kidney disease",
        "A review of soft tissue calcifications.",
        "KDIGO clinical practice guideline for CKD–MBD",
        "Coronary artery calcium score and risk",
    ]
    assert "in the walls of arteries; in chronic kidney disease it affects the media" in exported
    assert "toward a bone-like phenotype [2, 4, 5]\n" in exported
    assert outline(exported) == outline(text)


def test_placeholder_is_exported_as_incomplete(editor):
    text = SEED.read_text(encoding="utf-8")
    article = article_import(source_text=text, actor=editor, allow_missing_references=True).article

    plan = read_article(article_as_markdown(article))

    assert [n for n, ref in plan.references.items() if not ref.is_complete] == [3, 6, 7]


def test_citation_brackets_write_runs_as_ranges():
    assert citation_brackets([]) == ""
    assert citation_brackets([1, 2]) == " [1, 2]"
    assert citation_brackets([2, 3, 4, 7]) == " [2-4, 7]"
    assert citation_brackets([5, 1]) == " [5, 1]"


def test_export_article_command_writes_a_file_that_imports(editor, tmp_path):
    text = (DATA / "vascular-calcification.md").read_text()
    article = article_import(source_text=text, actor=editor).article
    path = tmp_path / "export.md"

    call_command("export_article", article.slug, "--output", str(path))
    path.write_text(under_another_slug(path.read_text(), article.slug, "copy"))
    call_command("import_article", str(path), "--as", editor.username)

    copy = Article.objects.get(slug="copy")
    assert stored_outline(copy) == stored_outline(article)
    assert Claim.objects.of_article(copy).count() == 8


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("missing/export.md", "its directory does not exist"),
        ("", "it is a directory"),
        ("file.md/export.md", "Not a directory"),
    ],
    ids=["missing directory", "a directory", "under a file"],
)
def test_export_article_command_to_a_bad_path_is_a_message(editor, tmp_path, where, reason):
    """Issue 17: a path the command cannot write ended in a traceback."""
    text = (DATA / "vascular-calcification.md").read_text()
    article = article_import(source_text=text, actor=editor).article
    (tmp_path / "file.md").write_text("")
    path = tmp_path / where

    with pytest.raises(CommandError, match=f"Cannot write “{path}”: {reason}"):
        call_command("export_article", article.slug, "--output", str(path))


def test_edited_article_round_trips_in_reading_order(editor):
    """A sub-claim added after import under an early bullet, a claim removed and a claim moved:
    export then import gives the same outline (the sub-claim once moved to the last bullet)."""
    from articles.services import claim_add, claim_move, claim_remove

    text = (DATA / "vascular-calcification.md").read_text(encoding="utf-8")
    article = article_import(source_text=text, actor=editor, source_name="v.md").article
    mechanisms = article.sections.get(heading="Mechanisms")
    first, second, *_rest = [
        claim for claim in mechanisms.claims.order_by("order") if claim.parent_id is None
    ]
    claim_add(
        section=mechanisms,
        parent=first,
        text="Necrotic tissue releases phosphate locally",
        references=[first.citations.get().reference],
        actor=editor,
        reason="Added after import",
    )
    claim_remove(claim=second, actor=editor, reason="Covered elsewhere")
    last = [c for c in mechanisms.claims.order_by("order") if c.parent_id is None][-1]
    claim_move(claim=last, position=1, actor=editor, reason="Most important first")

    exported = article_as_markdown(article)
    copy = article_import(
        source_text=under_another_slug(exported, article.slug, "vascular-copy"), actor=editor
    ).article

    assert stored_outline(copy) == stored_outline(article)
    mechanisms_claims = stored_outline(article)[1][2]
    assert mechanisms_claims[0][2] == last.wording_text("clinician")
    assert mechanisms_claims[1][2] == first.wording_text("clinician")
    assert mechanisms_claims[2][1:3] == (True, "Necrotic tissue releases phosphate locally")
    assert second.wording_text("clinician") not in exported
