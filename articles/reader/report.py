"""“Report a problem with this statement” (docs/governance.md): the reader's form, on its own
uncached address so the shared article page carries no per-reader data.

Works without JavaScript and without an account. Protected against abuse: Django's CSRF check
(the form page sets the token), a rate limit per client (``EDITORIAL_FEEDBACK_PER_HOUR``), a
size limit on the request and the note, and a honeypot field that people never see or fill. A
report is stored with the claim, the wording shown and the article version the reader came
from; it is never shown publicly.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from editorial.exceptions import EditorialError
from editorial.security import client_ip_address
from editorial.throttle import allow_attempt

from ..choices import FeedbackKind, ReadingLevel
from ..models import FEEDBACK_NOTE_MAX_CHARS, Claim
from ..services import feedback_submit
from .page_cache import published_article_header
from .selectors import known_reading_level

MAX_REQUEST_BYTES = FEEDBACK_NOTE_MAX_CHARS * 12 + 4 * 1024
"""The largest report: a note of 2,000 characters in any script, each up to 4 bytes of UTF-8
sent percent-encoded (12 bytes, “%F0%9F%98%80”), and the other fields; anything larger is not
one. (16 KB refused 1,400 characters of Chinese or 1,000 emoji as “over 2,000 characters”.)"""

HONEYPOT = "website"


class NoteField(forms.CharField):
    """Counts a line break as the one character the reader typed: browsers send it as CRLF."""

    def to_python(self, value):
        return super().to_python(value).replace("\r\n", "\n")


class ReportProblemForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is wrong with this statement?",
        choices=FeedbackKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is wrong with the statement."},
    )
    note = NoteField(
        label="Tell us more",
        help_text=(
            f"Up to {FEEDBACK_NOTE_MAX_CHARS:,} characters. If it is about your own health, "
            "please ask a healthcare professional: our editors cannot answer personal questions."
        ),
        max_length=FEEDBACK_NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Tell us what is wrong, in a few words.",
            "max_length": (
                f"Please keep your note to {FEEDBACK_NOTE_MAX_CHARS:,} characters: "
                "it has %(show_value)s."
            ),
        },
    )
    website = forms.CharField(label="Leave this field empty", required=False)
    level = forms.ChoiceField(choices=ReadingLevel.choices, widget=forms.HiddenInput)
    v = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


def _statement(slug: str, claim_id: int):
    """The published article's header and its current claim, or 404."""
    header = published_article_header(slug)
    if header is None:
        raise Http404("No published article has this address.")
    claim = (
        Claim.objects.filter(
            pk=claim_id, section__article_id=header.id, section__removed_at__isnull=True
        )
        .prefetch_related("wordings")
        .first()
    )
    if claim is None:
        raise Http404("This statement is not on the page.")
    return header, claim


def _render(request, header, claim, form, *, status=200):
    level = known_reading_level(form["level"].value()) or ReadingLevel.CLINICIAN
    return render(
        request,
        "articles/report_problem.html",
        {
            "header": header,
            "claim": claim,
            "statement": claim.wording_text(level),
            "form": form,
            "back": reverse("articles:detail", kwargs={"slug": header.slug}),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_problem(request, slug, claim_id):
    if request.method == "POST":
        return _receive_report(request, slug, claim_id)
    header, claim = _statement(slug, claim_id)
    level = known_reading_level(request.GET.get("level")) or ReadingLevel.CLINICIAN
    version = request.GET.get("v", "")
    form = ReportProblemForm(
        initial={
            "level": level,
            "v": int(version)
            if version.isdecimal() and len(version) <= 10
            else header.content_version,
        }
    )
    return _render(request, header, claim, form)


def _receive_report(request, slug, claim_id):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_REQUEST_BYTES:
        context = {"too_large": True, "limit": MAX_REQUEST_BYTES // 1024, "size": length // 1024}
        return render(request, "articles/report_refused.html", context, status=413)
    client = client_ip_address(request) or "unknown"
    if not allow_attempt(
        "feedback",
        client,
        limit=settings.EDITORIAL_FEEDBACK_PER_HOUR,
        window=timedelta(hours=1),
    ):
        response = render(request, "articles/report_refused.html", {"too_many": True}, status=429)
        response["Retry-After"] = "3600"
        return response
    header, claim = _statement(slug, claim_id)
    form = ReportProblemForm(request.POST)
    sent = redirect("articles:report_sent", slug=header.slug, claim_id=claim.pk)
    sent.status_code = 303
    if request.POST.get(HONEYPOT):
        return sent  # a robot filled the field people never see: say thanks, store nothing
    if not form.is_valid():
        return _render(request, header, claim, form, status=400)
    try:
        feedback_submit(
            claim=claim,
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            reading_level=form.cleaned_data["level"],
            article_version=form.cleaned_data.get("v"),
        )
    except EditorialError as error:
        form.add_error(None, error.message)
        return _render(request, header, claim, form, status=400)
    return sent


@never_cache
@require_safe
def report_sent(request, slug, claim_id):
    header = published_article_header(slug)
    if header is None:
        raise Http404("No published article has this address.")
    back = reverse("articles:detail", kwargs={"slug": header.slug})
    return render(request, "articles/report_sent.html", {"header": header, "back": back})
