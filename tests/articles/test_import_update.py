"""Re-importing a slug with ``update``: only what the file changes goes back to the board (I2)."""

from pathlib import Path

import pytest
from django.core.cache import cache

from articles.choices import ClaimStatus, ReviewStatus
from articles.interchange.export import article_as_markdown
from articles.models import Article, Claim, Reference
from articles.services import article_import, article_publish, section_add
from tests.articles.outlines import outline
from tests.workflow import assign_and_approve

pytestmark = pytest.mark.django_db

DYSTROPHIC = "Dystrophic calcification follows tissue damage even when serum calcium is normal"
ORIGINAL = (Path(__file__).parent / "data" / "vascular-calcification.md").read_text()


def update_with(text: str, editor):
    return article_import(source_text=text, actor=editor, update=True, source_name="revised.md")


@pytest.fixture
def approved_imported_article(editor, reviewer, approver):
    """``ORIGINAL`` imported, reviewed and approved; not published."""
    article = article_import(source_text=ORIGINAL, actor=editor, source_name="first.md").article
    return assign_and_approve(article, editor=editor, reviewer=reviewer, approver=approver)


def statuses(article) -> dict[str, str]:
    return {
        claim.wording_text("clinician"): claim.review_status
        for claim in Claim.objects.of_article(article).prefetch_related("wordings")
    }


def test_update_touching_one_claim_sends_only_that_claim_back(approved_imported_article, editor):
    before = statuses(approved_imported_article)
    revised = ORIGINAL.replace("Ageing and diabetes", "Ageing, diabetes and smoking")

    result = update_with(revised, editor)

    after = statuses(approved_imported_article)
    assert after.pop("Ageing, diabetes and smoking") == ClaimStatus.PENDING
    del before["Ageing and diabetes"]
    assert after == before
    assert set(after.values()) == {ClaimStatus.APPROVED}
    claim = Claim.objects.of_article(approved_imported_article).get(
        wordings__text="Ageing, diabetes and smoking"
    )
    assert result.changes == [f"line 49: claim “{claim.summary(60)}” changed"]
    article = Article.objects.get(pk=approved_imported_article.pk)
    assert (article.review_status, article.round) == (ReviewStatus.UNDER_REVIEW, 2)


def test_update_records_the_import_as_the_reason(approved_imported_article, editor):
    update_with(ORIGINAL.replace("Ageing and diabetes", "Ageing and smoking"), editor)

    claim = Claim.objects.of_article(approved_imported_article).get(
        wordings__text="Ageing and smoking"
    )
    wording_row = claim.wordings.get().history.latest()
    assert (wording_row.history_user, wording_row.history_change_reason) == (
        editor,
        "Import of revised.md",
    )
    assert claim.history.latest().history_change_reason == "return_to_pending: Import of revised.md"
    assert Article.objects.get(
        pk=approved_imported_article.pk
    ).history.latest().history_change_reason == ("reopen: Import of revised.md")


def test_update_changing_citations_sends_only_that_claim_back(approved_imported_article, editor):
    revised = ORIGINAL.replace("Agatston units [4]", "Agatston units [4, 2]")

    update_with(revised, editor)

    after = statuses(approved_imported_article)
    pending = [text for text, status in after.items() if status == ClaimStatus.PENDING]
    assert pending == ["The coronary calcium score grades risk by Agatston units"]
    claim = Claim.objects.of_article(approved_imported_article).get(
        wordings__text__startswith="The coronary"
    )
    assert [c.reference.title for c in claim.citations.order_by("order")] == [
        "Coronary artery calcium score and risk",
        "Vascular calcification in chronic kidney disease",
    ]


def test_update_adds_and_removes_claims_in_the_file_order(approved_imported_article, editor):
    revised = ORIGINAL.replace(
        "  - Ageing and diabetes\n", "  - Ageing and diabetes\n  - Long-term dialysis [3]\n"
    ).replace(
        "- Dystrophic calcification follows tissue damage even when serum calcium is normal [1]\n",
        "",
    )

    result = update_with(revised, editor)

    assert outline(
        article_as_markdown(Article.objects.get(pk=approved_imported_article.pk))
    ) == outline(revised)
    after = statuses(approved_imported_article)
    assert after.pop("Long-term dialysis") == ClaimStatus.PENDING
    assert (
        "Dystrophic calcification follows tissue damage even when serum calcium is normal"
        not in after
    )
    assert set(after.values()) == {ClaimStatus.APPROVED}
    assert len(result.changes) == 2


