"""docs/invariants.md#i9-faithful-interchange, faithful interchange (issue 17): exporting any
article and importing the file with ``--update`` changes nothing and reopens nothing, whatever text
the admin accepted; and importing it under another slug gives the same article.

The named examples are the cases the issue reported; the property tries arbitrary texts (any
Unicode, line breaks, Markdown-looking text) in every field the format carries, on an article
approved through the real workflow.
"""

import pytest
from django.core.validators import URLValidator
from django.db import transaction
from hypothesis import assume, given
from hypothesis import strategies as st

from articles.choices import ClaimKind, ReadingLevel, ReviewStatus
from articles.interchange.export import article_as_markdown
from articles.models import Article, Claim, Reference, Section, Wording
from articles.services import article_import, reference_update, wording_set
from tests.articles.outlines import stored_outline
from tests.articles.test_import_properties import import_settings
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    article_with_claims,
)
from tests.workflow import assign_and_approve

pytestmark = pytest.mark.django_db

TRACKED = (Article, Section, Claim, Wording, Reference)


def history_rows() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in TRACKED}


def texts(article: Article) -> dict:
    """Everything the format carries, as stored: title, outline, every wording, references
    (shared: a copy of the article cites the same rows)."""
    article = Article.objects.get(pk=article.pk)
    claims = Claim.objects.of_article(article).prefetch_related("wordings")
    return {
        "title": article.title,
        "outline": stored_outline(article),
        "wordings": sorted(
            tuple(sorted(claim.texts_by_level().items())) for claim in claims.order_by("pk")
        ),
        "references": sorted(
            tuple(getattr(reference, name) for name in (*Reference.BIBLIOGRAPHIC_FIELDS, "pk"))
            for reference in Reference.objects.filter(citations__claim__in=claims).distinct()
        ),
    }


def assert_update_with_own_export_changes_nothing(article: Article, editor) -> str:
    """Export, import with --update as the same slug: no change, no reopening, no history."""
    before, rows = texts(article), history_rows()
    status = (article.review_status, article.round)
    exported = article_as_markdown(article)

    result = article_import(
        source_text=exported, actor=editor, update=True, source_name="export.md"
    )

    article = Article.objects.get(pk=article.pk)
    assert result.changes == []
    assert (article.review_status, article.round) == status
    assert texts(article) == before
    assert history_rows() == rows
    return exported


def imported_under_another_slug(exported: str, article: Article, editor) -> Article:
    copy = exported.replace(f"slug: {article.slug}\n", "slug: the-copy\n", 1)
    return article_import(source_text=copy, actor=editor, source_name="copy.md").article


@pytest.fixture
def article(editor) -> Article:
    """A submitted article of three claims citing one reference, to edit and then approve;
    numbered 1, 2, 3 as the admin numbers them (an import renumbers what is not)."""
    article = article_with_claims(claims=3, editor=editor)
    Section.objects.filter(article=article).update(order=1)
    for order, claim in enumerate(Claim.objects.of_article(article).order_by("order"), start=1):
        Claim.objects.filter(pk=claim.pk).update(order=order)
    return article


@pytest.fixture
def approve(editor, reviewer, approver):
    """Approve the article through the real workflow (assignment, decisions, approval)."""

    def approve_article(article: Article) -> Article:
        article = assign_and_approve(
            Article.objects.get(pk=article.pk), editor=editor, reviewer=reviewer, approver=approver
        )
        assert article.review_status == ReviewStatus.APPROVED
        return article

    return approve_article


def edited_wording(article: Article, editor, text: str, level=ReadingLevel.CLINICIAN) -> Claim:
    """Write a wording of the first claim as the admin's claim form does (stripped)."""
    claim = Claim.objects.of_article(article).order_by("order").first()
    wording_set(claim=claim, level=level, text=text.strip(), actor=editor, reason="Admin edit")
    return claim


@pytest.mark.parametrize(
    "wording",
    ["Calcium deposits form in damaged tissue.\r\nThey rarely need treatment.", "One\ntwo"],
    ids=["admin text box CRLF", "LF"],
)
def test_i9_wording_with_a_line_break_updates_as_no_change_and_stays_approved(
    article, editor, approve, wording
):
    claim = edited_wording(article, editor, wording)
    article = approve(article)

    assert_update_with_own_export_changes_nothing(article, editor)

    assert claim.wordings.get(level=ReadingLevel.CLINICIAN).text == wording


