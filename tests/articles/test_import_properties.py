"""Properties of the import on files nobody checked (issue 9), tried with Hypothesis.

Whatever the text, ``read_article`` returns a plan whose problems name lines of the file, and
``article_import`` either imports it or raises ``ArticleImportRefused`` having written nothing,
history included. Arbitrary text mostly fails at the first line, so most examples are the seed
article with a few random mutations: lines deleted, duplicated, swapped or re-indented, random
characters, YAML anchors and aliases, brackets and numbers inserted.

Examples are derandomized (the same ones on every run) and nothing is stored: no example
database. The DB-writing properties roll each example back, so every example starts empty.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from articles.interchange.plan import ArticleImportRefused
from articles.interchange.read import read_article
from articles.models import Article, Citation, Claim, Reference, Section, Wording
from articles.services import article_import
from tests.hypothesis_profiles import examples

SEED_TEXT = (Path(settings.BASE_DIR) / "articles" / "demo" / "calcium-deposits.md").read_text(
    encoding="utf-8"
)
SEED_LINES = SEED_TEXT.split("\n")
FRONT_MATTER_END = SEED_LINES.index("---", 1)
# The seed with the references it cites but does not list, so it imports without the flag.
COMPLETE_SEED_LINES = [
    *SEED_LINES[:FRONT_MATTER_END],
    *(f"  {number}:\n    title: Reference {number}\n    year: 2020" for number in (3, 6, 7)),
    *SEED_LINES[FRONT_MATTER_END:],
]
IMPORTED_MODELS = (Article, Section, Claim, Wording, Reference, Citation)

# Examples in CI; the Hypothesis profile scales them (tests/hypothesis_profiles.py).
READER_EXAMPLES = 200
IMPORT_EXAMPLES = 50
reader_settings = hypothesis_settings(
    max_examples=examples(READER_EXAMPLES), deadline=None, derandomize=True, database=None
)
import_settings = hypothesis_settings(
    max_examples=examples(IMPORT_EXAMPLES),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)))
yaml_and_markdown_text = st.text(alphabet="-:[]{}&*!|>#\n\t '\",?%@`~=<0123456789abcé\x00\x1b")
any_file = st.one_of(
    any_text,
    st.builds(lambda front, body: f"---\n{front}\n---\n{body}", any_text, any_text),
    st.builds(
        lambda front, body: f"---\n{front}\n---\n{body}",
        yaml_and_markdown_text,
        yaml_and_markdown_text,
    ),
)

INSERTIONS = st.one_of(
    any_text.map(lambda text: text[:8]),
    st.sampled_from(
        [
            "&anchor ",
            "*anchor",
            "<<: *anchor",
            "!!binary ",
            "[",
            "]",
            "{",
            "}",
            "[1]",
            "[0]",
            "[3-1]",
            "[1-99]",
            "[99999]",
            " [2, 4]",
            "- ",
            "  - ",
            "## ",
            "# ",
            "> ",
            "1. ",
            "```",
            "---",
            "...",
            ": ",
            "  ",
            "\t",
            "\x00",
            "\u2028",
            "9" * 30,
            "2025-02-30",
            "yes",
            "~",
        ]
    ),
)
MUTATION = st.tuples(
    st.sampled_from(["delete", "duplicate", "swap", "insert", "indent", "dedent"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
    INSERTIONS,
)


def mutated(mutations: list[tuple[str, int, int, str]], lines: list[str] = SEED_LINES) -> str:
    """The seed with each mutation applied in turn; positions wrap around the lines."""
    lines = list(lines)
    for operation, first, second, insertion in mutations:
        if not lines:
            lines = [insertion]
            continue
        index, other = first % len(lines), second % len(lines)
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, lines[index])
        elif operation == "swap":
            lines[index], lines[other] = lines[other], lines[index]
        elif operation == "insert":
            at = second % (len(lines[index]) + 1)
            lines[index] = lines[index][:at] + insertion + lines[index][at:]
        elif operation == "indent":
            lines[index] = " " * (second % 5 + 1) + lines[index]
        else:
            lines[index] = lines[index][second % 5 + 1 :]
    return "\n".join(lines)


def line_count(text: str) -> int:
    return len(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def assert_problems_name_lines_of(text: str, problems) -> None:
    last_line = line_count(text) + 1  # a problem with the end of the file may name the line after
    for problem in problems:
        assert 1 <= problem.line <= last_line, problem
        assert str(problem).startswith(f"line {problem.line}: ")
        assert problem.message


def note(outcome: str) -> None:
    """Count the outcome in Hypothesis' statistics (pytest --hypothesis-show-statistics)."""
    if currently_in_test_context():
        event(outcome)


def assert_plan_is_sound(text: str, plan) -> None:
    note("valid" if plan.is_valid else "refused")
    assert_problems_name_lines_of(text, plan.problems)
    assert_problems_name_lines_of(text, plan.warnings)
    if plan.is_valid:
        assert plan.title and plan.slug
        assert any(True for _ in plan.claims())
        for _, claim, _ in plan.claims():
            assert claim.text
            assert all(1 <= number <= 9999 for number in claim.citations)


def rows_written() -> dict[str, int]:
    """Rows of every table an import writes, and of their history tables."""
    counts = {}
    for model in IMPORTED_MODELS:
        counts[model.__name__] = model.objects.count()
        counts[f"{model.__name__} history"] = model.history.model.objects.count()
    return counts


