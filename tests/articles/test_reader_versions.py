"""With persistent connections, a warm page asks the database at most whether anything changed
(on PostgreSQL not even that, until a change is notified), and a committed change is seen by the
next request; on PostgreSQL, once its notification has reached the connection
(docs/invariants.md#i6-privacy-of-drafts)."""

import select
import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import services
from articles.choices import ReadingLevel
from articles.models import Article, Claim
from articles.reader import versions
from tests.articles.builders import seed_article

pytestmark = pytest.mark.django_db(transaction=True)

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]

PLAINER = "Calcium can build up in soft parts of the body, where it should not be."


@pytest.fixture
def persistent_connections(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)


@pytest.fixture
def article(editor, persistent_connections):
    cache.clear()
    return services.article_publish(article=seed_article(editor=editor), actor=editor)


def page_url(article, level="patient") -> str:
    return reverse("articles:page", kwargs={"slug": article.slug, "level": level})


def in_another_process(change) -> None:
    """Run ``change`` on a connection of its own, as another web process or a worker would, and
    wait until PostgreSQL, which sends its notification at commit, has delivered it here."""
    failures = []

    def run():
        try:
            change()
        except Exception as exc:  # reported by the test, in its own thread
            failures.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failures, failures
    if ON_POSTGRESQL:
        readable, _, _ = select.select([connection.connection.fileno()], [], [], 5)
        assert readable, "no notification of the change reached this connection"


def test_a_warm_page_asks_at_most_whether_anything_changed(client, article):
    client.get(page_url(article))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(article))
    assert response.status_code == 200
    assert [query["sql"] for query in queries] == ([] if ON_POSTGRESQL else ["PRAGMA data_version"])


def test_a_new_version_committed_elsewhere_is_seen_once_notified(client, article, editor):
    client.get(page_url(article))
    claim = Claim.objects.of_article(article).filter(parent=None).order_by("section__order")[0]

    in_another_process(
        lambda: services.wording_set(
            claim=claim, level=ReadingLevel.PATIENT, text=PLAINER, actor=editor, reason="Plainer"
        )
    )

    assert PLAINER in client.get(page_url(article)).content.decode()


def test_a_withdrawal_committed_elsewhere_is_404_once_notified(client, article, editor):
    assert client.get(page_url(article)).status_code == 200
    assert client.get(article.get_absolute_url()).status_code == 302

    in_another_process(
        lambda: services.article_withdraw(
            article=Article.objects.get(pk=article.pk), actor=editor, reason="Under correction"
        )
    )

    assert client.get(page_url(article)).status_code == 404
    assert client.get(article.get_absolute_url()).status_code == 404


def test_a_change_made_on_this_connection_is_seen_by_the_next_request(client, article, editor):
    client.get(page_url(article))
    services.article_withdraw(article=article, actor=editor)
    assert client.get(page_url(article)).status_code == 404


def test_an_answer_read_while_a_change_was_notified_is_not_remembered(client, article, monkeypatch):
    client.get(page_url(article))
    versions._per_thread.memory.forget()
    read = versions._PUBLISHED_VERSION.rows

    def read_while_notified(**values):
        rows = read(**values)
        versions._per_thread.memory.forget()  # a change came in with the answer
        return rows

    monkeypatch.setattr(versions._PUBLISHED_VERSION, "rows", read_while_notified)
    client.get(page_url(article))
    monkeypatch.undo()

    with CaptureQueriesContext(connection) as queries:
        client.get(page_url(article))
    assert [query for query in queries if "articles_article" in query["sql"]]  # asked again


def test_a_withdrawal_made_by_hand_in_sql_elsewhere_is_404_too(client, article):
    """No service announced it: the database itself does (a trigger on PostgreSQL; on SQLite the
    other connection's commit changes ``PRAGMA data_version``)."""
    assert client.get(page_url(article)).status_code == 200

    def withdraw_by_hand():
        table = connection.ops.quote_name(Article._meta.db_table)
        with connections["default"].cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET publication_status = 'withdrawn' WHERE id = %s", [article.pk]
            )

    in_another_process(withdraw_by_hand)

    assert client.get(page_url(article)).status_code == 404
