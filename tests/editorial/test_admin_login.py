"""Brute-force protection of the admin login (django-axes): five wrong passwords for one
username from one address lock that pair out for an hour, on a page in the admin's look."""

import pytest
from django.test import Client

from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery"  # tests.factories.UserFactory
LOCKED = "Too many failed login attempts"


def log_in(client: Client, username: str, password: str, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **headers
    )


def fail(client: Client, username: str, times: int, **headers) -> None:
    for _ in range(times):
        log_in(client, username, "wrong password", **headers)


def test_the_right_password_logs_in():
    editor = EditorFactory()

    response = log_in(Client(), editor.username, PASSWORD)

    assert response.status_code == 302
    assert response.url == "/admin/"


def test_five_wrong_passwords_lock_out_even_the_right_one():
    editor = EditorFactory()
    client = Client()
    fail(client, editor.username, 5)

    response = log_in(client, editor.username, PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.text
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_out():
    editor = EditorFactory()
    client = Client()
    fail(client, editor.username, 4)

    assert log_in(client, editor.username, PASSWORD).status_code == 302


def test_lockout_page_is_in_the_admins_look():
    editor = EditorFactory()
    client = Client()
    fail(client, editor.username, 5)

    response = log_in(client, editor.username, PASSWORD)

    assert 'href="/static/admin/css/login.css"' in response.text
    assert '<body class=" login"' in response.text
    assert "Wait 1\xa0hour without trying" in response.text  # Django's timeuntil, no-break space
    assert "ask an administrator" in response.text
    assert "Content-Security-Policy" in response.headers


def test_lockout_is_per_username_and_address():
    locked, other = EditorFactory(), EditorFactory()
    client = Client()
    fail(client, locked.username, 5)

    assert log_in(client, other.username, PASSWORD).status_code == 302
    from_elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert log_in(from_elsewhere, locked.username, PASSWORD).status_code == 302


def test_forwarded_for_is_ignored_without_a_configured_proxy():
    """A client that rotates X-Forwarded-For does not get fresh attempts."""
    editor = EditorFactory()
    client = Client()
    for number in range(5):
        log_in(client, editor.username, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")

    response = log_in(client, editor.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")

    assert response.status_code == 429


def test_behind_one_proxy_the_address_it_forwarded_is_the_client(settings):
    settings.EDITORIAL_PROXY_COUNT = 1
    editor = EditorFactory()
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    # The client may send its own X-Forwarded-For; the proxy appends the address it saw.
    fail(proxy, editor.username, 5, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")

    locked = log_in(proxy, editor.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    elsewhere = log_in(
        proxy, editor.username, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_a_successful_login_clears_the_count():
    editor = EditorFactory()
    client = Client()
    fail(client, editor.username, 4)
    assert log_in(client, editor.username, PASSWORD).status_code == 302
    client.logout()

    fail(client, editor.username, 4)

    assert log_in(client, editor.username, PASSWORD).status_code == 302
