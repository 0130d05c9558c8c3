"""Reminders to the Medical Advisory Board: which are owed, reserving them, sending each once.

The database, not the broker, decides what has been sent (DESIGN §3 I5). A sweep finds the
assignments that owe a reminder and, in the same transaction, reserves each one by inserting its
``Reminder`` row; the unique constraint on (assignment, kind, occurrence) lets only one sweep win.
Reserved rows are handed to the workers after commit. Sending locks the row, skips it if it is
already sent, and records ``sent_at`` in the transaction that sent it; a row that is still unsent
a few minutes after its reservation is handed to the workers again by the next sweep.

The one window left: a worker killed after the mail server accepted a message but before the
transaction that records ``sent_at`` commits sends that reminder again on retry. We prefer that
to losing a reminder, keep the window to one UPDATE, and give every message a ``Message-ID``
derived from the reminder so that mail systems recognise the duplicate.
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from smtplib import SMTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .choices import ACTIVE_ASSIGNMENT_STATUSES, ReminderKind
from .models import Reminder, ReviewAssignment

logger = logging.getLogger(__name__)

#: Failures worth retrying: the mail server or the network, not a bug in the message.
SEND_ERRORS = (SMTPException, OSError)

#: How far back the sweep looks for new assignments whose email was never reserved.
NEW_ASSIGNMENT_CATCH_UP = timedelta(days=1)

Deliver = Callable[[list[int]], object]


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders fall due, from the ``EDITORIAL_*`` settings (DESIGN §6)."""

    before_due: timedelta
    overdue_every: timedelta
    overdue_max: int
    escalate_after: timedelta
    retry_after: timedelta
    batch_size: int

    @classmethod
    def from_settings(cls) -> "ReminderPolicy":
        return cls(
            before_due=timedelta(hours=settings.EDITORIAL_REMIND_BEFORE_DUE_HOURS),
            overdue_every=timedelta(hours=settings.EDITORIAL_OVERDUE_EVERY_HOURS),
            overdue_max=settings.EDITORIAL_OVERDUE_REMINDERS_MAX,
            escalate_after=timedelta(hours=settings.EDITORIAL_ESCALATE_AFTER_OVERDUE_HOURS),
            retry_after=timedelta(minutes=settings.EDITORIAL_REMINDER_RETRY_AFTER_MINUTES),
            batch_size=settings.EDITORIAL_REMINDER_BATCH_SIZE,
        )


@dataclass(frozen=True)
class OwedReminder:
    """One kind of reminder and the assignments that owe it now (not yet reserved)."""

    kind: str
    occurrence: int
    assignments: models.QuerySet
    recipient: str  # lookup of the recipient's email address from the assignment

    def unreserved(self) -> models.QuerySet:
        reserved = Reminder.objects.filter(
            assignment=OuterRef("pk"), kind=self.kind, occurrence=self.occurrence
        )
        return self.assignments.filter(~Exists(reserved)).order_by("pk")


def reminders_owed(*, now: datetime, policy: ReminderPolicy) -> list[OwedReminder]:
    """Everything the board is owed at ``now``, as indexed queries on (status, due_at).

    - due soon: once, from ``before_due`` before the due date until it is due, unless the
      assignment was made inside that window (its new-assignment email gave the date);
    - overdue: the n-th from ``(n - 1) × overdue_every`` after the due date, at most
      ``overdue_max``; after an outage only the latest one owed goes out, not a burst;
    - escalation to the assigning editor once ``escalate_after`` overdue;
    - new assignment: catches up an email whose reservation was lost between commit and the signal.
    """
    active = ReviewAssignment.objects.active()
    owed = [
        OwedReminder(
            ReminderKind.DUE_SOON,
            1,
            active.filter(
                due_at__gte=now,
                due_at__lte=now + policy.before_due,
                assigned_at__lte=F("due_at") - policy.before_due,
            ),
            "reviewer__email",
        )
    ]
    for occurrence in range(1, policy.overdue_max + 1):
        window = active.filter(due_at__lt=now - (occurrence - 1) * policy.overdue_every)
        if occurrence < policy.overdue_max:
            window = window.filter(due_at__gte=now - occurrence * policy.overdue_every)
        owed.append(OwedReminder(ReminderKind.OVERDUE, occurrence, window, "reviewer__email"))
    owed.append(
        OwedReminder(
            ReminderKind.ESCALATION,
            1,
            active.filter(due_at__lte=now - policy.escalate_after),
            "assigned_by__email",
        )
    )
    owed.append(
        OwedReminder(
            ReminderKind.NEW_ASSIGNMENT,
            1,
            active.filter(
                assigned_at__gte=now - NEW_ASSIGNMENT_CATCH_UP,
                assigned_at__lte=now - policy.retry_after,
            ),
            "reviewer__email",
        )
    )
    return owed


