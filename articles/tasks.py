"""Celery tasks of the reader site: purging the shared caches
(docs/reader.md#shared-caches-and-purges).

This module hands work to the broker; ``reader.edge`` decides what is owed and purges it, and
never imports this one.
"""

from collections.abc import Iterable

from celery import shared_task
from django.conf import settings

from editorial.celery import enqueue_each

from .reader.edge import (
    PURGE_ERRORS,
    edge_purge_again,
    edge_purge_reserve,
    edge_purge_send,
    edge_purges_sweep,
)


@shared_task(
    acks_late=True,
    autoretry_for=PURGE_ERRORS,
    max_retries=8,
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
)
def edge_purge_task(purge_id: int) -> bool:
    """Purge an article's pages from the shared caches, and once more a while later; a
    redelivered or retried task finds the purge done and does nothing."""
    purge = edge_purge_send(purge_id=purge_id)
    if purge is None:
        return False
    if settings.EDITORIAL_EDGE_PURGE_AGAIN_SECONDS:
        edge_purge_again_task.apply_async(
            args=[purge.article_id], countdown=settings.EDITORIAL_EDGE_PURGE_AGAIN_SECONDS
        )
    return True


@shared_task(
    acks_late=True,
    autoretry_for=PURGE_ERRORS,
    max_retries=5,
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
)
def edge_purge_again_task(article_id: int) -> None:
    """The second purge of an article's pages (see ``reader.edge``)."""
    edge_purge_again(article_id=article_id)


@shared_task(acks_late=True)
def edge_purges_sweep_task() -> int:
    """Hand purges still pending after a while to the workers again (run by beat)."""
    return edge_purges_sweep(deliver=edge_purges_enqueue)


def edge_purges_enqueue(purge_ids: Iterable[int]) -> int:
    """Hand recorded purges to the workers; if the broker is down, the next sweep retries."""
    return enqueue_each(edge_purge_task, purge_ids, what="purge")


def reader_page_purge(sender, *, article_id: int, **kwargs) -> None:
    """Receiver of ``reader_page_changed``: record the purge with the change, send it after."""
    edge_purge_reserve(article_id=article_id, deliver=edge_purges_enqueue)
