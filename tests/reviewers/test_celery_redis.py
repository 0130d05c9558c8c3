"""Integration: a real Celery worker process, on the real Redis, delivers a new-assignment email.

The broker is ``CELERY_TEST_BROKER_URL`` (default ``redis://127.0.0.1:6379/15``; database 15 is
this test's alone). Skips only when Redis is absent, and never in CI.
"""

import email
import email.policy
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from editorial.celery import app
from reviewers import services
from reviewers.models import Reminder
from reviewers.roles import ensure_roles
from tests.factories import article_with_claims

BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _use_broker(url: str) -> None:
    """Point this process's Celery app at ``url``, dropping connections pooled for the old one."""
    app.conf.broker_url = url
    app.close()
    app.amqp._producer_pool = None


@pytest.fixture
def redis_broker():
    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {BROKER_URL}.")
        pytest.skip(f"Redis is not running at {BROKER_URL}.")
    client.flushdb()
    _use_broker(BROKER_URL)
    yield client
    _use_broker("memory://")
    client.flushdb()


def _database_for_worker(tmp_path: Path) -> tuple[str, Path | None]:
    """A DATABASE_URL the worker process can open that holds this test's rows."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        host = db["HOST"] or "127.0.0.1"
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}", None
    # SQLite tests run in memory, which no other process can open: hand the worker a copy.
    copy = tmp_path / "worker.sqlite3"
    target = sqlite3.connect(copy)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}", copy


def _start_worker(*, database_url: str, outbox: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "editorial.settings",
        "CELERY_BROKER_URL": BROKER_URL,
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "SECRET_KEY": settings.SECRET_KEY,
    }
    command = [sys.executable, "-m", "celery", "-A", "editorial", "worker", "--pool=solo"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
    with log.open("wb") as output:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def _wait_for_email(outbox: Path, worker: subprocess.Popen, log: Path, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(outbox.glob("*.log"))
        if files and files[0].stat().st_size:
            time.sleep(0.2)  # let the backend finish writing
            return email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
        if worker.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"No email delivered by the worker. Worker log:\n{log.read_text()}")


def _stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def test_worker_on_redis_delivers_the_new_assignment_email(redis_broker, tmp_path):
    ensure_roles()
    from tests.factories import BoardReviewerFactory, EditorFactory

    editor, reviewer = EditorFactory(), BoardReviewerFactory()
    article = article_with_claims(editor=editor)
    services.assignment_create(
        article=article,
        reviewer=reviewer,
        due_at=datetime(2030, 5, 17, 12, 0, tzinfo=UTC),
        actor=editor,
    )
    reminder = Reminder.objects.get()
    assert reminder.sent_at is None
    assert redis_broker.llen("celery") == 1  # queued on Redis, waiting for a worker

    database_url, copy = _database_for_worker(tmp_path)
    outbox, log = tmp_path / "emails", tmp_path / "worker.log"
    worker = _start_worker(database_url=database_url, outbox=outbox, log=log)
    try:
        message = _wait_for_email(outbox, worker, log)
    finally:
        _stop(worker)

    assert message["To"] == reviewer.email
    assert message["Subject"].strip() == f"New review assignment: “{article.title}”"
    assert article.title in message.get_body(("plain",)).get_content()
    assert "Friday 17 May 2030" in message.get_body(("html",)).get_content()
    if copy is None:
        reminder.refresh_from_db()
        sent_at, attempts = reminder.sent_at, reminder.attempts
    else:
        with sqlite3.connect(copy) as worker_db:
            sent_at, attempts = worker_db.execute(
                "SELECT sent_at, attempts FROM reviewers_reminder WHERE id = ?", [reminder.pk]
            ).fetchone()
    assert sent_at is not None
    assert attempts == 1
