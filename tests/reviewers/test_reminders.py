"""Reminders to board reviewers: the policy at its boundaries, the emails, and I5 (exactly once).

Time is moved with time-machine, never slept. Tests that run Celery tasks in-process say so by
taking the ``eager_celery`` fixture; everything else calls the services directly.
"""

import threading
from datetime import UTC, datetime, timedelta
from smtplib import SMTPServerDisconnected

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection, connections
from kombu.exceptions import OperationalError

from articles import services as article_services
from editorial.people import display_name
from reviewers import services
from reviewers.models import Reminder
from reviewers.reminders import reminder_send, reminders_sweep
from reviewers.roles import ensure_roles
from reviewers.tasks import reminder_send_task
from tests.factories import ReviewAssignmentFactory, UserFactory, article_with_claims
from tests.workflow import assign_and_start, ready_with_open_assignments

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = T0 + timedelta(days=7)


@pytest.fixture
def assignment(db):
    with time_machine.travel(T0, tick=False):
        return ReviewAssignmentFactory(due_at=DUE)


def sent(kind=None):
    """(kind, occurrence, recipient) of every reminder the ledger records as sent."""
    reminders = Reminder.objects.filter(sent_at__isnull=False).order_by("pk")
    if kind:
        reminders = reminders.filter(kind=kind)
    return [(r.kind, r.occurrence, r.recipient) for r in reminders]


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


pytestmark = pytest.mark.django_db


