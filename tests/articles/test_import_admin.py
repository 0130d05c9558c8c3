"""The admin import page: an editor uploads a .md file and sees the same messages as the command."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.interchange.read import read_import_file
from articles.models import Article, Claim, Reference
from tests.articles.builders import SEED_PATH

pytestmark = pytest.mark.django_db

SEED = SEED_PATH
DEMO = Path(settings.BASE_DIR) / "articles" / "demo" / "calcium-deposits.md"
IMPORT_URL = reverse("admin:articles_article_import")


def upload(client, *, text: str | None = None, name: str = "calcium-deposits.md", **options):
    content = (text if text is not None else SEED.read_text(encoding="utf-8")).encode()
    data = {"file": SimpleUploadedFile(name, content, content_type="text/markdown"), **options}
    return client.post(IMPORT_URL, data, follow=True)


def test_changelist_links_to_the_import_page(client, editor):
    client.force_login(editor)

    response = client.get(reverse("admin:articles_article_changelist"))

    assert IMPORT_URL in response.content.decode()
    assert client.get(IMPORT_URL).status_code == 200


def test_refused_upload_lists_every_problem_with_its_line(client, editor):
    client.force_login(editor)

    response = upload(client)

    page = response.content.decode()
    assert "3 problems, nothing was written" in page
    for line, number in [(39, 3), (75, 6), (105, 7)]:
        assert f"Line {line}: Reference [{number}] is cited" in page
    assert not Article.objects.exists()
    assert not Reference.objects.exists()


def test_upload_with_missing_references_allowed_imports_the_seed(client, editor):
    client.force_login(editor)

    response = upload(client, allow_missing_references="on")

    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:articles_article_change", args=[article.pk]
    )
    assert "Imported “What does it mean to have calcium deposits in tissues?”" in (
        response.content.decode()
    )
    assert Claim.objects.of_article(article).count() == 43
    assert article.history.get().history_change_reason == "Imported from calcium-deposits.md"


def test_upload_with_update_reports_the_changes(client, editor):
    client.force_login(editor)
    upload(client, allow_missing_references="on")
    revised = SEED.read_text(encoding="utf-8").replace("Damaged heart valves", "Damaged valves")

    response = upload(client, text=revised, allow_missing_references="on", update="on")

    claim = Claim.objects.get(wordings__text="Damaged valves")
    assert f"line 40: claim “{claim.summary(60)}” changed." in response.content.decode()


def test_upload_that_is_not_utf8_is_refused(client, editor):
    client.force_login(editor)

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("a.md", "é".encode("latin-1"))})

    assert "The file is not UTF-8 text." in response.content.decode()


def test_board_reviewer_cannot_import(client, reviewer):
    client.force_login(reviewer)

    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, allow_missing_references="on").status_code == 403
    assert not Article.objects.exists()


def test_upload_over_the_size_limit_is_refused_with_the_commands_message(
    client, editor, settings, monkeypatch
):
    """The admin reads no more of the upload than the command reads of a file."""
    settings.EDITORIAL_IMPORT_MAX_BYTES = 1000
    positions = []

    def read_and_note_position(upload, *, source_name):
        try:
            return read_import_file(upload, source_name=source_name)
        finally:
            positions.append(upload.tell())

    monkeypatch.setattr("desk.admin.editors_import.read_import_file", read_and_note_position)
    client.force_login(editor)

    response = upload(client, text=DEMO.read_text(encoding="utf-8"), name="seed.md")

    page = response.content.decode()
    assert response.status_code == 200
    assert "was not imported: fix the 1 problem(s) below." in page
    assert (
        "Line 1: The file is larger than 1000 bytes, the most an import reads "
        "(EDITORIAL_IMPORT_MAX_BYTES): split the article into smaller ones." in page
    )
    assert positions == [1001]
    assert not Article.objects.exists()
    assert not Reference.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("---\ntitle: Ça?\n".encode("utf-16"), "Line 1: The file is UTF-16 text, not UTF-8"),
        (bytes(range(256)), "Line 2: The file is not UTF-8 text. Save it as UTF-8"),
        (b"---\ntitle: A\x00B\n", "Line 2: contains a control character (U+0000)"),
    ],
    ids=["UTF-16", "binary", "NUL byte"],
)
def test_upload_that_is_not_text_is_refused_with_a_clear_message(client, editor, content, message):
    client.force_login(editor)

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("odd.md", content)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_upload_name_is_shown_without_characters_that_disguise_it(client, editor):
    """A right-to-left override would show “seed\u202egpj.md” as “seeddm.jpg”."""
    client.force_login(editor)
    text = DEMO.read_text(encoding="utf-8")

    response = upload(client, text=text, name="seed\u202egpj.md", allow_missing_references="on")

    assert "Imported “What does it mean" in response.content.decode()
    assert "\u202e" not in response.content.decode()
    assert Article.objects.get().history.get().history_change_reason == ("Imported from seedgpj.md")
