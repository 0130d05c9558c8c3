"""Which version of each article is published: the first thing every reader request asks.

Asking the database every time is what keeps a withdrawn article from ever being served by the
origin (DESIGN §3 I6), but on PostgreSQL the question costs more than serving a cached page
(a round trip, and some 100 µs of the driver's time). So there, a connection may remember the
answers, as long as it is told of every change:

- every transaction that gives an article a new version (``reader_page_changed``) also sends
  ``NOTIFY editorial_reader_pages``, which PostgreSQL delivers when, and only if, it commits;
- each web process's connection ``LISTEN``s before it remembers anything, and before using what it
  remembers it reads the notifications waiting for it (a non-blocking read of its socket, no
  round trip); any notification forgets everything;
- an answer read while a notification came in is not remembered.

A change is therefore seen by the first request that starts after its notification reached the
process. PostgreSQL sends it to every listening connection at commit, but asynchronously: a
request starting within that moment (well under a millisecond on one machine) may still get the
previous version, as if it had read the database just before the commit. The shared caches are
purged after commit (``edge``), a few milliseconds later, and once more
``EDITORIAL_EDGE_PURGE_AGAIN_SECONDS`` later, which also covers a purge that overtook a
notification.

Nothing is remembered on SQLite (its query costs a few microseconds), inside a transaction
(notifications wait for its end), or without persistent connections (``conn_max_age``; a new
connection every request would have to LISTEN every request).
"""

import threading
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from ..models import Article
from .selectors import PreparedQuery, PublishedVersion

NOTIFY_CHANNEL = "editorial_reader_pages"

_PUBLISHED_VERSION = PreparedQuery(
    lambda slug: (
        Article.objects.published()
        .filter(slug=slug)
        .order_by()
        .values_list("id", "content_version")
    ),
    slug="\x00slug\x00",
)


@dataclass
class _Listening:
    """What one PostgreSQL connection remembers while it listens."""

    connection: psycopg.Connection
    versions: dict[str, PublishedVersion] = field(default_factory=dict)
    notified: int = 0

    def forget(self, *notification) -> None:
        self.versions.clear()
        self.notified += 1


_per_thread = threading.local()
"""Django's connections are per thread, and so is what they remember."""


def _listening() -> _Listening | None:
    """This thread's connection, listening and up to date with what it was notified; None when
    it cannot be trusted to have heard of every change."""
    database = connections[DEFAULT_DB_ALIAS]
    if (
        database.vendor != "postgresql"
        or database.in_atomic_block
        or database.settings_dict.get("CONN_MAX_AGE") == 0
        or not settings.EDITORIAL_PAGE_CACHE
    ):
        return None
    database.ensure_connection()
    listening = getattr(_per_thread, "listening", None)
    if listening is None or listening.connection is not database.connection:
        listening = _Listening(database.connection)
        # Notifications that arrive while the connection runs a query are handed over here.
        listening.connection.add_notify_handler(listening.forget)
        with database.cursor() as cursor:
            cursor.execute(f"LISTEN {NOTIFY_CHANNEL}")
        _per_thread.listening = listening
        return listening
    pgconn = listening.connection.pgconn
    try:
        pgconn.consume_input()
    except psycopg.OperationalError:
        _per_thread.listening = None
        return None
    while pgconn.notifies() is not None:
        listening.forget()
    return listening


def published_version(*, slug: str) -> PublishedVersion | None:
    """The current version of the published article at ``slug``; None for drafts, withdrawn
    articles and unknown slugs (DESIGN §3 I6). One indexed query of two numbers, or on
    PostgreSQL what this connection remembers of it, until a change is notified."""
    listening = _listening()
    if listening is not None:
        version = listening.versions.get(slug)
        if version is not None:
            return version
        notified = listening.notified
    rows = _PUBLISHED_VERSION.rows(slug=slug)
    version = PublishedVersion(*rows[0]) if rows else None
    if listening is not None and version is not None and listening.notified == notified:
        listening.versions[slug] = version
    return version


def new_version_announce(sender, *, article_id: int, **kwargs) -> None:
    """Receiver of ``reader_page_changed``: tell every listening connection, on commit."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor == "postgresql":
        with database.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, str(article_id)])
