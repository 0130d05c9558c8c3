"""The production shape (docs/operations.md): Docker Compose is secure unless told otherwise."""

import re
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

from tests.compose import service_environment

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


def test_compose_publishes_only_the_edge_and_the_mail_ui_on_loopback():
    """web's own port would be a door around the edge, where any client could forge the
    X-Forwarded-For the app trusts; Mailpit shows every email, so it stays on this machine."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}

    assert published == {
        "edge": ["${EDGE_PORT:-8080}:80"],
        "mailpit": ["127.0.0.1:${MAILPIT_UI_PORT:-8025}:8025"],
    }


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_compose_app_trusts_exactly_the_edge_as_one_proxy_hop_whatever_env_says(service):
    """Fixed in the file, not read from .env: 0 would make every reader one client (one address,
    the edge's), 2 would trust an address the client wrote."""
    environment = yaml.safe_load(COMPOSE.read_text())["services"][service]["environment"]

    assert str(environment["EDITORIAL_PROXY_COUNT"]) == "1"


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_compose_app_shares_one_cache_on_the_compose_redis(service):
    """Each gunicorn worker counting alone would multiply the report limit by the workers."""
    environment = service_environment(service)
    cache = urlsplit(environment["CACHE_URL"])

    assert (cache.scheme, cache.hostname, cache.port) == ("redis", "redis", 6379)
    assert environment["CACHE_URL"] != environment["CELERY_BROKER_URL"]  # a database of its own
    assert "redis" in yaml.safe_load(COMPOSE.read_text())["services"][service]["depends_on"]


def test_compose_links_in_emails_lead_to_the_edge():
    assert service_environment("web")["SITE_URL"] == "http://localhost:8080"
