"""The shared caches in front of the reader site (a CDN, nginx, Varnish): purging an article's
pages from them once a change readers could see has committed
(docs/reader.md#shared-caches-and-purges).

The database, not the broker, is the source of truth, as for the board's reminders: the
transaction that gives an article a new content version also writes an ``EdgePurge`` row, and
hands it to the workers after commit. Sending locks the row, purges every page of the article
from every configured cache, and marks purged, in the same transaction, that row and every other
pending row of the article that was committed before the purge went out (one purge covers them
all). A row still pending ``EDITORIAL_EDGE_PURGE_RETRY_AFTER_SECONDS`` after it was written
(broker down, worker lost, cache unreachable) is handed to the workers again by the sweep. What
a lost purge can cost is bounded anyway: caches keep a page at most ``EDITORIAL_EDGE_MAX_AGE``
seconds before they ask the origin again, which always knows (a withdrawn article is 404 there).

One race no purge can win alone: a response the origin was already sending when the change
committed (it read the article just before) can reach a cache just after the purge, and be kept.
So every purge is sent once more ``EDITORIAL_EDGE_PURGE_AGAIN_SECONDS`` later, the longest a
response can take (gunicorn's timeout); that second purge is retried but not recorded, since
losing it costs no more than ``EDITORIAL_EDGE_MAX_AGE``.

The caches are configured by settings: ``EDITORIAL_EDGE_PURGE_URLS`` lists caches that accept
an HTTP ``PURGE`` of a page's path (nginx with Debian's ``libnginx-mod-http-cache-purge``,
Varnish with a ``return (purge)`` rule); ``EDITORIAL_EDGE_BACKEND`` names another backend (a
class with ``enabled`` and ``purge(paths)``, e.g. for a CDN's purge API). With no cache
configured nothing is recorded or sent.
"""

import http.client
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from ..choices import ReadingLevel
from ..models import Article, EdgePurge

Deliver = Callable[[list[int]], object]


class EdgePurgeFailed(OSError):
    """A cache did not confirm a purge; the purge is retried."""


#: Failures worth retrying: the cache or the network.
PURGE_ERRORS = (OSError, http.client.HTTPException)


class NoSharedCache:
    """Nothing in front of the site (the default): nothing to purge, nothing recorded."""

    enabled = False

    def purge(self, paths: Sequence[str]) -> None:
        """Nothing holds the pages."""


class HttpPurge:
    """Caches that drop a page on ``PURGE <path>``: nginx with the cache-purge module (see
    ``deploy/nginx/editorial.conf``), Varnish with a ``return (purge)`` rule, Fastly.

    Each location is the base URL of one cache's purge listener. The ``Host`` header is the
    public site's (``SITE_URL``), which caches that key pages by host (Varnish) need. A cache
    answering 200 purged the page, 404 did not hold it; anything else fails the purge.
    """

    enabled = True

    def __init__(self, locations: Iterable[str], *, host: str, timeout: float):
        self.locations = [urlsplit(location) for location in locations]
        self.host = host
        self.timeout = timeout

    def purge(self, paths: Sequence[str]) -> None:
        for location in self.locations:
            connection_class = (
                http.client.HTTPSConnection
                if location.scheme == "https"
                else http.client.HTTPConnection
            )
            connection = connection_class(location.netloc, timeout=self.timeout)
            try:
                for path in paths:
                    connection.request(
                        "PURGE", location.path.rstrip("/") + path, headers={"Host": self.host}
                    )
                    response = connection.getresponse()
                    response.read()
                    if response.status not in (200, 404):
                        raise EdgePurgeFailed(
                            f"{location.netloc} answered {response.status} {response.reason} "
                            f"to PURGE {path}"
                        )
            finally:
                connection.close()


def edge_cache():
    """The configured shared caches, as one backend."""
    backend = settings.EDITORIAL_EDGE_BACKEND
    if backend:
        return import_string(backend)()
    if not settings.EDITORIAL_EDGE_PURGE_URLS:
        return NoSharedCache()
    return HttpPurge(
        settings.EDITORIAL_EDGE_PURGE_URLS,
        host=urlsplit(settings.SITE_URL).netloc,
        timeout=settings.EDITORIAL_EDGE_PURGE_TIMEOUT,
    )


def article_page_paths(slug: str) -> list[str]:
    """Every URL a shared cache may hold for the article: its page at each reading level, and the
    list of articles, which shows its title and review status."""
    return [
        *(
            reverse("articles:page", kwargs={"slug": slug, "level": level})
            for level in ReadingLevel.values
        ),
        reverse("articles:list"),
    ]


def edge_purge_reserve(*, article_id: int, deliver: Deliver) -> EdgePurge | None:
    """Record that the article's pages must be purged, and ``deliver`` the purge after commit.

    Called inside the transaction of the change, so the row commits with it or not at all.
    """
    if not edge_cache().enabled:
        return None
    purge = EdgePurge.objects.create(article_id=article_id)
    transaction.on_commit(partial(deliver, [purge.pk]), robust=True)
    return purge


def edge_purge_send(*, purge_id: int) -> EdgePurge | None:
    """Purge the article's pages from every shared cache, unless already done.

    Returns the purge, or None when there was nothing to do (purged meanwhile, or being purged
    by another worker). Raises one of ``PURGE_ERRORS`` after recording the attempt when a cache
    did not confirm, so that the task retries.
    """
    cache = edge_cache()
    failure = None
    with transaction.atomic():
        purge = (
            EdgePurge.objects.pending()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("article")
            .filter(pk=purge_id)
            .first()
        )
        if purge is None:
            return None
        # Every pending row of the article committed by now describes a change that is already
        # visible at the origin: this purge covers it too.
        covered = list(
            EdgePurge.objects.pending()
            .select_for_update(skip_locked=True)
            .filter(article_id=purge.article_id)
            .values_list("pk", flat=True)
        )
        purge.attempts += 1
        try:
            cache.purge(article_page_paths(purge.article.slug))
        except PURGE_ERRORS as exc:
            failure = exc
            purge.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            purge.save(update_fields=["attempts", "last_error"])
        else:
            purge.purged_at = timezone.now()
            purge.last_error = ""
            purge.save(update_fields=["attempts", "purged_at", "last_error"])
            EdgePurge.objects.filter(pk__in=covered).exclude(pk=purge.pk).update(
                purged_at=purge.purged_at
            )
    if failure is not None:
        raise failure
    return purge


def edge_purge_again(*, article_id: int) -> None:
    """Purge the article's pages once more, for responses that were on their way at the first."""
    slug = Article.objects.filter(pk=article_id).values_list("slug", flat=True).first()
    if slug is not None:
        edge_cache().purge(article_page_paths(slug))


def edge_purges_owed(*, now: datetime) -> list[int]:
    """The oldest pending purge of each article whose purge is overdue: one send covers all
    of an article's pending purges."""
    retry_after = timedelta(seconds=settings.EDITORIAL_EDGE_PURGE_RETRY_AFTER_SECONDS)
    return list(
        EdgePurge.objects.pending()
        .filter(requested_at__lte=now - retry_after)
        .values("article_id")
        .annotate(oldest=Min("pk"))
        .order_by("oldest")
        .values_list("oldest", flat=True)
    )


def edge_purges_sweep(*, deliver: Deliver, now: datetime | None = None) -> int:
    """Hand the overdue purges to the workers again; returns how many."""
    if not edge_cache().enabled:
        return 0
    owed = edge_purges_owed(now=now or timezone.now())
    if owed:
        deliver(owed)
    return len(owed)
