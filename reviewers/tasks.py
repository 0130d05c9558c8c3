"""Celery tasks for the board's reminders: ids in, services do the work (DESIGN §6, I5)."""

from celery import shared_task

from .reminders import SEND_ERRORS, reminder_send, reminders_enqueue, reminders_sweep


@shared_task(
    acks_late=True,
    autoretry_for=SEND_ERRORS,
    max_retries=5,
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
)
def reminder_send_task(reminder_id: int) -> bool:
    """Send one claimed reminder; a redelivered or retried task finds it sent and does nothing."""
    return reminder_send(reminder_id=reminder_id) is not None


@shared_task(acks_late=True)
def reminders_sweep_task() -> str:
    """Claim the reminders owed now and queue their sends (run by beat)."""
    return str(reminders_sweep(deliver=reminders_enqueue))
