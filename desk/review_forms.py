"""The review screen's forms (``desk/review.py``): what each action may send, checked before a
service is called.

They check the shape of the request — which claims, with the fingerprint of what the reviewer
read, which section, which answer, which filter to come back to. What a decision, a
recommendation or a declaration must say is the services' rule (``reviewers.services``), so
those fields are passed on as sent and a service's refusal comes back as its sentence.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import Claim
from desk.admin.bases import names_a_row

FILTERS = {
    "all": _("All"),
    "undecided": _("Undecided"),
    "changed": _("Changed"),
    "sent_back": _("Sent back"),
}
"""The screen's filters, by the name ``?show=`` carries."""


def filter_named(value: str | None) -> str:
    """The filter ``value`` names, or “all” for anything else."""
    return value if value in FILTERS else "all"


class ReviewActionForm(forms.Form):
    """What every action sends besides its own fields: the filter the page was showing."""

    show = forms.CharField(required=False)

    def clean_show(self) -> str:
        return filter_named(self.cleaned_data["show"])


class ClaimsForm(ReviewActionForm):
    """Claims of the assignment's article, each with the digest of the wording the reviewer read
    (``claim`` and ``seen`` sent in pairs). ``cleaned_data`` gets ``claims`` and ``seen``
    ({claim id: digest}); a claim that is not a current claim of the article invalidates it."""

    claim = forms.Field(widget=forms.MultipleHiddenInput)
    seen = forms.Field(widget=forms.MultipleHiddenInput)

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean(self):
        data = super().clean()
        ids, seen = data.get("claim") or [], data.get("seen") or []
        if not ids or len(ids) != len(seen) or not all(names_a_row(Claim, i) for i in ids):
            raise forms.ValidationError(_("Claims and what was read do not pair up."))
        claims = list(
            Claim.objects.of_article(self.assignment.article).filter(pk__in=[int(i) for i in ids])
        )
        if len(claims) != len(set(ids)):
            raise forms.ValidationError(_("A claim is not a current claim of the article."))
        data["claims"] = claims
        data["seen"] = {int(pk): digest for pk, digest in zip(ids, seen, strict=True)}
        return data


class DecideClaimForm(ClaimsForm):
    """Approve a claim, or request changes with a comment (the service requires the comment)."""

    decision = forms.CharField(required=False)
    comment = forms.CharField(required=False, strip=False)


class UndoDecisionForm(ReviewActionForm):
    """Take back the reviewer's latest decision on one current claim of the article."""

    claim = forms.CharField()

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_claim(self) -> Claim:
        value = self.cleaned_data["claim"]
        claim = (
            Claim.objects.of_article(self.assignment.article).filter(pk=int(value)).first()
            if names_a_row(Claim, value)
            else None
        )
        if claim is None:
            raise forms.ValidationError(_("That is not a current claim of the article."))
        return claim


class ApproveSectionForm(ClaimsForm):
    """Approve the section's unchanged claims at once; ``section`` is the anchor to return to."""

    section = forms.CharField(required=False)

    def clean_section(self) -> str:
        anchor = self.cleaned_data["section"]
        return anchor if anchor.startswith("section-") and anchor[8:].isdigit() else ""


class CompleteReviewForm(ReviewActionForm):
    """The recommendation and the note for the editor, as the service is to judge them."""

    recommendation = forms.CharField(required=False)
    note = forms.CharField(required=False, strip=False)


class AnswerAssignmentForm(ReviewActionForm):
    """Accept (declaring interests) or decline (with a reason) the assignment."""

    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    declaration = forms.CharField(required=False)
    conflict = forms.CharField(required=False, strip=False)
    conflict_kind = forms.CharField(required=False)
    reason = forms.CharField(required=False, strip=False)
