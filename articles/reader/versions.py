"""Which version of each article is published: the first thing every reader request asks.

Asking the database every time is what keeps a withdrawn article from ever being served by the
origin (docs/invariants.md#i6-privacy-of-drafts), but the question costs more than serving a cached
page: on PostgreSQL a round trip and some 100 µs of the driver's time. So a connection remembers the
answers, as long as it can tell that nothing changed since:

- on PostgreSQL it is told. Every transaction that gives an article a new version
  (``reader_page_changed``) sends ``NOTIFY editorial_reader_pages``, which PostgreSQL delivers to
  every listening connection when, and only if, it commits. Each web process's connection
  ``LISTEN``s before it remembers anything, and before using what it remembers it reads the
  notifications waiting for it (a non-blocking read of its socket, no round trip): any
  notification forgets everything.
- on SQLite it asks, more cheaply than the question itself: ``PRAGMA data_version`` changes
  whenever another connection has committed anything. A connection's own commits do not change
  it, so the commit of a new version also forgets what its own connection remembers.

Either way an answer read while a change came in is not remembered. On SQLite a change is seen
by the very next request. On PostgreSQL it is seen by the first request that starts after its
notification reached the process: PostgreSQL sends it at commit, but asynchronously, so a request
starting within that moment (well under a millisecond on one machine) may still get the previous
version, as if it had read the database just before the commit. The shared caches are purged
after commit (``edge``), a few milliseconds later, and once more
``EDITORIAL_EDGE_PURGE_AGAIN_SECONDS`` later, which also covers a purge that overtook a
notification.

Nothing is remembered inside a transaction (notifications wait for its end), without persistent
connections (``conn_max_age``: a new connection would have to start over every request), or with
the page cache switched off (to measure the origin's work).

Changes made by hand in SQL (or a restore) are announced too: on PostgreSQL a trigger on the
articles table notifies on any statement that changes it (migration 0006); on SQLite any commit
from another connection is noticed.
"""

import threading
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

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
class _Remembered:
    """What one database connection remembers of published versions."""

    connection: object
    versions: dict[str, PublishedVersion] = field(default_factory=dict)
    changes: int = 0
    data_version: int | None = None

    def forget(self, *notification) -> None:
        self.versions.clear()
        self.changes += 1


_per_thread = threading.local()
"""Django's connections are per thread, and so is what they remember."""


def _remembered() -> _Remembered | None:
    """What this thread's connection remembers, up to date with every committed change; None
    when it cannot tell (see the module docstring)."""
    database = connections[DEFAULT_DB_ALIAS]
    if (
        database.vendor not in ("postgresql", "sqlite")
        or database.in_atomic_block
        or database.settings_dict.get("CONN_MAX_AGE") == 0
        or not settings.EDITORIAL_PAGE_CACHE
    ):
        return None
    database.ensure_connection()
    memory = getattr(_per_thread, "memory", None)
    if memory is None or memory.connection is not database.connection:
        memory = _Remembered(database.connection)
        _per_thread.memory = memory
        if database.vendor == "postgresql":
            # Notifications that arrive while the connection runs a query are handed over here.
            memory.connection.add_notify_handler(memory.forget)
            with database.cursor() as cursor:
                cursor.execute(f"LISTEN {NOTIFY_CHANNEL}")
    if database.vendor == "postgresql":
        pgconn = memory.connection.pgconn
        try:
            pgconn.consume_input()
        except psycopg.OperationalError:
            _per_thread.memory = None
            return None
        while pgconn.notifies() is not None:
            memory.forget()
    else:
        with database.cursor() as cursor:
            cursor.execute("PRAGMA data_version")
            (data_version,) = cursor.fetchone()
        if data_version != memory.data_version:
            memory.forget()
            memory.data_version = data_version
    return memory


def published_version(*, slug: str) -> PublishedVersion | None:
    """The current version of the published article at ``slug``; None for drafts, withdrawn
    articles and unknown slugs (docs/invariants.md#i6-privacy-of-drafts). One indexed query of two
    numbers, or what this connection remembers of it while nothing changed."""
    memory = _remembered()
    if memory is not None:
        version = memory.versions.get(slug)
        if version is not None:
            return version
        changes = memory.changes
    rows = _PUBLISHED_VERSION.rows(slug=slug)
    version = PublishedVersion(*rows[0]) if rows else None
    if memory is not None and version is not None and memory.changes == changes:
        memory.versions[slug] = version
    return version


def forget_published_versions() -> None:
    """Forget what this thread's connection remembers: after its own commit of a new version,
    which ``PRAGMA data_version`` does not count (and tests that rebuild the database)."""
    memory = getattr(_per_thread, "memory", None)
    if memory is not None:
        memory.forget()


def new_version_announce(sender, *, article_id: int, **kwargs) -> None:
    """Receiver of ``reader_page_changed``: tell every connection, on commit."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor == "postgresql":
        with database.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, str(article_id)])
    transaction.on_commit(forget_published_versions)
