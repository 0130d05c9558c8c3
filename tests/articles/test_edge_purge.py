"""Purging the shared caches (docs/reader.md#shared-caches-and-purges): every change readers could
see purges the article's pages after commit, through the ledger, retried, recorded. The cache here
is a small HTTP server that records the purges it is sent; tests/edge runs the real nginx."""

import http.server
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from articles import services
from articles.choices import ReadingLevel
from articles.models import Claim, EdgePurge
from articles.reader.edge import EdgePurgeFailed, edge_purge_send, edge_purges_sweep
from articles.tasks import edge_purge_again_task, edge_purge_task, edge_purges_enqueue
from editorial.celery import app
from tests.articles.builders import seed_article
from tests.edge.nginx import free_port
from tests.workflow import assign_and_start

SEED_PAGES = {
    "/articles/calcium-deposits-in-tissues/patient/",
    "/articles/calcium-deposits-in-tissues/student/",
    "/articles/calcium-deposits-in-tissues/clinician/",
    "/",
}


class RecordingCache(http.server.ThreadingHTTPServer):
    """Answers PURGE with ``status`` and records (method, path, Host) of each request."""

    def __init__(self):
        self.purges: list[tuple[str, str, str]] = []
        self.status = 200
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):
                outer.purges.append((self.command, self.path, self.headers["Host"]))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def purged_paths(self) -> set[str]:
        return {path for _method, path, _host in self.purges}


