"""Admin forms more than one workplace uses: the board-member picker (the article's page assigns a
reviewer with it, and so does the assignment's own page)."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from editorial.people import display_name
from reviewers import selectors


def reviewer_label(user) -> str:
    """How the reviewer picker names a board member: full name, credentials, specialty."""
    name = display_name(user)
    profile = getattr(user, "reviewer_profile", None)
    if profile is None:
        return name
    label = f"{name}, {profile.credentials}" if profile.credentials else name
    return f"{label} — {profile.specialty}" if profile.specialty else label


class ReviewerChoiceField(forms.ModelChoiceField):
    """The active board members, each with name, credentials and specialty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", selectors.board_members())
        kwargs.setdefault("empty_label", _("Choose a board member…"))
        super().__init__(**kwargs)

    def label_from_instance(self, user):
        return reviewer_label(user)


class AssignReviewerForm(forms.Form):
    """Assign a board reviewer from the article's own page."""

    reviewer = ReviewerChoiceField(label=_("Board reviewer"))
    due_on = forms.DateField(
        label=_("Due on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Due at 17:00 that day."),
    )

    def due_at(self):
        day = self.cleaned_data["due_on"]
        return timezone.make_aware(datetime.combine(day, time(17, 0)))
