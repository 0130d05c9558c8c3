"""Reminders to the Medical Advisory Board: which are owed, reserving them, sending each once.

The database, not the broker, decides what has been sent
(docs/invariants.md#i5-reminders-exactly-once). A sweep finds the assignments that owe a reminder
and, in the same transaction, reserves each one by inserting its ``Reminder`` row; the unique
constraint on (assignment, kind, occurrence) lets only one sweep win. Reserved rows are handed to
the workers after commit. Sending locks the row, skips it if it is already sent, and records
``sent_at`` in the transaction that sent it; a row that is still unsent a few minutes after its
reservation is handed to the workers again by the next sweep.

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
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from articles.choices import PublicationStatus, ReviewStatus
from articles.models import Article
from articles.review_cycle import review_date_key, review_date_key_of
from articles.services import article_note_review_date_passed
from editorial.people import display_name

from .choices import ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus, ReminderKind
from .models import Reminder, ReviewAssignment

logger = logging.getLogger(__name__)

#: Failures worth retrying: the mail server or the network, not a bug in the message.
SEND_ERRORS = (SMTPException, OSError)

#: How far back the sweep looks for new assignments whose email was never reserved.
NEW_ASSIGNMENT_CATCH_UP = timedelta(days=1)

Deliver = Callable[[list[int]], object]


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders fall due, from the ``EDITORIAL_*`` settings (docs/reminders.md)."""

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
    """One kind of reminder and the rows that owe it now (not yet reserved).

    ``rows`` are assignments, or articles when ``subject`` is ``"article"``; ``occurrence`` is a
    number, or the name of a field of the row that numbers it (an article's round, say).
    ``reserved`` is called with the ids of the rows whose reminder this sweep reserved, in the
    reserving transaction: what else happens exactly once with the reminder.
    """

    kind: str
    occurrence: int | str
    rows: models.QuerySet
    recipient: str  # lookup of the recipient's email address from the row
    subject: str = "assignment"
    reserved: Callable[[list[int]], None] | None = None

    def reservation(self, values: tuple) -> tuple[int, str, int, str]:
        """The ledger row for one row read with ``fields()``: (id, kind, occurrence, to)."""
        pk, email, *numbered = values
        occurrence = numbered[0] if numbered else self.occurrence
        return (pk, self.kind, occurrence, email or "")

    def unreserved(self) -> models.QuerySet:
        occurrence = (
            OuterRef(self.occurrence) if isinstance(self.occurrence, str) else (self.occurrence)
        )
        reserved = Reminder.objects.filter(
            **{self.subject: OuterRef("pk")}, kind=self.kind, occurrence=occurrence
        )
        return self.rows.filter(~Exists(reserved)).order_by("pk")

    def fields(self) -> tuple[str, ...]:
        """What a batch reads of each row besides its id: the recipient, and the occurrence."""
        if isinstance(self.occurrence, str):
            return (self.recipient, self.occurrence)
        return (self.recipient,)


def email_of_active(person: str) -> Case:
    """The email address of the user at ``person``, empty once they are deactivated: people
    who left get no more of Editorial's mail (the ledger says why it was not sent)."""
    return Case(
        When(**{f"{person}__is_active": True}, then=F(f"{person}__email")),
        default=Value(""),
        output_field=models.CharField(),
    )


def reminders_owed(*, now: datetime, policy: ReminderPolicy) -> list[OwedReminder]:
    """Everything the board is owed at ``now``, as indexed queries on (status, due_at).

    - due soon: once, from ``before_due`` before the due date until it is due, unless the
      assignment was made inside that window (its new-assignment email gave the date);
    - overdue: the n-th from ``(n - 1) × overdue_every`` after the due date, at most
      ``overdue_max``; after an outage only the latest one owed goes out, not a burst;
    - escalation to the assigning editor once ``escalate_after`` overdue;
    - new assignment: catches up an email whose reservation was lost between commit and the signal;
    - all reviews in: to the editor who assigned the round's last review, once every active
      assignment of the round is completed (also reserved at once when the last one completes);
    - periodic review due soon: to the article's editor, once per due date, in
      ``Article.objects.review_due_soon`` (from ``EDITORIAL_REVIEW_REMIND_BEFORE_DAYS`` ahead
      of it) while no periodic review has started;
    - periodic review date passed: to the article's editor, once per due date, in
      ``Article.objects.past_review_date`` (the day after it) while the article is approved
      (periodic review started or not). The desk lists the same two windows. Its page changes
      then (“review in progress” shows only once the date has passed), so reserving it also
      records on the article that the date has passed, once, which refreshes cached pages.

    Nothing is owed about an assignment whose article was withdrawn.
    """
    return [*_reviewer_reminders_owed(now, policy), *_editor_notices_owed(now, policy)]


