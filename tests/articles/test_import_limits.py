"""Importing files nobody checked (issue 9): a hostile or broken file is refused, line by line.

Every refusal comes out of ``article_import`` as ``ArticleImportRefused`` with its lines, never
as a YAML, Unicode, recursion, memory or database error, and nothing is written.
"""

import io
import itertools
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.interchange.plan import ArticleImportRefused
from articles.interchange.read import import_source_name, read_article, read_import_file
from articles.models import Article, Citation, Claim, Reference, Section, Wording
from articles.services import article_import

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "articles" / "demo" / "calcium-deposits.md"

GOOD_FRONT = """title: Is this a question?
slug: a-question
references:
  1:
    kind: research
    title: A study
    source: Journal of Examples
    year: 2020
"""
GOOD_BODY = "## Answer\n\n- A claim [1]\n"


def article_file(front_matter: str = GOOD_FRONT, body: str = GOOD_BODY) -> str:
    return f"---\n{front_matter}---\n\n{body}"


def refused_problems(text: str, actor, **options) -> list[tuple[int, str]]:
    with pytest.raises(ArticleImportRefused) as refused:
        article_import(source_text=text, actor=actor, source_name="test.md", **options)
    return [(problem.line, problem.message) for problem in refused.value.problems]


def assert_nothing_written():
    for model in (Article, Section, Claim, Wording, Reference, Citation):
        assert not model.objects.exists(), f"{model.__name__} rows were written"
        assert not model.history.exists(), f"{model.__name__} history was written"


def alias_bomb(levels: int = 8) -> str:
    """“Billion laughs”: nine aliases a level, so the title stands for 9**levels strings."""
    names = "abcdefghij"
    lines = ["a: &a [" + ",".join(["lol"] * 9) + "]"]
    for previous, name in itertools.pairwise(names[:levels]):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    front_matter = "\n".join(lines) + f"\ntitle: *{names[levels - 1]}\nslug: lol\n"
    return article_file(front_matter, "## A\n\n- lol\n")


class TestYamlAliases:
    def test_alias_bomb_is_refused_without_being_expanded(self, editor):
        text = alias_bomb()
        assert len(text.encode()) < 400

        tracemalloc.start()
        try:
            problems = refused_problems(text, editor)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

        assert problems == [
            (2, "YAML anchors and aliases (&name, *name) are not allowed in the front matter.")
        ]
        assert peak < 5 * 1024 * 1024
        assert_nothing_written()

    def test_anchor_without_any_alias_is_refused(self, editor):
        text = article_file(GOOD_FRONT.replace("title: A study", "title: &study A study"))

        assert refused_problems(text, editor) == [
            (7, "YAML anchors and aliases (&name, *name) are not allowed in the front matter.")
        ]

    def test_alias_to_another_reference_is_refused_at_the_alias(self, editor):
        text = article_file(
            "title: Is this a question?\nslug: a-question\nreferences:\n"
            "  1: {title: A study, source: A journal}\n  2: *one\n"
        )

        [(line, message)] = refused_problems(text, editor)
        assert line == 6
        assert message.startswith("YAML anchors and aliases")

    def test_alias_bomb_with_a_bad_key_is_refused_without_being_expanded(self):
        """The key lines are read from the composed YAML too, which must not expand aliases."""
        plan = read_article(alias_bomb(levels=9).replace("slug: lol", "slug: [lol"))

        assert [problem.line for problem in plan.problems] == [2]


