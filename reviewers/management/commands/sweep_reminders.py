from django.core.management.base import BaseCommand

from reviewers.models import Reminder
from reviewers.reminders import SEND_ERRORS, reminder_send, reminders_sweep


class Command(BaseCommand):
    help = (
        "Run one reminder sweep now and send what it claims from this process (the workers "
        "are not needed); with --dry-run, list what it would send and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the reminders owed; claim and send none."
        )

    def handle(self, *args, dry_run=False, **options):
        self.sent = self.failed = 0
        report = reminders_sweep(deliver=self.send_now, dry_run=dry_run)
        if dry_run:
            for line in report.would_send:
                self.stdout.write(f"Would send {line}")
            self.stdout.write(self.style.SUCCESS(f"Dry run: {len(report.would_send)} to send."))
            return
        summary = f"Sweep done: {report}; sent {self.sent}, failed {self.failed}."
        self.stdout.write(self.style.SUCCESS(summary) if not self.failed else summary)

    def send_now(self, reminder_ids):
        for reminder_id in reminder_ids:
            try:
                reminder = reminder_send(reminder_id=reminder_id)
            except SEND_ERRORS as exc:
                self.failed += 1
                self.stderr.write(f"Not sent, will retry: reminder {reminder_id}: {exc}")
                continue
            if reminder is None:
                skipped = Reminder.objects.filter(pk=reminder_id).first()
                if skipped and skipped.last_error:
                    self.stderr.write(f"Skipped {skipped}: {skipped.last_error}")
                continue
            self.sent += 1
            self.stdout.write(f"Sent {reminder} to {reminder.recipient}")
