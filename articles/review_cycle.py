"""The review cycle of approved articles (docs/governance.md): when the next periodic review falls
due.

An approval sets the article's next review due date ``EDITORIAL_REVIEW_CYCLE_MONTHS`` after the
day of approval; an editor may set another, with a reason. Dates are the site's local dates:
the page says “Next review due: 2 March 2029”, and the review falls due on that day.
"""

import calendar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_due_after(approved_at: datetime) -> date:
    """The date a review cycle that starts with an approval at ``approved_at`` falls due."""
    return add_months(timezone.localdate(approved_at), settings.EDITORIAL_REVIEW_CYCLE_MONTHS)


def reminder_window_end(today: date) -> date:
    """The last due date the article's editor is reminded of ahead of it, from ``today``."""
    return today + timedelta(days=settings.EDITORIAL_REVIEW_REMIND_BEFORE_DAYS)


def review_date_key(day: date) -> int:
    """A due date as the number YYYYMMDD: the occurrence of its reminders in the ledger, so a
    new date (set by an editor, or by the next approval) is reminded of afresh, and the same
    date never twice (docs/invariants.md#i5-reminders-exactly-once)."""
    return day.year * 10000 + day.month * 100 + day.day


def review_date_key_of(field: str = "next_review_due"):
    """``review_date_key`` of a date column, in SQL: annotates rows with the occurrence of their
    reminders, the number ``review_date_key`` gives the same date in Python."""
    return ExtractYear(F(field)) * 10000 + ExtractMonth(F(field)) * 100 + ExtractDay(F(field))


def review_date_passed(next_review_due: date | None, *, today: date | None = None) -> bool:
    """Whether the due date is behind us: it fell due on that day and was not met by its end."""
    if next_review_due is None:
        return False
    return next_review_due < (today or timezone.localdate())