class TestYamlShapes:
    def test_deeply_nested_front_matter_is_refused_not_a_recursion_error(self, editor):
        text = article_file("title: " + "[" * 100_000 + "\nslug: a\n")

        assert refused_problems(text, editor) == [
            (2, "The front matter is nested more than 10 levels deep.")
        ]

    def test_yaml_tags_are_refused(self, editor):
        text = article_file(GOOD_FRONT.replace("title: A study", "title: !!binary QUJD"))

        [(line, message)] = refused_problems(text, editor)
        assert line == 7
        assert "YAML tags such as “!!binary” are not allowed" in message

    def test_impossible_date_is_refused_with_its_line(self, editor):
        text = article_file(GOOD_FRONT + "last_updated: 2025-02-30\n")

        [(line, message)] = refused_problems(text, editor)
        assert line == 10
        assert "“2025-02-30” cannot be read" in message

    def test_number_with_thousands_of_digits_is_refused_with_its_line(self, editor):
        text = article_file(GOOD_FRONT.replace("year: 2020", "year: " + "9" * 5000))

        [(line, message)] = refused_problems(text, editor)
        assert line == 9
        assert "cannot be read" in message

    def test_key_given_twice_is_refused(self, editor):
        text = article_file(GOOD_FRONT.replace("slug: a-question", "slug: a-question\ntitle: B?"))

        assert refused_problems(text, editor) == [
            (4, "“title” is given twice (first on line 2): keep one.")
        ]

    def test_number_with_a_leading_zero_is_kept_as_written(self):
        """YAML 1.1 reads 010 as octal 8; the front matter reads plain decimals only."""
        plan = read_article(article_file(GOOD_FRONT + "    pmid: 010\n"))

        assert plan.is_valid
        assert plan.references[1].pmid == "010"


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("text", "line", "code"),
        [
            (article_file(GOOD_FRONT.replace("A study", "A\x00study")), 7, "U+0000"),
            (article_file(GOOD_FRONT, "## Answer\n\n- A\x00claim [1]\n"), 14, "U+0000"),
            (article_file(GOOD_FRONT, "## Answer\x1b[31m\n\n- A claim [1]\n"), 12, "U+001B"),
            (article_file(GOOD_FRONT, "## Answer\n\n- A claim\x7f [1]\n"), 14, "U+007F"),
            (article_file(GOOD_FRONT.replace("A study", "A\x85study")), 7, "U+0085"),
            (article_file(GOOD_FRONT.replace("A study", "A\u2028study")), 7, "U+2028"),
        ],
        ids=["NUL in front matter", "NUL in a claim", "escape", "delete", "NEL", "U+2028"],
    )
    def test_control_character_is_refused_with_its_line_and_nothing_written(
        self, editor, text, line, code
    ):
        [(found_line, message)] = refused_problems(text, editor)

        assert found_line == line
        assert f"({code})" in message
        assert_nothing_written()

    def test_nul_byte_names_its_line_as_the_brief_reads(self, editor):
        text = "---\ntitle: Is this a question?\nslug: a-\x00question\n---\n\n" + GOOD_BODY

        assert [str(p) for p in read_article(text).problems] == [
            "line 3: contains a control character (U+0000): delete it (most editors do not "
            "show it)."
        ]

    @pytest.mark.parametrize("escape", ["\\0", "\\x00", "\\u0000", "\\U00000000", "\\ud800"])
    def test_unstorable_character_written_as_a_yaml_escape_is_refused_with_its_line(
        self, editor, escape
    ):
        """Issue 17: the escape reached PostgreSQL and ended in a DataError traceback."""
        front = GOOD_FRONT.replace("source: Journal of Examples", f'source: "Journal {escape} x"')
        [(line, message)] = refused_problems(article_file(front), editor)

        assert line == 8
        assert "written as a YAML escape" in message
        assert_nothing_written()

    def test_tabs_and_windows_line_ends_are_fine(self, editor):
        text = article_file(GOOD_FRONT, "## Answer\n\n- A claim\twith a tab [1]\n")

        result = article_import(
            source_text=text.replace("\n", "\r\n"), actor=editor, source_name="test.md"
        )

        assert result.article.slug == "a-question"

    def test_binary_looking_file_lists_ten_lines_and_counts_the_rest(self):
        text = "\n".join(f"line\x01{number}" for number in range(50))

        problems = read_article(text).problems

        assert [problem.line for problem in problems] == [*range(1, 11), 11]
        assert problems[-1].message.startswith("40 more lines from this one on")


