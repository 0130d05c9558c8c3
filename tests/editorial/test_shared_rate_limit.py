"""The report limit holds across processes (Issue 17): Compose serves with several gunicorn
workers, and a limit each one counted alone would let a reader through once per worker. Two
gunicorn processes run with Compose's own environment, its Redis cache pointed at the test Redis
(``CACHE_TEST_URL``, default ``redis://127.0.0.1:6379/14``, a database this test empties). Skips
only when Redis is absent, and never in CI."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings

from articles import services
from articles.choices import FeedbackKind, ReadingLevel
from articles.models import Claim
from tests.compose import service_environment
from tests.factories import article_with_claims
from tests.http_client import Browser
from tests.reviewers.test_celery_redis import _database_for_worker

CACHE_TEST_URL = os.environ.get("CACHE_TEST_URL", "redis://127.0.0.1:6379/14")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def test_redis():
    client = redis.Redis.from_url(CACHE_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {CACHE_TEST_URL}.")
        pytest.skip(f"Redis is not running at {CACHE_TEST_URL}.")
    client.flushdb()
    yield client
    client.flushdb()


def on_test_redis(url: str) -> str:
    """Compose's Redis URL (host ``redis``) pointed at the test's Redis database."""
    assert urlsplit(url).hostname == "redis", url
    return CACHE_TEST_URL


def compose_web_environment(database_url: str) -> dict[str, str]:
    """What Compose gives web, on this machine's services: its cache settings are kept."""
    environment = service_environment("web")
    if environment.get("CACHE_URL"):
        environment["CACHE_URL"] = on_test_redis(environment["CACHE_URL"])
    return {
        "PATH": os.environ.get("PATH", ""),
        **environment,
        "DJANGO_SETTINGS_MODULE": "editorial.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url,
        # Only so that pages render without collected static files; the count is the same.
        "DEBUG": "true",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "EDITORIAL_EDGE_PURGE_URLS": "",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(environment: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [GUNICORN, "editorial.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def claim(editor):
    article = services.article_publish(
        article=article_with_claims(claims=1, editor=editor), actor=editor
    )
    return Claim.objects.of_article(article).get()


@pytest.fixture
def two_web_processes(claim, test_redis, tmp_path):
    """Two gunicorn processes as Compose runs web, on this test's database."""
    database_url, _copy = _database_for_worker(tmp_path)
    environment = compose_web_environment(database_url)
    processes = []
    try:
        for number in (1, 2):
            processes.append(start_gunicorn(environment, tmp_path / f"gunicorn-{number}.log"))
        yield [url for _, url in processes]
    finally:
        for process, _ in processes:
            stop(process)


def test_a_readers_report_limit_is_shared_by_every_web_process(claim, two_web_processes):
    path = f"/articles/{claim.section.article.slug}/statements/{claim.pk}/report/?level=patient"
    fields = {"kind": FeedbackKind.OUTDATED, "note": "Out of date.", "level": ReadingLevel.PATIENT}
    readers = [Browser(url) for url in two_web_processes]

    # The same reader, each request answered by the next process in turn.
    sent = [readers[number % 2].post_form(path, fields)[0] for number in range(8)]

    assert sent == [303] * 5 + [429] * 3