@pytest.fixture
def edge(settings):
    """A shared cache in front of the site, purged by workers that run each task at once."""
    cache = RecordingCache()
    # serve_forever checks for shutdown() every poll_interval (0.5 s by default): every
    # teardown waited that long.
    thread = threading.Thread(target=cache.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    settings.EDITORIAL_EDGE_PURGE_URLS = [cache.url]
    settings.SITE_URL = "https://editorial.example.org"
    app.conf.task_always_eager = True
    yield cache
    app.conf.task_always_eager = False
    cache.shutdown()
    cache.server_close()
    thread.join()


@pytest.fixture
def article(editor):
    """The seed article in draft, with nothing owed to the caches yet."""
    article = seed_article(editor=editor)
    EdgePurge.objects.all().delete()
    return article


@pytest.fixture
def published(article, editor):
    """The seed article published, with nothing owed to the caches yet."""
    article = services.article_publish(article=article, actor=editor)
    EdgePurge.objects.all().delete()
    return article


def _first_claim(article) -> Claim:
    return Claim.objects.of_article(article).filter(parent=None).order_by("section__order")[0]


CHANGES_READERS_SEE = {
    "withdraw": lambda article, editor, reviewer: services.article_withdraw(
        article=article, actor=editor
    ),
    "patient wording": lambda article, editor, reviewer: services.wording_set(
        claim=_first_claim(article),
        level=ReadingLevel.PATIENT,
        text="Calcium can build up where it should not.",
        actor=editor,
        reason="Plainer",
    ),
    "question": lambda article, editor, reviewer: services.article_retitle(
        article=article,
        title="Why does calcium build up in tissues?",
        actor=editor,
        reason="Clearer",
    ),
    "new section": lambda article, editor, reviewer: services.section_add(
        article=article, heading="Further reading", actor=editor
    ),
    "review status": lambda article, editor, reviewer: assign_and_start(
        article, editor=editor, reviewer=reviewer
    ),
}


@pytest.mark.parametrize("change", CHANGES_READERS_SEE.values(), ids=CHANGES_READERS_SEE.keys())
def test_every_change_readers_see_purges_the_articles_pages_after_commit(
    edge, published, editor, reviewer, change, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change(published, editor, reviewer)

    assert edge.purged_paths() == SEED_PAGES
    assert not EdgePurge.objects.pending().exists()


def test_publishing_purges_the_not_found_pages_caches_may_hold(
    edge, article, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(article=article, actor=editor)

    assert edge.purged_paths() == SEED_PAGES


def test_nothing_is_purged_before_the_change_commits(
    edge, published, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        services.article_withdraw(article=published, actor=editor)
        assert edge.purges == []
        assert EdgePurge.objects.pending().filter(article=published).count() == 1

    for callback in on_commit:
        callback()
    assert edge.purged_paths() == SEED_PAGES


def test_a_purge_is_sent_again_for_responses_that_were_on_their_way(
    edge, published, editor, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EDITORIAL_EDGE_PURGE_AGAIN_SECONDS = 30
    delays = []
    send_again = edge_purge_again_task.apply_async

    def later(*, args, countdown):
        delays.append(countdown)
        return send_again(args=args)

    monkeypatch.setattr(edge_purge_again_task, "apply_async", later)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=published, actor=editor)

    assert delays == [30]
    assert sorted(path for _method, path, _host in edge.purges) == sorted([*SEED_PAGES] * 2)


def test_purges_name_the_public_site(edge, published, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=published, actor=editor)

    assert {host for _method, _path, host in edge.purges} == {"editorial.example.org"}
    assert {method for method, _path, _host in edge.purges} == {"PURGE"}


def test_without_a_shared_cache_nothing_is_recorded(
    published, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.article_withdraw(article=published, actor=editor)

    assert not EdgePurge.objects.exists()


def test_a_purge_a_cache_does_not_confirm_is_recorded_and_raised_for_retry(edge, published, editor):
    edge.status = 500
    services.article_withdraw(article=published, actor=editor)
    purge = EdgePurge.objects.get(article=published)

    with pytest.raises(EdgePurgeFailed):
        edge_purge_send(purge_id=purge.pk)

    purge.refresh_from_db()
    assert purge.purged_at is None
    assert purge.attempts == 1
    assert "answered 500" in purge.last_error


def test_an_unreachable_cache_is_recorded_and_raised_for_retry(edge, published, editor, settings):
    settings.EDITORIAL_EDGE_PURGE_URLS = [f"http://127.0.0.1:{free_port()}"]
    services.article_withdraw(article=published, actor=editor)
    purge = EdgePurge.objects.get(article=published)

    with pytest.raises(OSError):
        edge_purge_send(purge_id=purge.pk)

    purge.refresh_from_db()
    assert purge.purged_at is None
    assert "ConnectionRefusedError" in purge.last_error


def test_a_page_the_cache_did_not_hold_counts_as_purged(edge, published, editor):
    edge.status = 404
    services.article_withdraw(article=published, actor=editor)
    purge = EdgePurge.objects.get(article=published)

    assert edge_purge_send(purge_id=purge.pk) is not None
    purge.refresh_from_db()
    assert purge.purged_at is not None


def test_a_purge_already_done_is_not_sent_again(edge, published, editor):
    services.article_withdraw(article=published, actor=editor)
    purge = EdgePurge.objects.get(article=published)
    edge_purge_send(purge_id=purge.pk)
    sent = len(edge.purges)

    assert edge_purge_task.apply(args=[purge.pk]).get() is False
    assert len(edge.purges) == sent


def test_one_purge_covers_every_pending_change_of_the_article(edge, published, editor):
    services.article_withdraw(article=published, actor=editor)
    services.article_retitle(article=published, title="Another question?", actor=editor, reason="x")
    first, second = EdgePurge.objects.filter(article=published).order_by("pk")

    edge_purge_send(purge_id=second.pk)

    assert not EdgePurge.objects.pending().exists()
    assert len(edge.purges) == len(SEED_PAGES)
    assert edge_purge_send(purge_id=first.pk) is None


def test_a_purge_lost_with_the_broker_is_sent_by_the_next_sweep(
    edge, published, editor, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    with monkeypatch.context() as broken:
        broken.setattr(edge_purge_task, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            services.article_withdraw(article=published, actor=editor)
    assert edge.purges == []
    assert EdgePurge.objects.pending().count() == 1

    assert edge_purges_sweep(deliver=edge_purges_enqueue) == 0  # not overdue yet
    later = timezone.now() + timedelta(minutes=2)
    assert edge_purges_sweep(deliver=edge_purges_enqueue, now=later) == 1

    assert edge.purged_paths() == SEED_PAGES
    assert not EdgePurge.objects.pending().exists()


def test_the_sweep_sends_one_purge_per_article(edge, published, editor):
    services.article_withdraw(article=published, actor=editor)
    services.article_publish(article=published, actor=editor)
    delivered = []

    later = timezone.now() + timedelta(minutes=2)
    edge_purges_sweep(deliver=delivered.extend, now=later)

    assert delivered == [EdgePurge.objects.filter(article=published).order_by("pk")[0].pk]


def test_editors_see_the_purge_ledger_read_only(client, editor):
    from django.urls import reverse

    client.force_login(editor)
    assert client.get(reverse("admin:articles_edgepurge_changelist")).status_code == 200
    assert client.get(reverse("admin:articles_edgepurge_add")).status_code == 403