def reminders_to_retry(*, now: datetime, policy: ReminderPolicy) -> models.QuerySet:
    """Reserved reminders never sent (broker down, worker lost, retries exhausted)."""
    return (
        Reminder.objects.unsent()
        .filter(
            created_at__lte=now - policy.retry_after,
            assignment__status__in=ACTIVE_ASSIGNMENT_STATUSES,
        )
        .exclude(recipient="")
        .order_by("pk")
    )


def _reserve(rows: list[tuple[int, str, int, str]], *, now: datetime) -> list[int]:
    """Insert the rows, skipping any already reserved; return the ids this call inserted.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL, SQLite ≥ 3.35) tells exactly which
    reservations are ours, in one statement per batch, even while another sweep inserts.
    """
    if not rows:
        return []
    meta = Reminder._meta
    quote = connection.ops.quote_name
    reserved_at = meta.get_field("created_at").get_db_prep_value(now, connection)
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("assignment", "kind", "occurrence", "recipient", "created_at")
    )
    unique = ", ".join(
        quote(meta.get_field(name).column) for name in ("assignment", "kind", "occurrence")
    )
    values = ", ".join(["(%s, %s, %s, %s, %s, 0, '')"] * len(rows))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}, {quote('attempts')}, "
        f"{quote('last_error')}) VALUES {values} ON CONFLICT ({unique}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    params = [value for row in rows for value in (*row, reserved_at)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _batches(queryset: models.QuerySet, size: int, *fields: str) -> Iterator[list[tuple]]:
    """Keyset pages over ``queryset`` by pk, so memory stays flat however many rows match."""
    last_pk = 0
    while True:
        page = list(queryset.filter(pk__gt=last_pk).values_list("pk", *fields)[:size])
        if not page:
            return
        yield page
        last_pk = page[-1][0]
        if len(page) < size:
            return


@dataclass
class SweepReport:
    now: datetime
    reserved: Counter = field(default_factory=Counter)
    retried: int = 0
    would_send: list[str] = field(default_factory=list)

    def __str__(self):
        kinds = ", ".join(
            f"{ReminderKind(kind).label.lower()} {count}"
            for kind, count in self.reserved.items()
            if count
        )
        return (
            f"reserved {self.reserved.total()}" + (f" ({kinds})" if kinds else "") + ", "
            f"{self.retried} unsent handed over again"
        )


def reminders_sweep(
    *, deliver: Deliver, now: datetime | None = None, dry_run: bool = False
) -> SweepReport:
    """Reserve every reminder owed at ``now`` and hand the reserved ids to ``deliver`` after commit.

    Runs in batches of ``EDITORIAL_REMINDER_BATCH_SIZE``: each batch is one transaction that
    selects the assignments owing a reminder and inserts their reservations. Safe to run twice at
    once.
    """
    now = now or timezone.now()
    policy = ReminderPolicy.from_settings()
    report = SweepReport(now=now)
    for page in _batches(reminders_to_retry(now=now, policy=policy), policy.batch_size):
        ids = [pk for (pk,) in page]
        report.retried += len(ids)
        if dry_run:
            report.would_send.extend(
                f"again: {reminder}"
                for reminder in Reminder.objects.filter(pk__in=ids).select_related(
                    "assignment__article", "assignment__reviewer"
                )
            )
        else:
            deliver(ids)
    for owed in reminders_owed(now=now, policy=policy):
        if dry_run:
            report.would_send.extend(_describe(owed))
            continue
        report.reserved[owed.kind] += _reserve_owed(owed, now=now, policy=policy, deliver=deliver)
    return report