def _reviewer_reminders_owed(now: datetime, policy: ReminderPolicy) -> list[OwedReminder]:
    """About assignments: due soon, overdue (1st to nth), escalation, the new-assignment email."""
    active = (
        ReviewAssignment.objects.active()
        .exclude(article__publication_status=PublicationStatus.WITHDRAWN)
        .annotate(reviewer_email=email_of_active("reviewer"))
    )
    due_soon = active.filter(
        due_at__gte=now,
        due_at__lte=now + policy.before_due,
        assigned_at__lte=F("due_at") - policy.before_due,
    )
    owed = [OwedReminder(ReminderKind.DUE_SOON, 1, due_soon, "reviewer_email")]
    for occurrence in range(1, policy.overdue_max + 1):
        window = active.filter(due_at__lt=now - (occurrence - 1) * policy.overdue_every)
        if occurrence < policy.overdue_max:
            window = window.filter(due_at__gte=now - occurrence * policy.overdue_every)
        owed.append(OwedReminder(ReminderKind.OVERDUE, occurrence, window, "reviewer_email"))
    escalated = active.filter(due_at__lte=now - policy.escalate_after).annotate(
        escalate_to=email_of_active("assigned_by")
    )
    new = active.filter(
        assigned_at__gte=now - NEW_ASSIGNMENT_CATCH_UP,
        assigned_at__lte=now - policy.retry_after,
    )
    return [
        *owed,
        OwedReminder(ReminderKind.ESCALATION, 1, escalated, "escalate_to"),
        OwedReminder(ReminderKind.NEW_ASSIGNMENT, 1, new, "reviewer_email"),
    ]


def _editor_notices_owed(now: datetime, policy: ReminderPolicy) -> list[OwedReminder]:
    """About articles: all reviews in, periodic review due soon, periodic review date passed."""
    today = timezone.localdate(now)
    due_soon = Article.objects.review_due_soon(today=today).filter(
        review_status=ReviewStatus.APPROVED
    )
    about_article = {"subject": "article"}
    return [
        OwedReminder(
            ReminderKind.ALL_REVIEWS_IN,
            "round",
            articles_with_all_reviews_in(),
            "all_reviews_in_to",
            **about_article,
        ),
        OwedReminder(
            ReminderKind.REVIEW_DUE_SOON,
            "review_due_key",
            with_review_notice_fields(due_soon),
            "editor_email",
            **about_article,
        ),
        OwedReminder(
            ReminderKind.REVIEW_OVERDUE,
            "review_due_key",
            with_review_notice_fields(Article.objects.past_review_date(today=today)),
            "editor_email",
            reserved=_note_review_dates_passed,
            **about_article,
        ),
    ]


def with_review_notice_fields(articles: models.QuerySet) -> models.QuerySet:
    """``articles`` each annotated with ``review_due_key`` (the next review date as YYYYMMDD,
    the occurrence of its reminders) and ``editor_email`` (whom they go to)."""
    return articles.annotate(
        review_due_key=review_date_key_of("next_review_due"),
        editor_email=email_of_active("created_by"),
    )


def _note_review_dates_passed(article_ids: list[int]) -> None:
    for article_id in article_ids:
        article_note_review_date_passed(article_id=article_id)


def articles_with_all_reviews_in() -> models.QuerySet:
    """Articles under review whose current round has completed reviews and no active ones, each
    annotated with ``all_reviews_in_to``: the email of the editor who assigned the last one."""
    this_round = ReviewAssignment.objects.filter(article=OuterRef("pk")).in_current_round()
    last_assigner = (
        this_round.order_by("-assigned_at", "-pk")
        .annotate(to=email_of_active("assigned_by"))
        .values("to")[:1]
    )
    return (
        Article.objects.under_review()
        .filter(Exists(this_round.filter(status=AssignmentStatus.COMPLETED)))
        .exclude(Exists(this_round.active()))
        .annotate(all_reviews_in_to=Subquery(last_assigner))
    )


