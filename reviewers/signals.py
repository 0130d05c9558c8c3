"""Signals sent after commit by the reviewers' services."""

from django.dispatch import Signal

#: Sent with ``assignment`` once a new assignment is committed; the reminders send the email.
assignment_created = Signal()

#: Sent with ``assignment`` once its completion is committed; the reminders check whether all
#: reviews of the round are now in.
assignment_completed = Signal()