class TestPolicy:
    @pytest.mark.parametrize(
        ("before_due", "owed"),
        [(hours(49), False), (hours(48) + timedelta(seconds=1), False), (hours(48), True)],
    )
    def test_due_soon_reminder_opens_48_hours_before_due(self, sweep, assignment, before_due, owed):
        sweep(DUE - before_due)
        assert sent() == ([("due_soon", 1, assignment.reviewer.email)] if owed else [])
        assert len(mail.outbox) == (1 if owed else 0)

    def test_due_soon_reminder_is_sent_once_however_often_the_sweep_runs(self, sweep, assignment):
        sweep(DUE - hours(48))
        sweep(DUE - hours(47))
        sweep(DUE - hours(1))
        assert sent() == [("due_soon", 1, assignment.reviewer.email)]
        assert len(mail.outbox) == 1

    def test_no_due_soon_reminder_for_an_assignment_made_inside_the_window(self, sweep, db):
        with time_machine.travel(DUE - hours(30), tick=False):
            ReviewAssignmentFactory(due_at=DUE)
        sweep(DUE - hours(29))
        assert sent("due_soon") == []

    @pytest.mark.parametrize(
        ("after_due", "overdue_sent"),
        [
            pytest.param(timedelta(0), [], id="due"),
            pytest.param(timedelta(seconds=1), [1], id="1st-day"),
            pytest.param(hours(23), [1], id="1st-day-end"),
            pytest.param(hours(24) + timedelta(seconds=1), [1, 2], id="2nd-day"),
            # Sweeping hour by hour takes a while: the quick loop keeps one day's end
            # (1st-day-end) and the cap (4th-day).
            pytest.param(hours(47), [1, 2], id="2nd-day-end", marks=pytest.mark.slow),
            pytest.param(
                hours(48) + timedelta(seconds=1), [1, 2, 3], id="3rd-day", marks=pytest.mark.slow
            ),
            pytest.param(hours(95), [1, 2, 3], id="4th-day"),
        ],
    )
    def test_one_overdue_reminder_a_day_at_most_three(
        self, sweep, assignment, after_due, overdue_sent
    ):
        at = DUE - hours(1)
        while at < DUE + after_due:
            at = min(at + hours(1), DUE + after_due)
            sweep(at)
        assert [o for kind, o, _ in sent("overdue")] == overdue_sent

    def test_escalation_to_the_assigning_editor_at_72_hours_overdue(self, sweep, assignment):
        sweep(DUE + hours(72) - timedelta(seconds=1))
        assert sent("escalation") == []
        sweep(DUE + hours(72))
        assert sent("escalation") == [("escalation", 1, assignment.assigned_by.email)]
        escalation = mail.outbox[-1]
        assert escalation.to == [assignment.assigned_by.email]
        assert "3 days overdue" in escalation.subject
        sweep(DUE + hours(200))
        assert len(sent("escalation")) == 1

    @pytest.mark.slow
    def test_a_full_review_period_sends_this_timeline(
        self, sweep, editor, reviewer, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
            assignment = services.assignment_create(
                article=article_with_claims(editor=editor),
                reviewer=reviewer,
                due_at=DUE,
                actor=editor,
            )
        timeline = [(T0 - DUE, message.to[0]) for message in mail.outbox]
        at = DUE - hours(50)
        while at <= DUE + hours(120):
            before = len(mail.outbox)
            sweep(at)
            timeline += [(at - DUE, message.to[0]) for message in mail.outbox[before:]]
            at += timedelta(minutes=15 * 4)
        reviewer, editor = assignment.reviewer.email, editor.email
        assert timeline == [
            (-timedelta(days=7), reviewer),
            (-hours(48), reviewer),
            (hours(1), reviewer),
            (hours(25), reviewer),
            (hours(49), reviewer),
            (hours(72), editor),
        ]

    def test_after_an_outage_only_the_latest_overdue_reminder_goes_out(self, sweep, assignment):
        sweep(DUE + hours(60))
        assert sent() == [
            ("overdue", 3, assignment.reviewer.email),
        ]

    def test_finished_assignments_are_not_reminded(self, sweep, assignment):
        services.assignment_accept(
            assignment=assignment, actor=assignment.reviewer, no_conflict=True
        )
        services.assignment_complete(
            assignment=assignment, actor=assignment.reviewer, recommendation="approve"
        )
        sweep(DUE - hours(10))
        sweep(DUE + hours(100))
        assert mail.outbox == []

    def test_new_assignment_email_lost_before_its_claim_is_caught_up_once(self, sweep, assignment):
        sweep(T0 + timedelta(minutes=5))
        assert sent() == []  # the signal's claim may still be on its way
        sweep(T0 + timedelta(minutes=15))
        sweep(T0 + timedelta(minutes=30))
        assert sent() == [("new_assignment", 1, assignment.reviewer.email)]
        assert len(mail.outbox) == 1

    def test_new_assignment_claimed_by_the_signal_is_not_sent_again_by_the_sweep(
        self, sweep, editor, reviewer, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
            services.assignment_create(
                article=article_with_claims(editor=editor),
                reviewer=reviewer,
                due_at=DUE,
                actor=editor,
            )
        sweep(T0 + timedelta(minutes=15))
        sweep(T0 + hours(12))
        assert sent() == [("new_assignment", 1, reviewer.email)]
        assert len(mail.outbox) == 1

    def test_policy_follows_the_settings(self, sweep, assignment, settings):
        settings.EDITORIAL_REMIND_BEFORE_DUE_HOURS = 24
        settings.EDITORIAL_OVERDUE_REMINDERS_MAX = 1
        sweep(DUE - hours(30))
        assert sent() == []
        sweep(DUE - hours(24))
        sweep(DUE + hours(30))
        assert [(kind, o) for kind, o, _ in sent()] == [("due_soon", 1), ("overdue", 1)]


class TestArticleNotices:
    """Notices about an article rather than one assignment, in the same exactly-once ledger."""

    @pytest.fixture
    def two_reviews(self, editor, django_capture_on_commit_callbacks):
        from tests.factories import BoardReviewerFactory
        from tests.workflow import assign_and_start

        first, second = BoardReviewerFactory(), BoardReviewerFactory()
        with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
            article = assign_and_start(
                article_with_claims(editor=editor), editor=editor, reviewer=first
            )
            services.assignment_create(article=article, reviewer=second, due_at=DUE, actor=editor)
        mail.outbox.clear()
        return article, first, second

    def complete(self, article, reviewer, captured, recommendation="approve"):
        with time_machine.travel(T0 + hours(30), tick=False), captured(execute=True):
            self.finish(article, reviewer, recommendation)

    @staticmethod
    def finish(article, reviewer, recommendation="approve"):
        """Decide what is still undecided (an approving recommendation needs it), complete."""
        from articles.models import Claim

        assignment = article.assignments.get(reviewer=reviewer)
        if assignment.status == "assigned":
            services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
        pending = list(Claim.objects.of_article(article).awaiting_decision())
        if recommendation == "approve" and pending:
            services.claims_decide(claims=pending, actor=reviewer, decision="approve")
        services.assignment_complete(
            assignment=article.assignments.get(reviewer=reviewer),
            actor=reviewer,
            recommendation=recommendation,
            reason="" if recommendation == "approve" else "Claim 1 needs its source.",
        )

    def test_all_reviews_in_tells_the_assigning_editor_once_the_last_review_is_in(
        self, eager_celery, editor, two_reviews, sweep, django_capture_on_commit_callbacks
    ):
        article, first, second = two_reviews
        self.complete(article, first, django_capture_on_commit_callbacks)
        assert sent("all_reviews_in") == []
        self.complete(article, second, django_capture_on_commit_callbacks, "request_changes")

        assert sent("all_reviews_in") == [("all_reviews_in", 1, editor.email)]
        message = mail.outbox[-1]
        assert message.subject == f"All reviews in (round 1): “{article.title}”"
        assert second.get_full_name() in message.body
        assert "request changes" in message.body
        sweep(T0 + hours(40))
        assert len(sent("all_reviews_in")) == 1

    def test_all_reviews_in_lost_before_its_reservation_is_caught_up_by_the_sweep(
        self, editor, two_reviews, sweep
    ):
        article, first, second = two_reviews
        for reviewer in (first, second):
            self.finish(article, reviewer)
        sweep(T0 + hours(31))
        sweep(T0 + hours(32))
        assert sent("all_reviews_in") == [("all_reviews_in", 1, editor.email)]

    def test_no_reminder_for_a_reviewer_who_was_deactivated(self, sweep, editor, reviewer):
        admin = UserFactory(is_superuser=True)
        with time_machine.travel(T0, tick=False):
            article = article_with_claims(editor=editor)
            services.assignment_create(article=article, reviewer=reviewer, due_at=DUE, actor=editor)
            services.user_deactivate(user=reviewer, actor=admin, reason="Left the board")
        sweep(DUE - hours(10))
        sweep(DUE + hours(100))
        assert sent() == []

    def test_no_overdue_reminder_for_a_withdrawn_article(self, sweep, editor, reviewer):
        from articles.services import article_publish, article_withdraw

        with time_machine.travel(T0, tick=False):
            article = article_with_claims(editor=editor)
            services.assignment_create(article=article, reviewer=reviewer, due_at=DUE, actor=editor)
            article_publish(article=article, actor=editor)
            article_withdraw(article=article, actor=editor)
        sweep(DUE + hours(1))
        sweep(DUE + hours(100))
        assert sent("overdue") == []
        assert sent("escalation") == []


class TestEmails:
    def test_new_assignment_emails_the_reviewer_after_commit(
        self, eager_celery, django_capture_on_commit_callbacks, editor, reviewer
    ):
        article = article_with_claims(editor=editor)
        due_at = datetime(2030, 5, 17, 12, 0, tzinfo=UTC)
        with django_capture_on_commit_callbacks(execute=True):
            assignment = services.assignment_create(
                article=article, reviewer=reviewer, due_at=due_at, actor=editor
            )
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [reviewer.email]
        assert article.title in message.subject
        html = message.alternatives[0][0]
        link = f"http://127.0.0.1:8000/admin/reviewers/reviewassignment/{assignment.pk}/change/"
        for body in (message.body, html):
            assert article.title in body
            assert "Friday 17 May 2030, 12:00" in body
            assert link in body
        assert sent() == [("new_assignment", 1, reviewer.email)]

    def test_round_two_email_lists_the_claims_that_changed(
        self, eager_celery, django_capture_on_commit_callbacks, editor, reviewer
    ):
        from articles import services as article_services
        from articles.models import Claim
        from tests.workflow import assign_and_start

        article = assign_and_start(
            article_with_claims(claims=3, editor=editor), editor=editor, reviewer=reviewer
        )
        first, second, third = Claim.objects.of_article(article).order_by("order")
        services.claims_decide(claims=[first, second], actor=reviewer, decision="approve")
        services.claims_decide(
            claims=[third], actor=reviewer, decision="request_changes", comment="Which tissue?"
        )
        services.review_complete(
            assignment=article.assignments.get(),
            actor=reviewer,
            recommendation="request_changes",
            note="Claim 3.",
        )
        article_services.wording_set(
            claim=third,
            level="clinician",
            text="Deposits form in injured heart muscle.",
            actor=editor,
            reason="As asked",
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.article_resubmit(article=article, actor=editor)

        (message,) = mail.outbox
        html = message.alternatives[0][0]
        for body in (message.body, html):
            assert "back for round 2" in body
            assert "Claim 3 (changed): “Deposits form in injured heart muscle.”" in body
            assert "Claim 1" not in body
            assert "The other 2 claims are carried over, approved." in body

    def test_no_email_before_the_assignment_is_committed(self, eager_celery, editor, reviewer):
        services.assignment_create(
            article=article_with_claims(editor=editor),
            reviewer=reviewer,
            due_at=datetime(2030, 5, 17, tzinfo=UTC),
            actor=editor,
        )
        assert mail.outbox == []
        assert Reminder.objects.count() == 0

    def test_text_email_does_not_escape_the_title(self, sweep, assignment):
        assignment.article.title = "Is “calcium” in <b>joints</b> & tendons harmful?"
        assignment.article.save()
        sweep(DUE - hours(48))
        message = mail.outbox[0]
        assert "Is “calcium” in <b>joints</b> & tendons harmful?" in message.body
        assert "&lt;b&gt;joints&lt;/b&gt; &amp; tendons" in message.alternatives[0][0]

    def test_each_reminder_has_its_own_message_id(self, sweep, assignment):
        sweep(DUE - hours(48))
        sweep(DUE + hours(1))
        ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
        reminders = Reminder.objects.order_by("pk")
        assert ids == [f"<reminder-{r.pk}-{r.kind}@127.0.0.1>" for r in reminders]


class TestExactlyOnce:
    def test_i5_redelivered_send_task_sends_nothing_more(self, eager_celery, assignment):
        with time_machine.travel(DUE - hours(48), tick=False):
            reminders_sweep(deliver=lambda ids: None)
        reminder = Reminder.objects.get()
        reminder_send_task.delay(reminder.pk)
        reminder_send_task.delay(reminder.pk)
        assert len(mail.outbox) == 1
        reminder.refresh_from_db()
        assert reminder.sent_at is not None
        assert reminder.attempts == 1

    def test_i5_a_send_that_raises_is_retried_and_sent_once(self, sweep, assignment, monkeypatch):
        failures = [SMTPServerDisconnected("Connection unexpectedly closed")]
        real_send = EmailBackend.send_messages

        def flaky(backend, messages):
            if failures:
                raise failures.pop()
            return real_send(backend, messages)

        monkeypatch.setattr(EmailBackend, "send_messages", flaky)
        sweep(DUE - hours(48))
        assert len(mail.outbox) == 1
        reminder = Reminder.objects.get()
        assert reminder.sent_at is not None
        assert reminder.attempts == 2
        assert reminder.last_error == ""

    def test_i5_a_send_that_keeps_failing_stays_visible_and_is_picked_up_again(
        self, sweep, assignment, monkeypatch
    ):
        def down(backend, messages):
            raise ConnectionRefusedError(111, "Connection refused")

        monkeypatch.setattr(EmailBackend, "send_messages", down)
        sweep(DUE - hours(48))
        reminder = Reminder.objects.get()
        assert reminder.sent_at is None
        assert reminder.attempts == 6  # the first try and five retries
        assert "Connection refused" in reminder.last_error
        assert Reminder.objects.unsent().count() == 1
        monkeypatch.undo()
        sweep(DUE - hours(47))
        reminder.refresh_from_db()
        assert reminder.sent_at is not None
        assert len(mail.outbox) == 1

    def test_i5_a_sweep_during_a_broker_outage_loses_nothing(self, sweep, assignment, monkeypatch):
        def broker_down(*args, **kwargs):
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        monkeypatch.setattr(reminder_send_task, "apply_async", broker_down)
        report = sweep(DUE - hours(48))
        assert report.reserved.total() == 1
        assert mail.outbox == []
        assert Reminder.objects.unsent().count() == 1
        monkeypatch.undo()
        sweep(DUE - hours(48) + timedelta(minutes=5))
        assert mail.outbox == []  # the claim is fresh: its first send may still be in flight
        sweep(DUE - hours(48) + timedelta(minutes=15))
        sweep(DUE - hours(48) + timedelta(minutes=30))
        assert len(mail.outbox) == 1
        assert sent() == [("due_soon", 1, assignment.reviewer.email)]

    def test_worker_killed_after_the_mail_server_accepted_resends_with_the_same_message_id(
        self, assignment, monkeypatch
    ):
        """The one duplicate I5 leaves possible, made recognisable (reviewers/reminders.py)."""
        with time_machine.travel(DUE - hours(48), tick=False):
            reminders_sweep(deliver=lambda ids: None)
        reminder = Reminder.objects.get()
        real_send = EmailBackend.send_messages

        def accepted_then_killed(backend, messages):
            real_send(backend, messages)
            raise SystemExit("worker killed")

        monkeypatch.setattr(EmailBackend, "send_messages", accepted_then_killed)
        with pytest.raises(SystemExit):
            reminder_send(reminder_id=reminder.pk)
        reminder.refresh_from_db()
        assert reminder.sent_at is None  # nothing committed: the redelivered task sends again
        monkeypatch.undo()
        reminder_send(reminder_id=reminder.pk)
        first, second = (message.extra_headers["Message-ID"] for message in mail.outbox)
        assert first == second
        reminder_send(reminder_id=reminder.pk)
        assert len(mail.outbox) == 2

    def test_reminder_for_an_assignment_cancelled_before_sending_is_not_sent(
        self, eager_celery, assignment, editor
    ):
        with time_machine.travel(DUE - hours(48), tick=False):
            reminders_sweep(deliver=lambda ids: None)
        services.assignment_cancel(assignment=assignment, actor=editor, reason="Reviewer ill")
        reminder = Reminder.objects.get()
        assert reminder_send(reminder_id=reminder.pk) is None
        reminder.refresh_from_db()
        assert reminder.sent_at is None
        assert reminder.last_error == "Not sent: the assignment is Cancelled."
        assert mail.outbox == []


class TestNoRemindersOnceTheArticleIsApproved:
    """Approving an article closes its round's open assignments (docs/workflows.md#assignments):
    nothing more is owed about them, and what was reserved before is not sent."""

    @pytest.fixture
    def ready(self, editor, reviewer, approver, conflicted_reviewer):
        with time_machine.travel(T0, tick=False):
            article = assign_and_start(
                article_with_claims(claims=2, editor=editor), editor=editor, reviewer=reviewer
            )
            return ready_with_open_assignments(
                article,
                editor=editor,
                reviewer=reviewer,
                still_open=[approver, conflicted_reviewer],
                conflicted=conflicted_reviewer,
            )

    def test_no_reminders_about_assignments_the_approval_closed(self, sweep, ready, approver):
        services.article_approve(article=ready, actor=approver)
        mail.outbox.clear()
        for at in (DUE - hours(10), DUE + hours(1), DUE + hours(30), DUE + hours(100)):
            sweep(at)
        assert mail.outbox == []

    def test_a_reminder_reserved_before_the_approval_is_not_sent(
        self, eager_celery, ready, approver, conflicted_reviewer
    ):
        with time_machine.travel(DUE - hours(48), tick=False):
            reminders_sweep(deliver=lambda ids: None)
        reminder = Reminder.objects.get(kind="due_soon", assignment__reviewer=conflicted_reviewer)
        services.article_approve(article=ready, actor=approver)
        mail.outbox.clear()

        assert reminder_send(reminder_id=reminder.pk) is None
        reminder.refresh_from_db()
        assert (reminder.sent_at, reminder.last_error) == (
            None,
            "Not sent: the assignment is Cancelled.",
        )
        assert mail.outbox == []


class TestRecipientRecheckedWhenSent:
    """docs/reminders.md: every notice re-checks its recipient when it is sent. A reminder reserved
    before its recipient was deactivated is not sent after it, and the ledger says why."""

    @staticmethod
    def reserve(at, kind):
        with time_machine.travel(at, tick=False):
            reminders_sweep(deliver=lambda ids: None)
        return Reminder.objects.get(kind=kind)

    @staticmethod
    def assert_not_sent_to_the_deactivated(reminder, person):
        with time_machine.travel(reminder.created_at + hours(1), tick=False):
            assert reminder_send(reminder_id=reminder.pk) is None
        reminder.refresh_from_db()
        assert reminder.sent_at is None
        name = display_name(person)
        assert reminder.last_error == f"Not sent: {name} was deactivated and no longer has access."
        assert mail.outbox == []

    def test_escalation_reserved_before_the_editor_was_deactivated_is_not_sent(self, assignment):
        reminder = self.reserve(DUE + hours(72), "escalation")
        assert reminder.recipient == assignment.assigned_by.email
        services.user_deactivate(user=assignment.assigned_by, actor=None, reason="Left")
        self.assert_not_sent_to_the_deactivated(reminder, assignment.assigned_by)

    @pytest.mark.parametrize(
        ("kind", "at"),
        [
            ("new_assignment", T0 + hours(1)),
            ("due_soon", DUE - hours(48)),
            ("overdue", DUE + hours(1)),
        ],
    )
    def test_reviewer_reminder_reserved_before_the_reviewer_was_deactivated_is_not_sent(
        self, assignment, kind, at
    ):
        reminder = self.reserve(at, kind)
        services.user_deactivate(user=assignment.reviewer, actor=None, reason="Left the board")
        self.assert_not_sent_to_the_deactivated(reminder, assignment.reviewer)

    def test_all_reviews_in_reserved_before_the_editor_was_deactivated_is_not_sent(
        self, editor, reviewer
    ):
        with time_machine.travel(T0, tick=False):
            article = article_with_claims(editor=editor)
            services.assignment_create(article=article, reviewer=reviewer, due_at=DUE, actor=editor)
            article = article_services.article_start_review(article=article, actor=editor)
        with time_machine.travel(T0 + hours(2), tick=False):
            TestArticleNotices.finish(article, reviewer)
        reminder = self.reserve(T0 + hours(3), "all_reviews_in")
        services.user_deactivate(user=editor, actor=None, reason="Left the publisher")
        self.assert_not_sent_to_the_deactivated(reminder, editor)

    def test_a_changed_address_gets_the_reminder_and_the_ledger_records_it(self, assignment):
        reminder = self.reserve(DUE - hours(48), "due_soon")
        assignment.reviewer.email = "new-address@example.org"
        assignment.reviewer.save()
        reminder_send(reminder_id=reminder.pk)
        reminder.refresh_from_db()
        assert (reminder.recipient, mail.outbox[0].to) == (
            "new-address@example.org",
            ["new-address@example.org"],
        )


@pytest.fixture
def roles(transactional_db):
    """Transactional tests start from a flushed database: recreate the groups migrations made."""
    ensure_roles()


@pytest.mark.slow
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks and concurrent claims are checked on PostgreSQL only.",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("roles")
class TestExactlyOnceOnPostgreSQL:
    def run_at_once(self, count, work):
        barrier = threading.Barrier(count)
        errors = []

        def worker():
            try:
                barrier.wait()
                work()
            except Exception as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []

    def test_i5_overlapping_sweeps_send_each_reminder_once(self, settings):
        settings.EDITORIAL_REMINDER_BATCH_SIZE = 3
        with time_machine.travel(T0, tick=False):
            soon = ReviewAssignmentFactory.create_batch(8, due_at=DUE)
            late = ReviewAssignmentFactory.create_batch(7, due_at=T0 + hours(2))

        def send_now(ids):
            for reminder_id in ids:
                reminder_send(reminder_id=reminder_id)

        with time_machine.travel(DUE - hours(40), tick=False):
            self.run_at_once(4, lambda: reminders_sweep(deliver=send_now))
        sent_to = sorted(message.to[0] for message in mail.outbox)
        expected = sorted(
            [a.reviewer.email for a in soon]  # due soon
            + [a.reviewer.email for a in late]  # overdue #3
            + [a.assigned_by.email for a in late]  # escalation
        )
        assert sent_to == expected
        assert Reminder.objects.filter(sent_at__isnull=True).count() == 0

    def test_i5_the_same_reminder_sent_by_two_workers_at_once_goes_out_once(self):
        with time_machine.travel(T0, tick=False):
            ReviewAssignmentFactory.create_batch(5, due_at=DUE)
        with time_machine.travel(DUE - hours(48), tick=False):
            reminders_sweep(deliver=lambda ids: None)
        ids = list(Reminder.objects.values_list("pk", flat=True))

        def send_all():
            for reminder_id in ids:
                reminder_send(reminder_id=reminder_id)

        self.run_at_once(4, send_all)
        assert len(mail.outbox) == 5
        assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}


class TestSweepCommand:
    def test_dry_run_lists_what_it_would_send_and_changes_nothing(self, assignment, capsys):
        with time_machine.travel(DUE + hours(2), tick=False):
            call_command("sweep_reminders", "--dry-run")
        out = capsys.readouterr().out
        assert f"Would send Overdue #1 to {assignment.reviewer.email}" in out
        assert "Dry run: 1 to send." in out
        assert Reminder.objects.count() == 0
        assert mail.outbox == []

    def test_dry_run_lists_unsent_reminders_it_would_send_again(self, assignment, capsys):
        with time_machine.travel(DUE - hours(48), tick=False):
            reminders_sweep(deliver=lambda ids: None)
        with time_machine.travel(DUE - hours(47), tick=False):
            call_command("sweep_reminders", "--dry-run")
        assert f"Would send again: Due soon #1 for {assignment}" in capsys.readouterr().out
        assert Reminder.objects.unsent().count() == 1

    @pytest.mark.django_db(transaction=True)
    def test_sweep_sends_now_and_prints_what_it_sent(self, roles, assignment, capsys):
        with time_machine.travel(DUE + hours(2), tick=False):
            call_command("sweep_reminders")
        out = capsys.readouterr().out
        assert f"Sent Overdue #1 for {assignment} to {assignment.reviewer.email}" in out
        assert "sent 1, failed 0" in out
        assert len(mail.outbox) == 1


class TestRemindersInTheAdmin:
    def test_assignment_page_lists_its_reminders(self, sweep, assignment, admin_client):
        sweep(DUE - hours(48))
        sweep(DUE + hours(1))
        page = admin_client.get(
            f"/admin/reviewers/reviewassignment/{assignment.pk}/change/"
        ).content.decode()
        assert page.count(assignment.reviewer.email) >= 2
        assert "Due soon" in page
        assert "Overdue" in page

    def test_unsent_reminders_are_listed_with_their_error(self, assignment, admin_client):
        with time_machine.travel(DUE - hours(48), tick=False):
            reminders_sweep(deliver=lambda ids: None)
        Reminder.objects.update(attempts=6, last_error="SMTPServerDisconnected: gone away")
        page = admin_client.get("/admin/reviewers/reminder/?sent=no").content.decode()
        assert "SMTPServerDisconnected: gone away" in page
        assert (
            admin_client.get("/admin/reviewers/reminder/?sent=yes").context["cl"].result_count == 0
        )

    def test_reminders_cannot_be_changed_in_the_admin(self, sweep, assignment, admin_client):
        sweep(DUE - hours(48))
        reminder = Reminder.objects.get()
        response = admin_client.post(
            f"/admin/reviewers/reminder/{reminder.pk}/change/", {"recipient": "x@example.org"}
        )
        assert response.status_code == 403
        assert (
            admin_client.post(f"/admin/reviewers/reminder/{reminder.pk}/delete/").status_code == 403
        )
        reminder.refresh_from_db()
        assert reminder.recipient == assignment.reviewer.email
