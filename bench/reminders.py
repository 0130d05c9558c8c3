"""Reminder sweep benchmark: one sweep over many open assignments, a few of which owe a reminder.

Creates, in a fresh test database (never the real one), ``--assignments`` open assignments
(default 50,000) of which ``--owed`` (default 5,000) owe a reminder now: two fifths due soon,
two fifths on their first overdue day, one fifth due for escalation (their overdue reminders
already sent). Every assignment already has its new-assignment email on the ledger. Then runs one
sweep, which claims the 5,000 and queues their sends on the broker (``memory://`` unless
CELERY_BROKER_URL is set), and prints wall time, SQL queries and peak Python memory; with
``--send`` it then sends them all in this process (locmem email) and prints the same figures.

    .venv/bin/python bench/reminders.py [--assignments 50000] [--owed 5000] [--send]

PostgreSQL when DATABASE_URL is set (the bench creates and drops ``test_<name>``), else SQLite
in memory. Target: the sweep under 30 s, its query count bounded by batches, not assignments.
"""

import argparse
import os
import resource
import secrets
import sys
import time
import tracemalloc
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")
os.environ.setdefault("CELERY_BROKER_URL", "memory://")
# Production settings (DEBUG off) start only with a SECRET_KEY: a throwaway one.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
TARGET_SECONDS = 30


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def measured(label: str, *, trace_memory: bool = False):
    """Time and count the SQL queries of the block, or (tracing slows Python) its peak memory."""
    from django.db import connection

    figures = {"queries": QueryCounter()}
    if trace_memory:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(figures["queries"]):
        yield figures
    figures["seconds"] = time.perf_counter() - started
    if trace_memory:
        figures["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{label}: peak Python memory {figures['peak'] / 2**20:.1f} MiB")
    else:
        print(f"{label}: {figures['seconds']:.2f} s, {figures['queries'].count} SQL queries")


def build(*, assignments: int, owed: int) -> None:
    """Bulk-insert the fixtures (no history rows: this is setup, not the thing measured)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from articles.models import Article
    from reviewers.choices import ReminderKind
    from reviewers.models import Reminder, ReviewAssignment

    now = timezone.now()
    user = get_user_model()
    editors = user.objects.bulk_create(
        user(username=f"bench-editor{i}", email=f"editor{i}@example.org", password="!")
        for i in range(20)
    )
    reviewers = user.objects.bulk_create(
        user(username=f"bench-reviewer{i}", email=f"reviewer{i}@example.org", password="!")
        for i in range(50)
    )
    articles = Article.objects.bulk_create(
        Article(title=f"Benchmark question {i}?", slug=f"bench-{i}", created_by=editors[i % 20])
        for i in range(assignments // len(reviewers) + 1)
    )
    every = assignments // owed
    rows = []
    for i in range(assignments):
        due_at = now + timedelta(days=10 + i % 10)
        if i % every == 0 and i // every < owed:
            group = (i // every) % 5
            if group in (0, 1):
                due_at = now + timedelta(hours=24)  # due soon
            elif group in (2, 3):
                due_at = now - timedelta(hours=5)  # first overdue day
            else:
                due_at = now - timedelta(hours=80)  # escalation
        rows.append(
            ReviewAssignment(
                article=articles[i // len(reviewers)],
                reviewer=reviewers[i % len(reviewers)],
                round=1,
                assigned_by=editors[i % 20],
                assigned_at=now - timedelta(days=9),
                due_at=due_at,
            )
        )
    created = ReviewAssignment.objects.bulk_create(rows, batch_size=5000)
    sent_at = now - timedelta(days=9)
    ledger = []
    for assignment in created:
        ledger.append(
            Reminder(assignment=assignment, kind=ReminderKind.NEW_ASSIGNMENT, sent_at=sent_at)
        )
        if assignment.due_at < now - timedelta(hours=72):
            ledger += [
                Reminder(
                    assignment=assignment,
                    kind=ReminderKind.OVERDUE,
                    occurrence=n,
                    sent_at=sent_at,
                )
                for n in (1, 2, 3)
            ]
    Reminder.objects.bulk_create(ledger, batch_size=5000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--owed", type=int, default=5_000)
    parser.add_argument("--send", action="store_true", help="also send what the sweep reserved")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    from reviewers.models import Reminder
    from reviewers.reminders import reminder_send, reminders_sweep
    from reviewers.tasks import reminders_enqueue

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        build(assignments=args.assignments, owed=args.owed)
        print(
            f"{connection.vendor}: {args.assignments} open assignments, {args.owed} owing a "
            f"reminder, batch size {settings.EDITORIAL_REMINDER_BATCH_SIZE} "
            f"(setup {time.perf_counter() - started:.1f} s)"
        )
        enqueued = []
        with measured("sweep") as sweep:
            report = reminders_sweep(deliver=lambda ids: enqueued.append(reminders_enqueue(ids)))
        print(f"  {report}; queued {sum(enqueued)} sends")
        reserved = list(Reminder.objects.unsent().values_list("pk", flat=True))
        assert report.reserved.total() == args.owed == len(reserved), (
            "sweep reserved the wrong rows"
        )
        with measured("second sweep (nothing owed)"):
            again = reminders_sweep(deliver=reminders_enqueue)
        assert again.reserved.total() == 0
        Reminder.objects.filter(pk__in=reserved).delete()
        with measured("the same sweep again", trace_memory=True):
            reminders_sweep(deliver=reminders_enqueue)
        reserved = list(Reminder.objects.unsent().values_list("pk", flat=True))
        if args.send:
            with measured(f"send {len(reserved)}"):
                for reminder_id in reserved:
                    reminder_send(reminder_id=reminder_id)
            assert not Reminder.objects.unsent().exists()
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process peak RSS {peak_rss:.0f} MiB (includes setup)")
        verdict = "met" if sweep["seconds"] < TARGET_SECONDS else "MISSED"
        print(f"target: sweep under {TARGET_SECONDS} s: {verdict}")
    finally:
        teardown_databases(old_config, verbosity=0)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