def import_and_roll_back(
    text: str, editor, *, allow_missing_references: bool, update_of: str | None = None
) -> None:
    """Import inside a savepoint that is rolled back, checking what was or wasn't written.

    With ``update_of``, that file is imported first and ``text`` is applied as its update.
    """
    with transaction.atomic():
        if update_of is not None:
            article_import(
                source_text=update_of,
                actor=editor,
                allow_missing_references=True,
                source_name="first.md",
            )
        before = rows_written()
        try:
            result = article_import(
                source_text=text,
                actor=editor,
                allow_missing_references=allow_missing_references,
                update=update_of is not None,
                source_name="mutated.md",
            )
        except ArticleImportRefused as refused:
            note("refused")
            assert refused.problems
            assert_problems_name_lines_of(text, refused.problems)
            assert str(refused).startswith("mutated.md was not imported")
            assert rows_written() == before, "a refused import wrote rows"
        else:
            note("imported")
            plan = read_article(text, allow_missing_references=allow_missing_references)
            assert plan.is_valid
            article = result.article
            assert (article.slug, article.title) == (plan.slug, plan.title)
            assert Section.objects.filter(article=article).count() == len(plan.sections)
            assert Claim.objects.of_article(article).count() == sum(1 for _ in plan.claims())
            current = Citation.objects.filter(claim__in=Claim.objects.of_article(article))
            assert current.count() == sum(len(claim.citations) for _, claim, _ in plan.claims())
        transaction.set_rollback(True)


@reader_settings
@given(text=any_file, allow_missing_references=st.booleans())
def test_reader_returns_a_plan_with_line_numbered_problems_for_any_text(
    text, allow_missing_references
):
    plan = read_article(text, allow_missing_references=allow_missing_references)

    assert_plan_is_sound(text, plan)


seeds = st.sampled_from([SEED_LINES, COMPLETE_SEED_LINES])


@reader_settings
@given(
    seed=seeds, mutations=st.lists(MUTATION, min_size=1, max_size=6), allow_missing=st.booleans()
)
def test_reader_returns_a_plan_with_line_numbered_problems_for_a_mutated_seed(
    seed, mutations, allow_missing
):
    text = mutated(mutations, seed)

    plan = read_article(text, allow_missing_references=allow_missing)

    assert_plan_is_sound(text, plan)


@reader_settings
@given(
    seed=seeds,
    mutations=st.lists(MUTATION, max_size=4),
    max_claims=st.integers(min_value=1, max_value=50),
)
def test_reader_stops_at_any_claim_limit_with_a_line_numbered_problem(seed, mutations, max_claims):
    """A small limit stops the Markdown parse part-way (inside lists, say), and the plan stays
    sound: the seed has 43 claims, so under its limit it is always refused."""
    text = mutated(mutations, seed)

    with override_settings(EDITORIAL_IMPORT_MAX_CLAIMS=max_claims):
        plan = read_article(text, allow_missing_references=True)

    assert_plan_is_sound(text, plan)
    assert sum(1 for _ in plan.claims()) <= max_claims + 1
    if not mutations and max_claims < 43:
        assert not plan.is_valid


@reader_settings
@given(
    mutations=st.lists(MUTATION, min_size=1, max_size=4),
    insertion=st.sampled_from(["&a ", "*a", "&a [x, *a]", "! ", "!!str ", "!tag "]),
)
def test_reader_refuses_front_matter_with_any_anchor_alias_or_tag(mutations, insertion):
    """Inserted at the start of a value in the front matter, these always make it refused."""
    text = mutated(mutations)
    lines = text.split("\n")
    fields = [index for index, line in enumerate(lines[1:FRONT_MATTER_END], 1) if ": " in line]
    if not fields or lines[0] != "---" or "---" not in lines[fields[-1] + 1 :]:
        return
    index = fields[len(mutations) % len(fields)]
    lines[index] = lines[index].replace(": ", f": {insertion}", 1)

    plan = read_article("\n".join(lines))

    assert not plan.is_valid
    assert_plan_is_sound("\n".join(lines), plan)


@pytest.mark.django_db
@import_settings
@given(text=any_file, allow_missing_references=st.booleans())
def test_import_of_any_text_imports_or_is_refused_writing_nothing(
    editor, text, allow_missing_references
):
    import_and_roll_back(text, editor, allow_missing_references=allow_missing_references)


@pytest.mark.django_db
@import_settings
@given(
    seed=seeds, mutations=st.lists(MUTATION, min_size=1, max_size=4), allow_missing=st.booleans()
)
def test_import_of_a_mutated_seed_imports_or_is_refused_writing_nothing(
    editor, seed, mutations, allow_missing
):
    text = mutated(mutations, seed)

    import_and_roll_back(text, editor, allow_missing_references=allow_missing)


@pytest.mark.django_db
@import_settings
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4), allow_missing=st.booleans())
def test_update_with_a_mutated_seed_applies_or_is_refused_writing_nothing(
    editor, mutations, allow_missing
):
    text = mutated(mutations, COMPLETE_SEED_LINES)

    import_and_roll_back(text, editor, allow_missing_references=allow_missing, update_of=SEED_TEXT)


@pytest.mark.django_db
def test_property_harness_imports_the_seed_and_catches_a_refusal_that_wrote(editor, monkeypatch):
    """With no mutation the seed imports (so not every example is a refusal), and a refused
    import that had written a row would fail the property."""
    import_and_roll_back(mutated([]), editor, allow_missing_references=True)
    import_and_roll_back(mutated([], COMPLETE_SEED_LINES), editor, allow_missing_references=False)

    def import_that_writes_then_refuses(**kwargs):
        Article.objects.create(title="Written", slug="written", created_by=editor)
        raise ArticleImportRefused([], source_name=kwargs["source_name"])

    monkeypatch.setattr(f"{__name__}.article_import", import_that_writes_then_refuses)
    with pytest.raises(AssertionError):
        import_and_roll_back("anything", editor, allow_missing_references=True)
