"""Admin pieces shared by the articles and reviewers apps.

Every admin write goes through a service; these bases keep history read-only, show a service's
refusal as a message, and let a page show rows without offering to change them.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from editorial.exceptions import EditorialError

ADMIN_MEDIA_CSS = {"all": ["editorial_admin/admin.css"]}


def is_history_request(request) -> bool:
    """A page of django-simple-history's views: a past version is shown, never edited."""
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and match.url_name.endswith("_simple_history"))


class LabelledHistoryContext(HistoricalRecordContextHelper):
    """Field diffs in the editors' words: “Submitted → Under review”, not the stored codes."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not field.many_to_many:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


def truncated(text: str, length: int = 60):
    """Long text cut to fit a list column, the whole of it on hover (and on the object's page)."""
    text = str(text or "")
    if len(text) <= length:
        return text
    return format_html('<span title="{}">{}…</span>', text, text[: length - 1].rstrip())


def names_a_row(model, value) -> bool:
    """Whether ``value`` could be a primary key of ``model`` (“abc”, “1.5” or a number too large
    for the column cannot)."""
    field = model._meta.pk
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(key, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or key >= low) and (high is None or key <= high)
    return "\x00" not in str(value)


class AnswersBadIds:
    """Ids that name nothing (“abc”, a forged action selection, a bad history version) get an
    error message on the page they came from, never a server error (issue 9).

    Django's own change and delete views already do this; these are the admin pages that
    did not: history lists and versions, actions, and the add form's initial values.
    """

    def _bad_id_redirect(self, request, object_id):
        return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)

    def history_view(self, request, object_id, extra_context=None):
        if not names_a_row(self.model, unquote(object_id)):
            return self._bad_id_redirect(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history_model = getattr(self.model, self.opts.simple_history_manager_attribute).model
        if not names_a_row(self.model, unquote(object_id)):
            return self._bad_id_redirect(request, object_id)
        if not names_a_row(history_model, unquote(version_id)):
            self.message_user(
                request, f"“{version_id}” is not a version in this history.", messages.ERROR
            )
            return HttpResponseRedirect("../")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        unknown = self._unknown_related_filters(request)
        if unknown:
            self.message_user(
                request,
                f"“{request.GET[unknown[0]]}” names no row: filter ignored.",
                messages.ERROR,
            )
            query = request.GET.copy()
            for name in unknown:
                del query[name]
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        if request.method == "POST" and "action" in request.POST:
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            unknown = [value for value in selected if not names_a_row(self.model, value)]
            if unknown:
                self.message_user(
                    request,
                    f"Nothing was done: “{unknown[0]}” is not a {self.opts.verbose_name}.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def _unknown_related_filters(self, request) -> list[str]:
        """Filters by a related row (``?section=…``, ``?article__id__exact=…``) naming none."""
        unknown = []
        for name, value in request.GET.items():
            try:
                field = self.model._meta.get_field(name.split("__")[0].removesuffix("_id"))
            except FieldDoesNotExist:
                continue
            related = field.related_model if field.is_relation else None
            if related and name.count("__") <= 2 and not names_a_row(related, value):
                unknown.append(name)
        return unknown

    def add_view(self, request, form_url="", extra_context=None):
        """Drop initial values (``?section=…``) that cannot name a row of their model."""
        if request.method == "GET" and request.GET:
            query = request.GET.copy()
            for field in self.model._meta.fields:
                named = field.is_relation and field.name in query
                if named and not names_a_row(field.related_model, query[field.name]):
                    del query[field.name]
            request.GET = query
        return super().add_view(request, form_url, extra_context)


class ReadOnlyHistoryAdmin(AnswersBadIds, SimpleHistoryAdmin):
    """History with field diffs and reasons for whoever may view the object; nobody reverts.

    Superusers included (docs/invariants.md#i3-audit): the revert button is gone and a POST to a
    historical version's page is refused before any form is saved. The history list is
    simple-history's without its inline style, which the Content-Security-Policy would block.
    """

    object_history_template = "admin/editorial/object_history.html"
    object_history_list_template = "admin/editorial/object_history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return LabelledHistoryContext(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied("History is read-only.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        if is_history_request(request):
            return [
                *super().get_readonly_fields(request, obj),
                *(field.name for field in self.model._meta.fields),
            ]
        return super().get_readonly_fields(request, obj)


class ServiceErrorsAsMessages:
    """Turn a service's refusal during save or delete into an error message on the same page.

    The admin saves inside one transaction, so the refusal rolls back everything of the request.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditorialError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except EditorialError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def adopt_created(target, created) -> None:
    """Make the admin's unsaved ``target`` the row a service created (FSM fields are protected)."""
    target.__dict__.update(
        {name: value for name, value in created.__dict__.items() if name != "_state"}
    )
    target._state.adding = False
    target._state.db = created._state.db


class ViewOnlyAdminMixin:
    """Shown to read, never added, changed or deleted on this page.

    For trails and ledgers that only services write (wordings, citations, decisions, reminders)
    and for lists whose rows change elsewhere (a reviewer's claims, an article's assignments):
    a direct admin edit would bypass the workflow rules and the audit (docs/invariants.md#i3-audit).
    Model admins and inlines alike: every hook accepts the ``obj`` that inlines pass.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept in history with your name."),
    )


class AsksWhyInsteadOfDeleting:
    """“Delete” on this page asks why and calls a service instead of deleting the row: claims
    are marked removed, people who acted are deactivated, and their records stay
    (docs/invariants.md#i3-audit).

    A subclass names its page (``replacement_template``) and says what to do with the reason
    (``replace_deletion``, returning where to go next); ``replaces_deletion`` may let rows that
    hold no record be deleted as usual. The bulk delete action is gone: one row at a time.
    """

    replacement_template: str = ""

    def replaces_deletion(self, request, obj) -> bool:
        return True

    def replacement_context(self, request, obj) -> dict:
        return {}

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_delete_permission(request, obj):
            raise PermissionDenied
        if not self.replaces_deletion(request, obj):
            return super().delete_view(request, object_id, extra_context)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                next_url = self.replace_deletion(request, obj, form.cleaned_data["reason"])
            except EditorialError as error:
                self.message_user(request, error.message, messages.ERROR)
                next_url = request.get_full_path()
            return HttpResponseRedirect(next_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "form": form,
            **self.replacement_context(request, obj),
        }
        return TemplateResponse(request, self.replacement_template, context)


class LedgerDoneFilter(admin.SimpleListFilter):
    """“Not … yet” / “…” for a ledger whose rows are done once ``done_field`` is set (reminders
    sent, purges made); the rows still owed are the ledger queryset's ``owed_method``."""

    done_field: str
    owed_method: str
    owed_label: str
    done_label: str

    def lookups(self, request, model_admin):
        return [("no", self.owed_label), ("yes", self.done_label)]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return getattr(queryset, self.owed_method)()
        if self.value() == "yes":
            return queryset.filter(**{f"{self.done_field}__isnull": False})
        return queryset