def test_i9_wording_line_starting_with_a_heading_marker_stays_in_the_wording(
    article, editor, approve
):
    edited_wording(article, editor, "Staging:\n## Stage 2 is not a section")
    article = approve(article)
    sections = Section.objects.filter(article=article).count()

    exported = assert_update_with_own_export_changes_nothing(article, editor)

    copy = imported_under_another_slug(exported, article, editor)
    assert Section.objects.filter(article=copy).count() == sections
    assert texts(copy) == texts(article)


def test_i9_wording_line_starting_with_a_bullet_stays_in_the_wording(article, editor, approve):
    edited_wording(article, editor, "Causes include:\n- trauma\n- surgery")
    article = approve(article)
    claims = Claim.objects.of_article(article).count()

    exported = assert_update_with_own_export_changes_nothing(article, editor)

    copy = imported_under_another_slug(exported, article, editor)
    assert Claim.objects.of_article(copy).count() == claims
    assert texts(copy) == texts(article)


def test_i9_wording_ending_in_a_bracketed_number_is_text_not_a_citation(article, editor, approve):
    edited_wording(article, editor, "Repeat the test at week [2]")
    article = approve(article)

    exported = assert_update_with_own_export_changes_nothing(article, editor)

    assert "week \\[2] [1]" in exported


@pytest.mark.parametrize(
    "wording",
    ["- 5 mg is the usual dose.", "1. Stop the drug.", "> Quoted from the guideline."],
    ids=["dash", "numbered", "quote"],
)
def test_i9_wording_starting_with_a_markdown_marker_imports_and_changes_nothing(
    article, editor, approve, wording
):
    edited_wording(article, editor, wording)
    article = approve(article)

    exported = assert_update_with_own_export_changes_nothing(article, editor)

    assert texts(imported_under_another_slug(exported, article, editor)) == texts(article)


def test_i9_reference_with_an_ftp_link_imports_and_changes_nothing(article, editor, approve):
    reference = Reference.objects.filter(citations__claim__section__article=article).first()
    reference_update(
        reference=reference,
        url="ftp://ftp.example.org/papers/calcification.pdf",
        actor=editor,
        reason="Admin edit",
    )
    article = approve(article)

    assert_update_with_own_export_changes_nothing(article, editor)


@pytest.mark.parametrize(
    "heading, title",
    [
        ("C# and F#", "What is C#?\n---\nA second line"),
        ("Doses\tin\u00a0mg  (two spaces)", "Tab\tand\u2028separator"),
        ("Back\\slash \\[1] &#10; &amp;", "Line one\r\nline two"),
    ],
    ids=["closing hashes, fence in title", "whitespace", "escapes as text"],
)
def test_i9_headings_and_titles_of_any_text_round_trip(article, editor, approve, heading, title):
    from articles.services import article_retitle, section_rename

    section = Section.objects.filter(article=article).get()
    section_rename(section=section, heading=heading, level=3, actor=editor, reason="Admin edit")
    article = article_retitle(article=article, title=title, actor=editor, reason="Admin edit")
    article = approve(article)

    exported = assert_update_with_own_export_changes_nothing(article, editor)

    assert texts(imported_under_another_slug(exported, article, editor)) == texts(article)


def test_i9_student_and_patient_wordings_are_exported_and_imported(article, editor, approve):
    edited_wording(article, editor, "Small hard\nspots [3]", level=ReadingLevel.PATIENT)
    edited_wording(article, editor, "- Deposits of calcium", level=ReadingLevel.STUDENT)
    article = approve(article)

    exported = assert_update_with_own_export_changes_nothing(article, editor)

    assert "  > student: - Deposits of calcium\n  > patient: Small hard&#xA;spots [3]\n" in (
        exported
    )
    assert texts(imported_under_another_slug(exported, article, editor)) == texts(article)


def test_i9_update_with_a_changed_patient_wording_sends_the_claim_back(article, editor, approve):
    edited_wording(article, editor, "Small hard spots", level=ReadingLevel.PATIENT)
    article = approve(article)
    exported = article_as_markdown(article)

    result = article_import(
        source_text=exported.replace("patient: Small hard spots", "patient: Tiny hard spots"),
        actor=editor,
        update=True,
        source_name="revised.md",
    )

    article = Article.objects.get(pk=article.pk)
    assert article.review_status == ReviewStatus.UNDER_REVIEW
    assert len(result.changes) == 1
    claim = Claim.objects.of_article(article).order_by("order").first()
    assert claim.texts_by_level()[ReadingLevel.PATIENT] == "Tiny hard spots"


