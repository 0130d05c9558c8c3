"""Fixtures of the reminder tests: Celery in this process, and one sweep at a given moment."""

from datetime import datetime

import pytest
import time_machine

from reviewers.reminders import reminders_sweep
from reviewers.tasks import reminders_enqueue


@pytest.fixture
def eager_celery():
    """This test runs Celery tasks eagerly, in this process (the only place eager mode is used).

    As on a worker, a task's failure is recorded in its result and the reminder row, not raised.
    """
    from editorial.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


@pytest.fixture
def sweep(django_capture_on_commit_callbacks, eager_celery):
    """One sweep at a moment, as beat would run it: claim, then queue the sends after commit."""

    def run(at: datetime):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return reminders_sweep(deliver=reminders_enqueue)

    return run
