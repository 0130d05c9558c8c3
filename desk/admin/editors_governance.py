"""Content governance in the editors' admin (docs/governance.md): the next review date of an
article, and the reader feedback queue.

Views only collect form data and call the services; a refusal is shown as the service's
sentence and changes nothing.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles import services
from articles.choices import FeedbackStatus, ReviewStatus
from articles.models import Article, ClaimFeedback
from editorial.exceptions import EditorialError

from .bases import ADMIN_MEDIA_CSS, ReadOnlyHistoryAdmin, truncated

# The next review date.


class NextReviewForm(forms.Form):
    due_on = forms.DateField(
        label=_("Next review due"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Readers see it as “Next review due”; the editor is reminded before it."),
    )
    reason = forms.CharField(
        label=_("Why this date"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the article's history with your name."),
    )


def next_review_view(model_admin, request, object_id):
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404
    if not request.user.has_perm("articles.change_article"):
        raise PermissionDenied
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    form = NextReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"due_on": article.next_review_due},
    )
    if form.is_bound and form.is_valid():
        try:
            changed = services.article_set_next_review(
                article=article,
                due_on=form.cleaned_data["due_on"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except EditorialError as error:
            model_admin.message_user(request, error.message, messages.ERROR)
        else:
            model_admin.message_user(
                request,
                f"The next review of “{changed}” is due on {changed.next_review_due:%d %B %Y}.",
                messages.SUCCESS,
            )
            return redirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": article,
        "title": f"Next review date: {article}",
        "label": _("Set the next review date"),
        "form": form,
        "change_url": change_url,
    }
    return TemplateResponse(request, "admin/articles/article/transition_form.html", context)


def next_review_urls(model_admin) -> list:
    opts = model_admin.model._meta
    return [
        path(
            "<path:object_id>/next-review/",
            model_admin.admin_site.admin_view(
                lambda request, object_id: next_review_view(model_admin, request, object_id)
            ),
            name=f"{opts.app_label}_{opts.model_name}_next_review",
        )
    ]


class ReviewDateFilter(admin.SimpleListFilter):
    """Approved articles by their next review date: what the desk must schedule."""

    title = _("periodic review")
    parameter_name = "review_date"

    def lookups(self, request, model_admin):
        return [
            ("due", _("Due soon or past")),
            ("past", _("Past the review date")),
            ("in_progress", _("Periodic review in progress")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "due":
            return queryset.review_due_in_reminder_window(today=today)
        if self.value() == "past":
            return queryset.past_review_date(today=today)
        if self.value() == "in_progress":
            return queryset.filter(review_status=ReviewStatus.PERIODIC_REVIEW)
        return queryset


def next_review_display(article) -> str:
    if article.next_review_due is None:
        return "—"
    day = f"{article.next_review_due:%Y-%m-%d}"
    if article.review_date_passed():
        return format_html('<span class="overdue">{} ({})</span>', day, _("past"))
    return day


# The reader feedback queue.


class FeedbackStatusFilter(admin.SimpleListFilter):
    """New reports first: the queue an editor works through."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*FeedbackStatus.choices, ("all", _("All"))]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or FeedbackStatus.NEW) == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or FeedbackStatus.NEW
        return queryset if value == "all" else queryset.filter(status=value)


class AnsweringChangeField(forms.ModelChoiceField):
    def label_from_instance(self, row):
        who = row.history_user or _("system")
        when = timezone.localtime(row.history_date).strftime("%Y-%m-%d %H:%M")
        return f"{when} — {who} — {row.history_change_reason or _('(no reason given)')}"


class SettleFeedbackForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("accept", _("Accept")), ("dismiss", _("Dismiss"))],
        widget=forms.RadioSelect,
    )
    answered_by_change = AnsweringChangeField(
        label=_("The change that answered it"),
        queryset=Article.history.none(),
        required=False,
        help_text=_(
            "To accept: the edit to the article, made since the report, that answers it. Make "
            "the edit first (it sends the claim back to the board), then come back here."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the feedback and in its history. Readers never see it."),
    )

    def __init__(self, *args, feedback: ClaimFeedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered_by_change"].queryset = services.changes_answering(feedback)


class DismissFeedbackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why dismiss them"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: spam, or the statement matches its references."),
    )


