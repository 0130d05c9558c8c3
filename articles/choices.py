"""States and vocabularies of articles, as editors and readers name them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")


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
