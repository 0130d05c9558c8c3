"""The admin behind the edge: in Compose the edge is the only door (Issue 17), so everything the
admin does must pass nginx's reference configuration, its uploads included."""

import re
import uuid

import pytest

from articles.models import Article
from reviewers.roles import ensure_roles
from tests.factories import EditorFactory
from tests.http_client import Browser

pytestmark = [pytest.mark.edge, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
IMPORT = "/admin/articles/article/import/"


def multipart(fields: dict[str, str], *, name: str, filename: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: text/markdown\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_import_past_nginxs_default_body_size_gets_the_importers_own_answer(nginx, settings):
    """nginx's default stops at 1 MB with a bare 413; a file the importer would take, or refuse
    with a reason, must reach it."""
    ensure_roles()
    editor = EditorFactory()
    browser = Browser(nginx.url)
    fields = {"username": editor.username, "password": PASSWORD, "next": "/admin/"}
    assert browser.post_form("/admin/login/", fields)[0] == 302
    status, page = browser.request("GET", IMPORT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    too_large = b"x" * (settings.EDITORIAL_IMPORT_MAX_BYTES + 1024)  # 2 MB and a bit

    body, content_type = multipart(
        {"csrfmiddlewaretoken": token}, name="file", filename="huge.md", content=too_large
    )
    status, page = browser.request(
        "POST", IMPORT, body=body, headers={"Content-Type": content_type}
    )

    assert status == 200
    assert "The file is larger than 2 MB, the most an import reads" in page
    assert not Article.objects.exists()