def _reserve_owed(owed: OwedReminder, *, now, policy: ReminderPolicy, deliver: Deliver) -> int:
    reserved = 0
    candidates = _batches(owed.unreserved(), policy.batch_size, owed.recipient)
    while True:
        with transaction.atomic():
            page = next(candidates, None)
            if page is None:
                return reserved
            ids = _reserve(
                [(pk, owed.kind, owed.occurrence, email or "") for pk, email in page], now=now
            )
            if ids:
                transaction.on_commit(partial(deliver, ids))
        reserved += len(ids)


def _describe(owed: OwedReminder) -> Iterable[str]:
    label = ReminderKind(owed.kind).label
    for assignment in owed.unreserved().select_related("article", "reviewer", "assigned_by"):
        recipient = assignment.assigned_by if owed.recipient.startswith("assigned_by") else None
        recipient = (recipient or assignment.reviewer).email or "(no email address)"
        yield f"{label} #{owed.occurrence} to {recipient} for {assignment}"


def reminder_reserve_new_assignment(*, assignment: ReviewAssignment, deliver: Deliver) -> list[int]:
    """Reserve the email telling the reviewer about a new assignment; ``deliver`` it on commit.

    Called after the assignment is committed (the services' ``assignment_created`` signal); if
    this process dies first, the sweep's new-assignment catch-up reserves the email instead.
    """
    with transaction.atomic():
        ids = _reserve(
            [(assignment.pk, ReminderKind.NEW_ASSIGNMENT, 1, assignment.reviewer.email or "")],
            now=timezone.now(),
        )
        if ids:
            transaction.on_commit(partial(deliver, ids), robust=True)
    return ids


class ReminderNotSent(Exception):
    """The reminder cannot be sent as it stands; recorded on the row, not retried by workers."""


def reminder_send(*, reminder_id: int) -> Reminder | None:
    """Send one reserved reminder unless it is already sent (or being sent by another worker).

    Returns the sent reminder, or None when there was nothing to send. Raises one of
    ``SEND_ERRORS`` after recording the attempt when the mail server refused or was unreachable.
    """
    failure = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.unsent()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "assignment__article", "assignment__reviewer", "assignment__assigned_by"
            )
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None:
            return None
        try:
            message = reminder_message(reminder)
        except ReminderNotSent as exc:
            reminder.last_error = str(exc)
            reminder.save(update_fields=["last_error"])
            return None
        reminder.attempts += 1
        try:
            message.send()
        except SEND_ERRORS as exc:
            failure = exc
            reminder.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            reminder.sent_at = timezone.now()
            reminder.last_error = ""
        reminder.save(update_fields=["attempts", "sent_at", "last_error"])
    if failure is not None:
        raise failure
    return reminder


def _assignment_link(assignment: ReviewAssignment) -> str:
    try:
        path = reverse("admin:reviewers_reviewassignment_change", args=[assignment.pk])
    except NoReverseMatch:
        path = reverse("admin:index")
    return settings.SITE_URL.rstrip("/") + path


def reminder_message(reminder: Reminder) -> EmailMultiAlternatives:
    """The email for a reminder, rendered from ``templates/reviewers/email/<kind>.*``."""
    assignment = reminder.assignment
    if not assignment.is_active:
        raise ReminderNotSent(f"Not sent: the assignment is {assignment.get_status_display()}.")
    if not reminder.recipient:
        raise ReminderNotSent("Not sent: the recipient has no email address.")
    now = timezone.now()
    context = {
        "reminder": reminder,
        "assignment": assignment,
        "article": assignment.article,
        "reviewer": assignment.reviewer,
        "assigned_by": assignment.assigned_by,
        "due_at": assignment.due_at,
        "overdue_days": max((now - assignment.due_at).days, 0),
        "link": _assignment_link(assignment),
    }
    template = f"reviewers/email/{reminder.kind}"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[reminder.recipient],
        headers={"Message-ID": f"<reminder-{reminder.pk}-{reminder.kind}@{host}>"},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
