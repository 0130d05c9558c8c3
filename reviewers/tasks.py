"""Celery tasks for the board's reminders: ids in, the reminders do the work (docs/reminders.md,
docs/invariants.md#i5-reminders-exactly-once).

This module hands work to the broker; ``reminders`` decides what is owed and sends it, and never
imports this one.
"""

from collections.abc import Iterable

from celery import shared_task

from editorial.celery import enqueue_each

from .reminders import (
    SEND_ERRORS,
    reminder_reserve_all_reviews_in,
    reminder_reserve_new_assignment,
    reminder_send,
    reminders_sweep,
)


@shared_task(
    acks_late=True,
    autoretry_for=SEND_ERRORS,
    max_retries=5,
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
)
def reminder_send_task(reminder_id: int) -> bool:
    """Send one reserved reminder; a redelivered or retried task finds it sent and does nothing."""
    return reminder_send(reminder_id=reminder_id) is not None


@shared_task(acks_late=True)
def reminders_sweep_task() -> str:
    """Reserve the reminders owed now and queue their sends (run by beat)."""
    return str(reminders_sweep(deliver=reminders_enqueue))


def reminders_enqueue(reminder_ids: Iterable[int]) -> int:
    """Hand reserved reminders to the workers; if the broker is down, the next sweep retries."""
    return enqueue_each(reminder_send_task, reminder_ids, what="reminder")


def all_reviews_in_announce(sender, *, assignment, **kwargs) -> None:
    """Receiver of ``assignment_completed``: reserve the “all reviews in” notice if it is due."""
    reminder_reserve_all_reviews_in(article_id=assignment.article_id, deliver=reminders_enqueue)


def assignment_announce(sender, *, assignment, **kwargs) -> None:
    """Receiver of ``assignment_created``: reserve the reviewer's new-assignment email, send it."""
    reminder_reserve_new_assignment(assignment=assignment, deliver=reminders_enqueue)
