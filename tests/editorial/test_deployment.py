"""The production shape (DESIGN §8): Docker Compose is secure unless told otherwise."""

import re

import pytest
import yaml
from django.conf import settings

COMPOSE = settings.BASE_DIR / "docker-compose.yml"


def compose_default(variable: str) -> str:
    """The value the app containers get for ``variable`` when neither the shell nor .env sets it."""
    environment = yaml.safe_load(COMPOSE.read_text())["x-app-environment"]
    match = re.fullmatch(r"\$\{(\w+):-(.*)\}", str(environment[variable]))
    assert match and match.group(1) == variable, environment[variable]
    return match.group(2)


def test_compose_redirects_to_https_and_sends_cookies_only_over_https_by_default():
    for variable in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        assert compose_default(variable) == "true", variable


def test_compose_runs_without_debug_by_default():
    assert compose_default("DEBUG") == "false"


def test_compose_web_healthcheck_comes_through_the_tls_proxy_to_an_allowed_host():
    """With the HTTPS redirect on, a plain-HTTP probe would only ever see a 301; with the real
    host name in ALLOWED_HOSTS, a probe for localhost would only ever see a 400."""
    web = yaml.safe_load(COMPOSE.read_text())["services"]["web"]
    probe = " ".join(web["healthcheck"]["test"])
    assert "'X-Forwarded-Proto': 'https'" in probe
    assert "'Host': host" in probe and "os.environ['ALLOWED_HOSTS']" in probe


@pytest.mark.django_db
def test_with_the_redirect_on_only_requests_through_the_tls_proxy_are_served(client, settings):
    """What the web healthcheck relies on: its X-Forwarded-Proto header gets the page itself."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["editorial.example.org"]
    host = {"host": "editorial.example.org"}

    plain = client.get("/admin/login/", headers=host)
    proxied = client.get("/admin/login/", headers={**host, "x-forwarded-proto": "https"})

    assert plain.status_code == 301
    assert plain.url == "https://editorial.example.org/admin/login/"
    assert proxied.status_code == 200