class TestFieldTypes:
    @pytest.mark.parametrize(
        ("value", "kind"),
        [
            ("[What, is, this]", "a list"),
            ("{question: What}", "a set of fields"),
            ("2024", "a number"),
            ("yes", "true or false"),
            ("2024-01-01", "a date"),
        ],
    )
    def test_title_that_is_not_text_is_refused_naming_what_it_is(self, editor, value, kind):
        text = article_file(GOOD_FRONT.replace("Is this a question?", value))

        [(line, message)] = refused_problems(text, editor)
        assert line == 2
        assert message.startswith(f"The title must be text, not {kind}")
        assert_nothing_written()

    def test_slug_that_is_a_number_is_refused(self, editor):
        text = article_file(GOOD_FRONT.replace("slug: a-question", "slug: 2024"))

        assert refused_problems(text, editor) == [
            (3, "The slug must be text, not a number: put it in quotes.")
        ]

    @pytest.mark.parametrize(
        ("field_line", "message"),
        [
            ("source: [A, B]", "the source must be text, not a list."),
            ("doi: {a: b}", "the doi must be text, not a set of fields."),
            ("url: 42", "the url must be text, not a number."),
            ("kind: [research]", "the kind must be text, not a list."),
            ("authors: {Moe: SM}", "the authors must be text or a list of names, not a set"),
            ("authors: [Moe SM, 42]", "each author must be text, not a number."),
            ("pmid: true", "the pmid must be text, not true or false"),
            ("pmid: [1, 2]", "the pmid must be text, not a list."),
        ],
    )
    def test_reference_field_of_the_wrong_type_is_refused(self, editor, field_line, message):
        name = field_line.split(":")[0]
        lines = [line for line in GOOD_FRONT.splitlines() if not line.startswith(f"    {name}:")]
        text = article_file("\n".join(lines) + f"\n    {field_line}\n")

        [(line, found)] = refused_problems(text, editor)
        assert line == len(lines) + 2
        assert found.startswith(f"Reference [1]: {message}")

    def test_reference_title_of_the_wrong_type_is_refused_once(self, editor):
        text = article_file(GOOD_FRONT.replace("title: A study", "title: [A, study]"))

        assert refused_problems(text, editor) == [
            (7, "Reference [1]: the title must be text, not a list.")
        ]

    def test_pmid_written_as_a_bare_number_is_accepted(self, editor):
        text = article_file(GOOD_FRONT + "    pmid: 30675420\n")

        article_import(source_text=text, actor=editor, source_name="test.md")

        assert Reference.objects.get().pmid == "30675420"

    def test_citation_number_too_large_to_be_a_reference_is_refused(self, editor):
        text = article_file(GOOD_FRONT, "## Answer\n\n- A claim [1, " + "9" * 5000 + "]\n")

        [(line, message)] = refused_problems(text, editor, allow_missing_references=True)
        assert line == 14
        assert "is not a reference number: number references from 1 to 9999" in message
        assert_nothing_written()


