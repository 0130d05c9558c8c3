"""States and vocabularies of articles, as editors and readers name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PERIODIC_REVIEW = "periodic_review", _("Approved, periodic review in progress")


STANDING_APPROVAL_STATUSES = (ReviewStatus.APPROVED, ReviewStatus.PERIODIC_REVIEW)
"""The page shows “Approved”: the last approval covers the article exactly as it reads now
(docs/invariants.md#i1-truthful-badge, docs/governance.md); in a periodic review the board is
confirming it again."""


def has_standing_approval(review_status: str) -> bool:
    """Whether an article in ``review_status`` shows Approved: the one rule, asked by
    ``Article.has_standing_approval``, the reader's ``ArticleHeader`` and page facts, and in SQL
    by ``ArticleQuerySet.with_standing_approval``. ``approved_at`` needs no second look: only
    ``approve`` enters these states and it records the moment; leaving them clears it."""
    return review_status in STANDING_APPROVAL_STATUSES


CLAIMS_DECIDABLE_STATUSES = (ReviewStatus.UNDER_REVIEW, ReviewStatus.PERIODIC_REVIEW)
"""The board decides on claims: a review round is open."""


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class ClaimKind(models.TextChoices):
    PARAGRAPH = "paragraph", _("Paragraph")
    BULLET = "bullet", _("Bullet")


class ReadingLevel(models.TextChoices):
    """Clinician wording is required; the others fall back to it."""

    CLINICIAN = "clinician", _("Healthcare professional")
    STUDENT = "student", _("Student")
    PATIENT = "patient", _("Patient or caregiver")


class ReferenceKind(models.TextChoices):
    RESEARCH = "research", _("Research")
    GUIDELINE = "guideline", _("Guideline")
    REVIEW = "review", _("Review")
    OTHER = "other", _("Other")


class FeedbackKind(models.TextChoices):
    """What a reader reports about a statement (docs/governance.md)."""

    INACCURATE = "inaccurate", _("It is inaccurate")
    OUTDATED = "outdated", _("It is out of date")
    UNCLEAR = "unclear", _("It is hard to understand")
    OTHER = "other", _("Something else")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")
