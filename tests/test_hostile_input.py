"""No 500 from what a client sends (issue 17): cookies, headers and bodies holding NUL, oversize
or malformed values get a page, a refusal or a redirect on every admin and reader address, for
anonymous visitors, editors and board reviewers alike (run it on PostgreSQL, which refuses NUL)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from articles.choices import ClaimStatus
from articles.models import Claim
from reviewers import services as reviewer_services
from tests.factories import article_with_claims
from tests.workflow import assign_and_start

pytestmark = pytest.mark.django_db

LONG = "x" * 9000
LOGIN = "/admin/login/"
FAILED_LOGIN = {"username": "nobody", "password": "wrong", "level": "patient"}

COOKIES = {
    "sessionid octal NUL": 'sessionid="abcdefgh\\000ijklmnopqrstuvwxyz"',
    "sessionid raw NUL": "sessionid=abcdefgh\x00ijklmnopqrstuvwxyz",
    "sessionid oversize": f"sessionid={LONG}",
    "sessionid not ASCII": "sessionid=ééééééééééééééé",
    "csrftoken NUL": 'csrftoken="\\000abcdefghijklmnopqrstuvwxyz"',
    "csrftoken oversize": f"csrftoken={LONG}",
    "reading level NUL": 'reading_level="pa\\000tient"',
    "reading level oversize": f"reading_level={LONG}",
    "malformed": ';;;=;=="\\;sessionid;\x00=\x00',
}
HEADERS = {
    "Host NUL": {"HTTP_HOST": "exa\x00mple.com"},
    "Host oversize": {"HTTP_HOST": "a" * 5000},
    "Host open bracket": {"HTTP_HOST": "[::1"},
    "Host huge port": {"HTTP_HOST": "testserver:99999999999"},
    "If-None-Match NUL": {"HTTP_IF_NONE_MATCH": '"a\x00b"'},
    "If-None-Match garbage": {"HTTP_IF_NONE_MATCH": '"""W/' + LONG},
    "If-Modified-Since garbage": {"HTTP_IF_MODIFIED_SINCE": "yesterday-ish"},
    "If-Modified-Since NUL": {"HTTP_IF_MODIFIED_SINCE": "Mon, 01 Jan 2024 00:00:00 GMT\x00"},
    "If-Modified-Since year 99999": {"HTTP_IF_MODIFIED_SINCE": "Mon, 01 Jan 99999 00:00:00 GMT"},
    "Accept-Language huge": {"HTTP_ACCEPT_LANGUAGE": "en-US;q=0.5," * 5000},
    "X-Forwarded-For garbage": {"HTTP_X_FORWARDED_FOR": "1.2.3.4, not-an-address"},
    "X-Forwarded-For NUL": {"HTTP_X_FORWARDED_FOR": "1.2.3.4, \x00"},
    "User-Agent NUL and oversize": {"HTTP_USER_AGENT": "\x00" + LONG},
    "Accept NUL": {"HTTP_ACCEPT": "text/html\x00"},
    "Referer and Origin garbage": {"HTTP_REFERER": "http://[::1/\x00", "HTTP_ORIGIN": "null"},
    "Sec-Fetch-Site garbage": {"HTTP_SEC_FETCH_SITE": "same-origin" * 500},
}
FORM = "application/x-www-form-urlencoded"
BODIES = {
    "raw NUL bytes": (FORM, b"username=a\x00b&password=x&level=pa\x00tient&comment=a\x00b&q=\x00"),
    "invalid UTF-8": (FORM, b"username=\xff\xfe&password=\xc3&level=\x80&comment=\xed\xa0\x80"),
    "JSON": ("application/json", b'{"username": "a\\u0000", "level": "patient"}'),
    "plain text NUL": ("text/plain", b"\x00\x00level=patient"),
    "truncated multipart": (
        "multipart/form-data; boundary=XX",
        b'--XX\r\nContent-Disposition: form-data; name="comment"\r\n\r\nval',
    ),
    "multipart without boundary": ("multipart/form-data", b"--XX\r\n"),
    "multipart NUL": (
        "multipart/form-data; boundary=XX",
        b'--XX\r\nContent-Disposition: form-data; name="username"\r\n\r\na\x00b\r\n--XX--\r\n',
    ),
}