def test_update_with_a_new_section_and_a_renamed_heading(approved_imported_article, editor):
    revised = ORIGINAL.replace("### Imaging", "### Imaging tests") + (
        "\n## Treatment\n\n- Phosphate binders lower serum phosphate [3]\n"
    )

    update_with(revised, editor)

    article = Article.objects.get(pk=approved_imported_article.pk)
    assert outline(article_as_markdown(article)) == outline(revised)
    assert [s.heading for s in article.sections.order_by("order")][-2:] == [
        "Imaging tests",
        "Treatment",
    ]
    pending = [text for text, status in statuses(article).items() if status == "pending"]
    assert pending == ["Phosphate binders lower serum phosphate"]


def test_update_renaming_only_a_heading_is_shown_on_the_next_reader_request(
    approved_imported_article, editor, client
):
    article = article_publish(article=approved_imported_article, actor=editor)
    cache.clear()
    assert "Imaging tests" not in client.get(article.get_absolute_url(), follow=True).text

    update_with(ORIGINAL.replace("### Imaging", "### Imaging tests"), editor)

    assert "Imaging tests" in client.get(article.get_absolute_url(), follow=True).text
    cache.clear()


def test_update_removing_an_empty_section_is_shown_on_the_next_reader_request(
    approved_imported_article, editor, client
):
    article = article_publish(article=approved_imported_article, actor=editor)
    section_add(article=article, heading="Further reading", actor=editor, reason="Added")
    cache.clear()
    assert "Further reading" in client.get(article.get_absolute_url(), follow=True).text

    update_with(ORIGINAL, editor)

    assert "Further reading" not in client.get(article.get_absolute_url(), follow=True).text
    cache.clear()


def test_update_of_a_reference_in_the_file_sends_its_citing_claims_back(
    approved_imported_article, editor
):
    revised = ORIGINAL.replace(
        "title: Coronary artery calcium score and risk",
        "title: Coronary artery calcium as a predictor of coronary events",
    )

    update_with(revised, editor)

    pending = sorted(
        text for text, status in statuses(approved_imported_article).items() if status == "pending"
    )
    assert pending == [
        "A non-contrast CT measures coronary calcium in a few minutes",
        "In CKD, high phosphate drives smooth-muscle cells toward a bone-like phenotype",
        "The coronary calcium score grades risk by Agatston units",
    ]
    assert Reference.objects.filter(title__startswith="Coronary artery calcium").count() == 2


def test_update_with_the_same_file_changes_nothing(approved_imported_article, editor):
    history_rows = Claim.history.count()

    result = update_with(ORIGINAL, editor)

    assert result.changes == []
    assert Claim.history.count() == history_rows
    assert (
        Article.objects.get(pk=approved_imported_article.pk).review_status == ReviewStatus.APPROVED
    )


def test_i3_update_removing_a_claim_keeps_its_decisions_and_says_who_and_why(
    approved_imported_article, editor
):
    from articles.models import Citation, Wording
    from reviewers.models import ClaimDecision

    claim = Claim.objects.of_article(approved_imported_article).get(
        wordings__text="Ageing and diabetes"
    )
    decisions = list(ClaimDecision.objects.filter(claim=claim).values_list("pk", flat=True))
    assert decisions

    update_with(ORIGINAL.replace("  - Ageing and diabetes\n", ""), editor)

    removed = Claim.with_removed.get(pk=claim.pk)
    assert removed.is_removed
    assert list(ClaimDecision.objects.filter(claim=removed).values_list("pk", flat=True)) == (
        decisions
    )
    row = Claim.history.filter(id=claim.pk).latest("history_id")
    assert (row.history_user, row.history_change_reason) == (
        editor,
        "removed: Import of revised.md",
    )
    assert not Wording.history.filter(claim_id=claim.pk, history_type="-").exists()
    assert not Citation.history.filter(claim_id=claim.pk, history_type="-").exists()


def test_update_with_its_own_export_changes_nothing_after_a_sub_claim_was_added(
    approved_imported_article, editor
):
    """The stored claims are compared in reading order: a sub-claim added after import under an
    early bullet is where the export puts it, so nothing goes back to the board."""
    from articles.services import claim_add

    first = (
        Claim.objects.of_article(approved_imported_article)
        .filter(parent__isnull=True)
        .order_by("section__order", "order")[1]
    )
    claim_add(
        section=first.section, parent=first, text="A later sub-claim", actor=editor, reason="Added"
    )
    before = statuses(approved_imported_article)

    result = update_with(article_as_markdown(approved_imported_article), editor)

    assert result.changes == []
    assert statuses(approved_imported_article) == before
