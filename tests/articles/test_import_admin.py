"""The admin import page: an editor uploads a .md file and sees the same messages as the command."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article, Claim, Reference

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR).parent / "shared" / "seed" / "calcium-deposits.md"
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
    assert f"line 40: claim {claim.pk} changed." in response.content.decode()


def test_upload_that_is_not_utf8_is_refused(client, editor):
    client.force_login(editor)

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("a.md", "é".encode("latin-1"))})

    assert "The file is not UTF-8 text." in response.content.decode()


def test_board_reviewer_cannot_import(client, reviewer):
    client.force_login(reviewer)

    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, allow_missing_references="on").status_code == 403
    assert not Article.objects.exists()