@pytest.fixture
def addresses(approved_article, reviewer) -> list[str]:
    """Admin and reader pages, the review screen and the report form included."""
    assignment = approved_article.assignments.get(reviewer=reviewer)
    claim = Claim.objects.of_article(approved_article).first()
    return [
        LOGIN,
        "/admin/",
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[approved_article.pk]),
        reverse("admin:desk_review", args=[assignment.pk]),
        reverse("admin:desk_review_decide", args=[assignment.pk]),
        "/",
        f"/articles/{approved_article.slug}/",
        f"/articles/{approved_article.slug}/clinician/",
        reverse("articles:report_problem", args=[approved_article.slug, claim.pk]),
        "/editorial-policy/",
        "/board/",
    ]


@pytest.mark.parametrize("who", ["anonymous", "editor", "reviewer"])
def test_no_cookie_header_or_body_makes_a_server_error(who, addresses, editor, reviewer, settings):
    settings.EDITORIAL_PROXY_COUNT = 1  # X-Forwarded-For is read (and stored by axes)
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login({"editor": editor, "reviewer": reviewer}[who])
    failures = []

    def check(label, response):
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code}")

    for url in addresses:
        for name, cookie in COOKIES.items():
            check(f"GET {url} cookie {name}", client.get(url, HTTP_COOKIE=cookie))
            check(f"POST {url} cookie {name}", client.post(url, FAILED_LOGIN, HTTP_COOKIE=cookie))
        for name, headers in HEADERS.items():
            check(f"GET {url} {name}", client.get(url, **headers))
            check(f"POST {url} {name}", client.post(url, FAILED_LOGIN, **headers))
        for name, (content_type, body) in BODIES.items():
            check(f"POST {url} {name}", client.generic("POST", url, body, content_type))
        check(f"GET {url}%00", client.get(f"{url}%00"))
    assert failures == []


def test_a_session_cookie_holding_nul_is_ignored_and_the_login_page_answers(client):
    """Issue 17: ``sessionid="\\000…"`` made every admin page a 500, the login included."""
    cookie = 'sessionid="abcdefgh\\000ijklmnopqrstuvwxyz"'

    login = client.get(LOGIN, HTTP_COOKIE=cookie)
    desk = client.get("/admin/", HTTP_COOKIE=cookie)

    assert login.status_code == 200
    assert "Username" in login.text
    assert desk.status_code == 302
    assert desk.url.startswith(LOGIN)


def test_a_username_longer_than_any_gets_the_forms_error(client, editor):
    """Issue 17: a 300-character username reached axes' 255-character column, a 500."""
    response = client.post(LOGIN, {"username": "x" * 300, "password": "wrong", "next": "/admin/"})

    assert response.status_code == 200
    assert "at most 150 characters (it has 300)" in response.text
    assert SESSION_KEY not in client.session


def test_a_failed_login_with_nul_in_its_user_agent_is_refused_with_a_message(client, editor):
    """Axes stores the User-Agent of a failed login: a NUL there was a 500."""
    response = client.post(
        LOGIN, {"username": editor.username, "password": "wrong"}, HTTP_USER_AGENT="curl\x00"
    )

    assert response.status_code == 400
    assert "The “User-Agent” header contains a NUL character" in response.text


def test_a_raw_nul_byte_in_a_review_comment_is_refused_and_decides_nothing(
    client, editor, reviewer
):
    """Issue 17: the NUL check read only ``%00``; a raw byte reached PostgreSQL, a 500."""
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    assignment = article.assignments.get(reviewer=reviewer)
    claim = Claim.objects.of_article(article).first()
    digest = reviewer_services.snapshot_digest(claim.snapshot())
    client.force_login(reviewer)

    response = client.generic(
        "POST",
        reverse("admin:desk_review_decide", args=[assignment.pk]),
        f"claim={claim.pk}&seen={digest}&decision=request_changes&comment=Cite it.\x00".encode(),
        FORM,
    )

    assert response.status_code == 400
    assert "“comment” contains a NUL character" in response.text
    assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.PENDING


def test_a_garbage_forwarded_address_counts_under_the_connections_address(client, settings):
    """Axes stores the address in an inet column: garbage there was a DataError."""
    from axes.models import AccessAttempt

    settings.EDITORIAL_PROXY_COUNT = 1
    response = client.post(
        LOGIN, {"username": "nobody", "password": "wrong"}, HTTP_X_FORWARDED_FOR="999.1.1.1"
    )

    assert response.status_code == 200
    assert AccessAttempt.objects.get(username="nobody").ip_address == "127.0.0.1"
