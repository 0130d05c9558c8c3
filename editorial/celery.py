"""The Celery app: configured from Django settings (``CELERY_*``), tasks found in the apps."""

import logging
import os
from collections.abc import Iterable

from celery import Celery
from kombu.exceptions import OperationalError as BrokerUnavailable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")

logger = logging.getLogger(__name__)

app = Celery("editorial")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue_each(task, ids: Iterable[int], *, what: str) -> int:
    """Queue ``task`` once per id of a ledger row (a reminder, a purge); stop at the first
    broker failure and leave the rest to the ledger's next sweep. Returns how many were queued.
    """
    enqueued = 0
    for row_id in ids:
        try:
            task.delay(row_id)
        except BrokerUnavailable:
            logger.warning(
                "Broker unavailable: %s %s and the rest of this batch wait for the next sweep.",
                what,
                row_id,
                exc_info=True,
            )
            break
        enqueued += 1
    return enqueued