def reminders_to_retry(*, now: datetime, policy: ReminderPolicy) -> models.QuerySet:
    """Reserved reminders never sent (broker down, worker lost, retries exhausted)."""
    return (
        Reminder.objects.unsent()
        .filter(created_at__lte=now - policy.retry_after)
        .filter(Q(assignment__status__in=ACTIVE_ASSIGNMENT_STATUSES) | Q(assignment__isnull=True))
        .exclude(recipient="")
        .order_by("pk")
    )


def _reserve(
    rows: list[tuple[int, str, int, str]], *, now: datetime, subject: str = "assignment"
) -> list[int]:
    """Insert the rows, skipping any already reserved; return the ids this call inserted.

    ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL, SQLite ≥ 3.35) tells exactly which
    reservations are ours, in one statement per batch, even while another sweep inserts. Each
    row is (assignment or article id, kind, occurrence, recipient), as ``subject`` says.
    """
    if not rows:
        return []
    meta = Reminder._meta
    quote = connection.ops.quote_name
    reserved_at = meta.get_field("created_at").get_db_prep_value(now, connection)
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in (subject, "kind", "occurrence", "recipient", "created_at")
    )
    values = ", ".join(["(%s, %s, %s, %s, %s, 0, '')"] * len(rows))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}, {quote('attempts')}, "
        f"{quote('last_error')}) VALUES {values} ON CONFLICT DO NOTHING "
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
    candidates = _batches(owed.unreserved(), policy.batch_size, *owed.fields())
    while True:
        with transaction.atomic():
            page = next(candidates, None)
            if page is None:
                return reserved
            ids = _reserve(
                [owed.reservation(values) for values in page], now=now, subject=owed.subject
            )
            if ids and owed.reserved is not None:
                owed.reserved(
                    list(
                        Reminder.objects.filter(pk__in=ids).values_list(
                            f"{owed.subject}_id", flat=True
                        )
                    )
                )
            if ids:
                transaction.on_commit(partial(deliver, ids))
        reserved += len(ids)


def _describe(owed: OwedReminder) -> Iterable[str]:
    label = ReminderKind(owed.kind).label
    for values in owed.unreserved().values_list("pk", *owed.fields()):
        pk, _kind, occurrence, email = owed.reservation(values)
        about = owed.rows.model.objects.get(pk=pk)
        yield f"{label} #{occurrence} to {email or '(no email address)'} for {about}"


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