class TestMarkdownShapes:
    def test_deeply_nested_block_quotes_are_refused(self, editor):
        text = article_file(GOOD_FRONT, "## Answer\n\n- A claim [1]\n\n" + "> " * 100_000 + "x\n")

        assert refused_problems(text, editor) == [
            (16, "A block quote is not part of the import format.")
        ]

    def test_deeply_nested_bullets_are_refused(self, editor):
        bullets = "".join("  " * depth + "- x\n" for depth in range(1000))
        text = article_file(GOOD_FRONT, "## Answer\n\n" + bullets)

        [(line, message)] = refused_problems(text, editor)
        assert line == 16
        assert message == "Bullets nest one level deep: this sub-bullet is nested deeper."

    def test_heading_inside_a_bullet_is_not_a_section(self, editor):
        text = article_file(GOOD_FRONT, "## Answer\n\n- A claim [1]\n\n  ## More\n")

        [(line, message)] = refused_problems(text, editor)
        assert (line, message[:22]) == (16, "“## More” is inside a ")

    def test_link_definition_line_is_a_claim_not_dropped(self):
        plan = read_article(article_file(GOOD_FRONT, GOOD_BODY + "\n[1]: Smith et al.\n"))

        assert [claim.text for _, claim, _ in plan.claims()] == ["A claim", "[1]: Smith et al."]

    def test_long_run_of_brackets_in_a_claim_is_its_text(self):
        plan = read_article(article_file(GOOD_FRONT, "## Answer\n\n- " + "[" * 100_000 + " [1]\n"))

        assert plan.is_valid
        [(_, claim, _)] = plan.claims()
        assert (len(claim.text), claim.citations) == (100_000, [1])

    def test_many_problems_are_listed_up_to_a_hundred(self):
        plan = read_article(article_file(GOOD_FRONT, GOOD_BODY + "\n***\n" * 150))

        assert len(plan.problems) == 101
        assert plan.problems[-1].message == "50 more problems from this line on are not listed."


class TestSizeLimit:
    def test_file_over_the_limit_is_refused_before_it_is_read(self, editor, settings):
        settings.EDITORIAL_IMPORT_MAX_BYTES = 1000
        text = article_file(GOOD_FRONT, GOOD_BODY + "\n- Another claim [1]\n" * 100)

        assert refused_problems(text, editor) == [
            (
                1,
                "The file is larger than 1000 bytes, the most an import reads "
                "(EDITORIAL_IMPORT_MAX_BYTES): split the article into smaller ones.",
            )
        ]
        assert_nothing_written()

    def test_limit_counts_utf8_bytes_not_characters(self, settings):
        settings.EDITORIAL_IMPORT_MAX_BYTES = 1000
        text = article_file(GOOD_FRONT, GOOD_BODY + "\n- Ça " + "é" * 500 + " [1]\n")
        assert len(text) < 1000 < len(text.encode())

        assert read_article(text).problems[0].message.startswith("The file is larger than 1000")

    def test_default_limit_is_two_megabytes(self):
        assert settings.EDITORIAL_IMPORT_MAX_BYTES == 2 * 1024 * 1024
        assert settings.EDITORIAL_IMPORT_MAX_CLAIMS == 2000

    def test_reading_a_file_takes_at_most_the_limit_and_one_byte(self, settings):
        settings.EDITORIAL_IMPORT_MAX_BYTES = 1000

        class RecordingFile(io.BytesIO):
            asked: list[int] = []

            def read(self, size=-1):
                self.asked.append(size)
                return super().read(size)

        huge = RecordingFile(b"x" * 1_000_000)
        with pytest.raises(ArticleImportRefused, match="larger than 1000 bytes"):
            read_import_file(huge, source_name="huge.md")

        assert RecordingFile.asked == [1001]
        assert huge.tell() == 1001

    def test_command_refuses_a_file_over_the_limit(self, editor, settings, tmp_path):
        settings.EDITORIAL_IMPORT_MAX_BYTES = 1000
        path = tmp_path / "huge.md"
        path.write_text(article_file(GOOD_FRONT, GOOD_BODY + "\n- Another claim [1]\n" * 100))

        with pytest.raises(CommandError) as refused:
            call_command("import_article", str(path), "--as", editor.username)

        assert str(refused.value) == (
            "huge.md was not imported (1 problem):\n  line 1: The file is larger than 1000 "
            "bytes, the most an import reads (EDITORIAL_IMPORT_MAX_BYTES): split the article "
            "into smaller ones."
        )
        assert_nothing_written()

    def test_command_refuses_a_file_that_is_not_utf8_with_the_line(self, editor, tmp_path):
        path = tmp_path / "latin1.md"
        path.write_bytes(
            article_file(GOOD_FRONT, "## Réponse\n\n- A claim [1]\n").encode("latin-1")
        )

        with pytest.raises(CommandError, match=r"line 12: The file is not UTF-8 text\. .* 0xE9"):
            call_command("import_article", str(path), "--as", editor.username)
        assert_nothing_written()