@admin.register(ClaimFeedback)
class ClaimFeedbackAdmin(ReadOnlyHistoryAdmin):
    """The editors' queue of reader reports: never public, never edited, only settled."""

    list_display = ["received_at", "kind", "statement", "article", "status", "settled_by"]
    list_filter = [FeedbackStatusFilter, "kind"]
    list_select_related = ["claim__section__article", "settled_by"]
    search_fields = ["note", "wording", "claim__section__article__title"]
    date_hierarchy = "received_at"
    actions = ["dismiss"]
    fields = [
        "article_link",
        "claim_link",
        "kind",
        "note",
        "wording",
        "reading_level",
        "article_version",
        "received_at",
        "status",
        "resolution",
        "answered_by",
        "settled_by",
        "settled_at",
    ]
    readonly_fields = fields
    change_form_template = "admin/articles/claimfeedback/change_form.html"

    class Media:
        css = ADMIN_MEDIA_CSS

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        """Reports are settled, never deleted: the queue is part of the audit (I3)."""
        return False

    def has_change_permission(self, request, obj=None):
        """The page shows the report; settling it is its own form."""
        return False

    def _may_settle(self, request) -> bool:
        return request.user.has_perm("articles.change_claimfeedback")

    def get_actions(self, request):
        return super().get_actions(request) if self._may_settle(request) else {}

    @admin.display(description=_("statement"))
    def statement(self, feedback):
        return truncated(feedback.wording, 80)

    @admin.display(description=_("article"), ordering="claim__section__article__title")
    def article(self, feedback):
        return feedback.claim.section.article

    @admin.display(description=_("article"))
    def article_link(self, feedback):
        article = feedback.claim.section.article
        url = reverse("admin:articles_article_change", args=[article.pk])
        return format_html('<a href="{}">{}</a>', url, article)

    @admin.display(description=_("claim"))
    def claim_link(self, feedback):
        url = reverse("admin:articles_claim_change", args=[feedback.claim_id])
        return format_html(
            '<a href="{}">{}</a> ({})',
            url,
            feedback.claim.summary(),
            feedback.claim.get_review_status_display(),
        )

    @admin.display(description=_("answered by the change"))
    def answered_by(self, feedback):
        change = feedback.answered_by_change
        if change is None:
            return "—"
        url = reverse("admin:articles_article_simple_history", args=[change.id, change.history_id])
        when = timezone.localtime(change.history_date).strftime("%Y-%m-%d %H:%M")
        return format_html(
            '<a href="{}">{} — {} — {}</a>',
            url,
            when,
            change.history_user or _("system"),
            change.history_change_reason or "",
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/settle/",
                self.admin_site.admin_view(self.settle_view),
                name="articles_claimfeedback_settle",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "may_settle": self._may_settle(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def settle_view(self, request, object_id):
        feedback = self.get_object(request, unquote(object_id))
        if feedback is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self._may_settle(request):
            raise PermissionDenied
        change_url = reverse("admin:articles_claimfeedback_change", args=[feedback.pk])
        form = SettleFeedbackForm(
            request.POST if request.method == "POST" else None, feedback=feedback
        )
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                if data["outcome"] == "accept":
                    services.feedback_accept(
                        feedback=feedback,
                        answered_by_change=data["answered_by_change"],
                        actor=request.user,
                        reason=data["reason"],
                    )
                else:
                    services.feedback_dismiss(
                        feedback=feedback, actor=request.user, reason=data["reason"]
                    )
            except EditorialError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("The feedback is settled."), messages.SUCCESS)
                return redirect(reverse("admin:articles_claimfeedback_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": feedback,
            "title": _("Accept or dismiss reader feedback"),
            "label": _("Settle"),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/articles/claimfeedback/settle.html", context)

    @admin.action(description=_("Dismiss selected feedback…"))
    def dismiss(self, request, queryset):
        form = DismissFeedbackForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for feedback in queryset:
                try:
                    services.feedback_dismiss(
                        feedback=feedback, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                except EditorialError as error:
                    self.message_user(request, error.message, messages.ERROR)
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    ngettext("%(n)d report dismissed.", "%(n)d reports dismissed.", done)
                    % {"n": done},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dismiss reader feedback"),
            "opts": self.opts,
            "reports": list(queryset),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/claimfeedback/dismiss.html", context)