def reminder_reserve_all_reviews_in(*, article_id: int, deliver: Deliver) -> list[int]:
    """Reserve the “all reviews in” notice if the article's round has just been completed.

    Called after an assignment is completed (the ``assignment_completed`` signal); if this
    process dies first, the sweep reserves it instead.
    """
    article = (
        articles_with_all_reviews_in()
        .filter(pk=article_id)
        .values_list("pk", "round", "all_reviews_in_to")
        .first()
    )
    if article is None:
        return []
    pk, round_number, email = article
    with transaction.atomic():
        ids = _reserve(
            [(pk, ReminderKind.ALL_REVIEWS_IN, round_number, email or "")],
            now=timezone.now(),
            subject="article",
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
                "article__created_by",
                "assignment__article",
                "assignment__reviewer",
                "assignment__assigned_by",
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
        reminder.save(update_fields=["attempts", "sent_at", "last_error", "recipient"])
    if failure is not None:
        raise failure
    return reminder


def _admin_link(url_name: str, pk: int) -> str:
    try:
        path = reverse(url_name, args=[pk])
    except NoReverseMatch:
        path = reverse("admin:index")
    return settings.SITE_URL.rstrip("/") + path


def _assignment_context(reminder: Reminder, *, now) -> dict:
    assignment = reminder.assignment
    if not assignment.is_active:
        raise ReminderNotSent(f"Not sent: the assignment is {assignment.get_status_display()}.")
    if assignment.article.publication_status == PublicationStatus.WITHDRAWN:
        raise ReminderNotSent("Not sent: the article was withdrawn.")
    context = {
        "assignment": assignment,
        "article": assignment.article,
        "reviewer": assignment.reviewer,
        "assigned_by": assignment.assigned_by,
        "due_at": assignment.due_at,
        "overdue_days": max((now - assignment.due_at).days, 0),
        "link": _admin_link("admin:reviewers_reviewassignment_change", assignment.pk),
    }
    if reminder.kind == ReminderKind.NEW_ASSIGNMENT and assignment.round > 1:
        context.update(_changes_since_last_round(assignment))
    return context


def _changes_since_last_round(assignment: ReviewAssignment) -> dict:
    """What a reviewer carried into a new round is asked about: the claims changed (or added)
    since the previous round, by number; the others are carried over, approved."""
    from .selectors import review_for_assignment

    review = review_for_assignment(assignment)
    to_decide = review.to_decide()
    return {
        "periodic": assignment.article.is_in_periodic_review,
        "changed_claims": [
            {
                "number": item.number,
                "how": "new" if item.is_new else "changed" if item.changed else "to confirm",
                "text": item.claim.summary(100),
            }
            for item in to_decide
        ],
        "carried_over": len(review.claims()) - len(to_decide),
    }


def _article_context(reminder: Reminder, *, now) -> dict:
    article = reminder.article
    if reminder.kind == ReminderKind.ALL_REVIEWS_IN:
        if article.round != reminder.occurrence or not article.is_under_review:
            raise ReminderNotSent("Not sent: the article has moved on from that round.")
        this_round = article.assignments.in_round(article.round).select_related(
            "reviewer", "assigned_by"
        )
        completed = [a for a in this_round if a.status == AssignmentStatus.COMPLETED]
        return {
            "article": article,
            "round": article.round,
            "assignments": completed,
            "editor": max(this_round, key=lambda a: (a.assigned_at, a.pk)).assigned_by,
            "link": _admin_link("admin:articles_article_change", article.pk),
        }
    if reminder.kind in (ReminderKind.REVIEW_DUE_SOON, ReminderKind.REVIEW_OVERDUE):
        return _review_cycle_context(reminder, now=now)
    raise ReminderNotSent(f"Not sent: no email is written for “{reminder.get_kind_display()}”.")


def _review_cycle_context(reminder: Reminder, *, now) -> dict:
    article = reminder.article
    due = article.next_review_due
    if due is None or review_date_key(due) != reminder.occurrence:
        raise ReminderNotSent("Not sent: the article's next review date has changed since.")
    if article.publication_status == PublicationStatus.WITHDRAWN:
        raise ReminderNotSent("Not sent: the article was withdrawn.")
    if not article.has_standing_approval:
        raise ReminderNotSent("Not sent: the article is no longer approved; it is under review.")
    if reminder.kind == ReminderKind.REVIEW_DUE_SOON and article.is_in_periodic_review:
        raise ReminderNotSent("Not sent: the periodic review has started.")
    return {
        "article": article,
        "editor": article.created_by,
        "next_review_due": due,
        "approved_at": article.approved_at,
        "in_progress": article.is_in_periodic_review,
        "days_left": (due - timezone.localdate(now)).days,
        "link": _admin_link("admin:articles_article_change", article.pk),
    }


def reminder_recipient(reminder: Reminder):
    """Who a reminder is for, as things stand now: the reviewer, the editor who assigned the
    review (escalation, all reviews in: the round's last assigner) or the article's editor."""
    if reminder.kind == ReminderKind.ESCALATION:
        return reminder.assignment.assigned_by
    if reminder.assignment_id:
        return reminder.assignment.reviewer
    article = reminder.article
    if reminder.kind == ReminderKind.ALL_REVIEWS_IN:
        last = (
            article.assignments.in_round(reminder.occurrence)
            .select_related("assigned_by")
            .order_by("-assigned_at", "-pk")
            .first()
        )
        return last.assigned_by if last is not None else None
    return article.created_by


def _check_recipient(reminder: Reminder) -> None:
    """Every notice re-checks its recipient when it is sent (docs/reminders.md), under the ledger
    row's lock: someone deactivated since the reminder was reserved gets nothing, and the row says
    why; someone whose address changed gets it at the new one, which the row records."""
    person = reminder_recipient(reminder)
    if person is not None and not person.is_active:
        name = display_name(person)
        raise ReminderNotSent(f"Not sent: {name} was deactivated and no longer has access.")
    if person is None or not reminder.recipient or not person.email:
        raise ReminderNotSent(
            "Not sent: the recipient has no email address or no longer has access."
        )
    reminder.recipient = person.email


def reminder_message(reminder: Reminder) -> EmailMultiAlternatives:
    """The email for a reminder, rendered from ``templates/reviewers/email/<kind>.*``."""
    _check_recipient(reminder)
    now = timezone.now()
    about = _assignment_context if reminder.assignment_id else _article_context
    context = {"reminder": reminder, **about(reminder, now=now)}
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
