"""Signals sent after commit by the reviewers' services."""

from django.dispatch import Signal

#: Sent with ``assignment`` once a new assignment is committed; the reminders send the email.
assignment_created = Signal()
