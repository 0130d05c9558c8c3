"""Review-cycle reminders to editors (docs/governance.md) in the exactly-once ledger (I5): one ahead
of the next review date, one when it has passed, each once per date however often the sweep runs; a
new date is reminded of afresh. Time is moved with time-machine, never slept."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from articles import services
from articles.models import Article
from desk.selectors import articles_due_for_review, articles_past_review_date
from editorial.history import SYSTEM_PREFIX
from reviewers import services as reviewer_services
from reviewers.models import Reminder
from tests.factories import ApproverFactory, BoardReviewerFactory, EditorFactory
from tests.factories import article_with_claims as new_article
from tests.workflow import assign_and_approve

pytestmark = pytest.mark.django_db

APPROVED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = date(2029, 3, 2)


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


@pytest.fixture
def editor():
    return EditorFactory(first_name="Elena", last_name="Marsh")


@pytest.fixture
def article(editor):
    with time_machine.travel(APPROVED_AT, tick=False):
        approved = assign_and_approve(
            new_article(editor=editor),
            editor=editor,
            reviewer=BoardReviewerFactory(),
            approver=ApproverFactory(),
        )
        published = services.article_publish(article=approved, actor=editor)
    mail.outbox.clear()
    return published


def review_reminders() -> list[tuple[str, int, str]]:
    return list(
        Reminder.objects.filter(kind__startswith="review_", sent_at__isnull=False)
        .order_by("pk")
        .values_list("kind", "occurrence", "recipient")
    )


def test_editor_is_reminded_30_days_ahead_once(sweep, article, editor):
    sweep(at(DUE - timedelta(days=31)))
    assert review_reminders() == []

    sweep(at(DUE - timedelta(days=30)))
    sweep(at(DUE - timedelta(days=29)))
    sweep(at(DUE - timedelta(days=1)))

    assert review_reminders() == [("review_due_soon", 20290302, editor.email)]
    message = mail.outbox[-1]
    assert message.subject == f"Periodic review due 2 March 2029: “{article.title}”"
    assert "falls due on Friday 2 March 2029, in 30 days" in message.body
    assert "last approved it on 2 March 2026" in message.body


def test_editor_is_told_once_when_the_review_date_has_passed(sweep, article, editor):
    sweep(at(DUE, hour=23))
    assert [kind for kind, *_ in review_reminders()] == ["review_due_soon"]

    sweep(at(DUE + timedelta(days=1), hour=0))
    sweep(at(DUE + timedelta(days=2)))
    sweep(at(DUE + timedelta(days=40)))

    assert review_reminders() == [
        ("review_due_soon", 20290302, editor.email),
        ("review_overdue", 20290302, editor.email),
    ]
    assert "No periodic review has started" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("days_to_go", "reminded"),
    [
        (31, set()),
        (30, {"review_due_soon"}),
        (0, {"review_due_soon"}),
        (-1, {"review_overdue"}),
        (-40, {"review_overdue"}),
    ],
)
def test_the_desk_lists_an_article_in_the_windows_its_editor_is_reminded_in(
    sweep, article, days_to_go, reminded
):
    today = DUE - timedelta(days=days_to_go)
    sweep(at(today))

    in_window = Article.objects.review_due_in_reminder_window(today=today)
    assert {kind for kind, *_ in review_reminders()} == reminded
    assert (article in articles_due_for_review(today=today)) == ("review_due_soon" in reminded)
    assert (article in articles_past_review_date(today=today)) == ("review_overdue" in reminded)
    assert in_window.filter(pk=article.pk).exists() == bool(reminded)


def test_the_passing_date_is_recorded_once_and_refreshes_cached_pages(sweep, article):
    version = Article.objects.get(pk=article.pk).content_version
    sweep(at(DUE + timedelta(days=1)))
    sweep(at(DUE + timedelta(days=2)))

    noted = Article.objects.get(pk=article.pk)
    assert noted.content_version == version + 1
    assert noted.review_date_passed_at == at(DUE + timedelta(days=1))
    row = noted.history.latest("history_id")
    assert row.history_user is None
    assert row.history_change_reason.startswith(SYSTEM_PREFIX)
    assert row.history_change_reason.endswith("review date passed: next review was due 2029-03-02")


def test_a_periodic_review_says_it_is_in_progress_only_once_its_date_has_passed(
    sweep, article, editor
):
    with time_machine.travel(at(DUE - timedelta(days=10)), tick=False):
        started = reviewer_services.article_start_periodic_review(article=article, actor=editor)
    sweep(at(DUE, hour=23))
    assert not Article.objects.get(pk=started.pk).says_review_in_progress

    sweep(at(DUE + timedelta(days=1)))

    assert Article.objects.get(pk=started.pk).says_review_in_progress


def test_no_due_soon_reminder_once_the_periodic_review_has_started(sweep, article, editor):
    with time_machine.travel(at(DUE - timedelta(days=60)), tick=False):
        reviewer_services.article_start_periodic_review(article=article, actor=editor)
    sweep(at(DUE - timedelta(days=10)))
    sweep(at(DUE + timedelta(days=1)))

    assert [kind for kind, *_ in review_reminders()] == ["review_overdue"]
    assert "Its periodic review is in progress" in mail.outbox[-1].body


def test_a_new_review_date_is_reminded_of_afresh(sweep, article, editor):
    sweep(at(DUE - timedelta(days=20)))
    later = date(2029, 9, 1)
    with time_machine.travel(at(DUE - timedelta(days=19)), tick=False):
        services.article_set_next_review(
            article=article, due_on=later, actor=editor, reason="Trial reports in summer 2029"
        )
    sweep(at(DUE + timedelta(days=5)))
    sweep(at(later - timedelta(days=30)))
    sweep(at(later + timedelta(days=1)))

    assert [(kind, occurrence) for kind, occurrence, _ in review_reminders()] == [
        ("review_due_soon", 20290302),
        ("review_due_soon", 20290901),
        ("review_overdue", 20290901),
    ]


def test_a_reminder_for_a_date_changed_before_sending_is_not_sent(article, editor):
    from reviewers.reminders import reminder_send, reminders_sweep

    with time_machine.travel(at(DUE - timedelta(days=10)), tick=False):
        reminders_sweep(deliver=lambda ids: None)
        services.article_set_next_review(
            article=article, due_on=date(2030, 1, 1), actor=editor, reason="Later"
        )
        reminder = Reminder.objects.get(kind="review_due_soon")
        assert reminder_send(reminder_id=reminder.pk) is None
    reminder.refresh_from_db()
    assert reminder.sent_at is None
    assert "next review date has changed" in reminder.last_error


def test_withdrawn_articles_are_not_reminded(sweep, article, editor):
    services.article_withdraw(article=article, actor=editor)
    sweep(at(DUE + timedelta(days=1)))
    assert review_reminders() == []


def test_a_periodic_rounds_assignment_email_asks_about_every_claim(
    eager_celery, article, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_services.article_start_periodic_review(article=article, actor=editor)

    message = mail.outbox[-1]
    assert "is due for its periodic review (round 2)" in message.body
    assert "all 2 claims need your decision" in message.body
    assert "carried over" not in message.body


def test_an_editor_who_was_deactivated_gets_no_reminder(sweep, article, editor):
    from reviewers.services import user_deactivate

    user_deactivate(user=editor, actor=None, reason="Left the publisher")
    sweep(at(DUE - timedelta(days=30)))

    assert review_reminders() == []
    assert mail.outbox == []
    reminder = Reminder.objects.get(kind="review_due_soon")
    assert reminder.recipient == ""
    assert "no longer has access" in reminder.last_error


@pytest.mark.parametrize(
    ("kind", "day"),
    [("review_due_soon", DUE - timedelta(days=30)), ("review_overdue", DUE + timedelta(days=1))],
)
def test_a_reminder_reserved_before_the_editor_was_deactivated_is_not_sent(
    article, editor, kind, day
):
    """docs/reminders.md: the recipient is checked again when the reminder is sent."""
    from reviewers.reminders import reminder_send, reminders_sweep
    from reviewers.services import user_deactivate

    with time_machine.travel(at(day), tick=False):
        reminders_sweep(deliver=lambda ids: None)
    reminder = Reminder.objects.get(kind=kind)
    assert reminder.recipient == editor.email
    user_deactivate(user=editor, actor=None, reason="Left the publisher")

    with time_machine.travel(at(day, hour=10), tick=False):
        assert reminder_send(reminder_id=reminder.pk) is None
    reminder.refresh_from_db()
    assert reminder.sent_at is None
    assert reminder.last_error == "Not sent: Elena Marsh was deactivated and no longer has access."
    assert mail.outbox == []
