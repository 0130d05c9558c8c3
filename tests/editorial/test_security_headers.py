"""Content-Security-Policy and Permissions-Policy on every page, and templates that need no
'unsafe-inline' to keep them."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from articles import services
from tests.articles.builders import seed_article

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
DISABLED_FEATURES = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "browsing-topics",
]


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def permissions(response) -> dict[str, str]:
    return dict(
        item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(",")
    )


@pytest.fixture
def published(editor):
    cache.clear()
    return services.article_publish(article=seed_article(editor=editor), actor=editor)


@pytest.fixture
def reader_paths(published):
    page = reverse("articles:page", kwargs={"slug": published.slug, "level": "clinician"})
    return ["/", page, "/editorial-policy/", "/board/"]


def test_reader_pages_send_the_content_security_policy(client, reader_paths):
    for path in reader_paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert csp_directives(response) == EXPECTED_CSP, path


def test_reader_pages_send_the_permissions_policy(client, reader_paths):
    for path in reader_paths:
        policy = permissions(client.get(path))
        for feature in DISABLED_FEATURES:
            assert policy[feature] == "()", (path, feature)


def test_admin_login_sends_both_policies(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert csp_directives(response) == EXPECTED_CSP
    assert permissions(response)["camera"] == "()"


def test_a_reader_404_sends_both_policies(client):
    response = client.get("/articles/no-such-article/")

    assert response.status_code == 404
    assert "Content-Security-Policy" in response.headers
    assert "Permissions-Policy" in response.headers


def test_cached_article_page_keeps_the_policies(client, published):
    """The page cache stores bodies, not headers: a cache hit is no exception."""
    client.get(published.get_absolute_url(), follow=True)
    response = client.get(published.get_absolute_url(), follow=True)

    assert csp_directives(response) == EXPECTED_CSP
    assert "Permissions-Policy" in response.headers


# Email templates are rendered into messages, never served under the site's policy: mail clients
# drop <link> stylesheets, so their styles stay inline.
SERVED_UNDER_CSP_EXCLUDES = ("reviewers/email/",)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=")
EVENT_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def project_templates() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [settings.BASE_DIR / app / "templates" for app in ("articles", "reviewers")]
    return sorted(
        path
        for root in roots
        if root.is_dir()
        for path in root.rglob("*.html")
        if not any(part in path.as_posix() for part in SERVED_UNDER_CSP_EXCLUDES)
    )


def test_templates_have_no_inline_script_or_style():
    """The policy allows no 'unsafe-inline': scripts and styles live in static/.
    JSON data blocks (JSON-LD, json_script) are not executed and stay allowed."""
    templates = project_templates()
    assert templates
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {pattern.pattern}"
        for path in templates
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER, JAVASCRIPT_URL)
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