class TestClaimLimit:
    def test_file_with_more_claims_than_the_limit_is_refused_at_the_first_claim_over(
        self, editor, settings
    ):
        settings.EDITORIAL_IMPORT_MAX_CLAIMS = 5
        text = article_file(GOOD_FRONT, "## Answer\n\n" + "- A claim [1]\n" * 6)

        assert refused_problems(text, editor) == [
            (
                19,
                "The article has more than 5 claims, the most an import takes "
                "(EDITORIAL_IMPORT_MAX_CLAIMS): split it into several articles.",
            )
        ]
        assert_nothing_written()

    def test_file_with_as_many_claims_as_the_limit_imports(self, editor, settings):
        settings.EDITORIAL_IMPORT_MAX_CLAIMS = 5
        body = "## Answer\n\n- A claim [1]\n  - A sub-claim\n\n" + "Paragraph.\n\n" * 3
        text = article_file(GOOD_FRONT, body)

        article = article_import(source_text=text, actor=editor, source_name="t.md").article

        assert Claim.objects.of_article(article).count() == 5

    def test_sections_count_against_the_limit_too(self, editor, settings):
        settings.EDITORIAL_IMPORT_MAX_CLAIMS = 5
        text = article_file(GOOD_FRONT, GOOD_BODY + "## Empty\n" * 5)

        [(line, message)] = refused_problems(text, editor)
        assert line == 19
        assert message.startswith("The article has more than 5 sections")

    def test_references_count_against_the_limit_too(self, editor, settings):
        settings.EDITORIAL_IMPORT_MAX_CLAIMS = 5
        claims = "".join(f"- Claim {number} [{number}]\n" for number in range(1, 6))
        text = article_file(GOOD_FRONT, "## Answer\n\n" + claims + "- Sixth [6, 7]\n")

        [(line, message)] = refused_problems(text, editor, allow_missing_references=True)
        assert message.startswith("The article has more than 5 claims")

        text = article_file(GOOD_FRONT, "## Answer\n\n- Many [1-6]\n")
        [(line, message)] = refused_problems(text, editor, allow_missing_references=True)
        assert line == 14
        assert message.startswith("The file cites more than 5 references")
        assert_nothing_written()

    def test_body_far_too_long_stops_being_read(self, settings):
        """Bullets outside any section are not claims, but reading them costs all the same."""
        settings.EDITORIAL_IMPORT_MAX_CLAIMS = 5
        text = article_file(GOOD_FRONT, "- Not in a section\n" * 10_000)

        plan = read_article(text)

        assert [problem.message[:30] for problem in plan.problems] == [
            "Claims must come under a “##” ",
            "The file is too long for the 5",
        ]
        assert plan.problems[-1].line < 200


class TestSourceName:
    def test_import_records_only_the_files_own_name(self, editor):
        text = article_file()

        article_import(source_text=text, actor=editor, source_name="C:\\Users\\ed\\a\u202egpj.md")

        assert Article.objects.get().history.get().history_change_reason == (
            "Imported from a?gpj.md"
        )

    def test_long_name_is_kept_whole(self):
        name = "a" * 300 + ".md"

        assert import_source_name(name) == name
        assert import_source_name("/tmp/\n") == "?"
        assert import_source_name("  ") == "the uploaded file"


def test_seed_copy_in_the_repository_still_imports(editor):
    result = article_import(
        source_text=SEED.read_text(encoding="utf-8"),
        actor=editor,
        allow_missing_references=True,
        source_name=SEED.name,
    )

    assert Claim.objects.of_article(result.article).count() == 43
