"""States and vocabularies of the board's review work."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_ASSIGNMENT_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACCEPTED)
"""The reviewer still has work to do: they may decide on claims, and are reminded."""

STANDING_ASSIGNMENT_STATUSES = (*ACTIVE_ASSIGNMENT_STATUSES, AssignmentStatus.COMPLETED)
"""Neither declined nor cancelled: the reviewer holds (or held) the review of this round."""


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    WITHDRAW = "withdraw", _("Undone")


DECIDING = (Decision.APPROVE, Decision.REQUEST_CHANGES)
"""What a reviewer decides on a claim; ``WITHDRAW`` only records an undo back to undecided."""


class ReminderKind(models.TextChoices):
    NEW_ASSIGNMENT = "new_assignment", _("New assignment")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Escalation to the assigning editor")
    ALL_REVIEWS_IN = "all_reviews_in", _("All reviews in")
    REVIEW_DUE_SOON = "review_due_soon", _("Periodic review due soon")
    REVIEW_OVERDUE = "review_overdue", _("Periodic review date passed")


class InterestKind(models.TextChoices):
    """Kinds of declared interests, as medical journals' disclosure forms group them."""

    FINANCIAL = "financial", _("Financial (employment, consultancy, fees, shares)")
    RESEARCH = "research", _("Research funding")
    PROFESSIONAL = "professional", _("Professional role (guideline panel, society, advisory)")
    PERSONAL = "personal", _("Personal or family relationship")
    OTHER = "other", _("Other")


class ConflictStatus(models.TextChoices):
    """What a reviewer declared about one assignment's article (docs/governance.md)."""

    UNDECLARED = "undeclared", _("Not declared yet")
    NONE = "none", _("No conflict with this article")
    DECLARED = "declared", _("Conflict declared")
    OVERRIDDEN = "overridden", _("Conflict declared, overridden by an approver")