# The property: any texts the admin accepts, in every field the format carries.

MARKDOWN_PIECES = st.sampled_from(
    [
        "\r\n", "\n", "\r", "\t", "  ", " ", "\u00a0", "\u2028", "\x85", "\x07", "\ufeff",
        "## ", "# ", "- ", "* ", "+ ", "1. ", "2) ", "> ", "```", "~~~", "---", "===", "<div>",
        "[2]", " [1, 2]", "[3-4]", "[", "]", "\\", "\\[", "&#10;", "&#x41;", "&amp;", "&", "#",
        "|", "_", "`", ":", "patient: ", "student:", "10.1000/x",
    ]
)  # fmt: skip
# What a browser can send and the admin's forms keep: no NUL (refused), no lone surrogate
# (not UTF-8), stripped (Django's CharField strips).
any_characters = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12
)
admin_text = (
    st.lists(st.one_of(any_characters, MARKDOWN_PIECES), min_size=1, max_size=8)
    .map("".join)
    .map(str.strip)
    .filter(bool)
)
optional_text = st.one_of(st.just(""), admin_text)
url = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(URLValidator.schemes),
    st.sampled_from(["example.org", "ftp.example.org", "例え.jp", "[::1]", "localhost:8080"]),
    st.text(alphabet=st.characters(exclude_categories=("Cs", "Z", "C")), max_size=12),
)
claim_strategy = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(ClaimKind.values),
        ReadingLevel.CLINICIAN: admin_text,
        ReadingLevel.STUDENT: optional_text,
        ReadingLevel.PATIENT: optional_text,
        "sub_claims": st.lists(admin_text, max_size=1),
        "cites": st.booleans(),
    }
)
article_strategy = st.fixed_dictionaries(
    {
        "title": admin_text.map(lambda text: text[:300].strip()).filter(bool),
        "sections": st.lists(
            st.tuples(
                admin_text.map(lambda text: text[:300].strip()).filter(bool),
                st.sampled_from([2, 3]),
                st.lists(claim_strategy, min_size=1, max_size=2),
            ),
            min_size=1,
            max_size=2,
        ),
        "reference": st.fixed_dictionaries(
            {
                "title": admin_text,
                "authors": optional_text,
                "source": optional_text,
                "url": st.one_of(st.just(""), url),
            }
        ),
    }
)


def admin_accepts_url(value: str) -> bool:
    if not value:
        return True
    try:
        URLValidator()(value)
    except Exception:
        return False
    return len(value) <= 500


def article_from(example: dict, editor) -> Article:
    """The example as stored once typed into the admin (texts stripped, wordings by level)."""
    article = ArticleFactory(title=example["title"], slug="typed-in-the-admin", created_by=editor)
    reference = ReferenceFactory(**example["reference"])
    for order, (heading, level, claims) in enumerate(example["sections"], start=1):
        section = SectionFactory(article=article, heading=heading, level=level, order=order)
        position = 0
        for claim in claims:
            position += 1
            kind = claim["kind"] if not claim["sub_claims"] else ClaimKind.BULLET
            cites = [reference] if claim["cites"] else []
            parent = ClaimFactory(section=section, order=position, kind=kind, cites=cites)
            set_wordings(parent, claim)
            for text in claim["sub_claims"]:
                position += 1
                sub = ClaimFactory(section=section, order=position, parent=parent, cites=cites)
                set_wordings(sub, {ReadingLevel.CLINICIAN: text})
    return article


def set_wordings(claim: Claim, texts_by_level: dict) -> None:
    for level in ReadingLevel.values:
        if texts_by_level.get(level):
            Wording.objects.update_or_create(
                claim=claim, level=level, defaults={"text": texts_by_level[level]}
            )


@import_settings
@given(example=article_strategy)
def test_i9_export_then_update_changes_nothing_for_any_text_the_admin_accepts(
    editor, reviewer, approver, example
):
    assume(admin_accepts_url(example["reference"]["url"]))
    with transaction.atomic():
        article = assign_and_approve(
            article_from(example, editor), editor=editor, reviewer=reviewer, approver=approver
        )
        assert article.review_status == ReviewStatus.APPROVED

        exported = assert_update_with_own_export_changes_nothing(article, editor)

        copy = imported_under_another_slug(exported, article, editor)
        assert texts(copy) == texts(article)
        transaction.set_rollback(True)
