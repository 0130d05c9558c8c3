"""The editors' workplace (docs/workflows.md#the-back-office): articles with their claims, wordings
and references.

Every write made here goes through ``articles.services`` (or the reviewers' services), so the
workflow rules, the material-change rule (I2), history reasons and the reader cache version all
hold; a refused write shows the service's sentence as an error message and changes nothing.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles import services
from articles.board import board
from articles.choices import ClaimStatus, ReadingLevel
from articles.models import Article, Citation, Claim, EdgePurge, Reference, Section, Wording
from articles.outline import Outline, article_outline, claim_numbers
from articles.readability import MIN_WORDS, readability
from editorial.exceptions import EditorialError
from editorial.workflow import check_transition, declared_transition, transition_label
from reviewers import services as reviewer_services
from reviewers.models import ReviewAssignment

from .bases import (
    ADMIN_MEDIA_CSS,
    AnswersBadIds,
    AsksWhyInsteadOfDeleting,
    LedgerDoneFilter,
    ReadOnlyHistoryAdmin,
    ServiceErrorsAsMessages,
    ViewOnlyAdminMixin,
    adopt_created,
    is_history_request,
    truncated,
)
from .editors_governance import ReviewDateFilter, next_review_display, next_review_urls
from .editors_import import article_import_urls
from .forms import AssignReviewerForm, reviewer_label


class NumberedClaimsChangeList(ChangeList):
    """A changelist whose rows learn their claim's number in its article once the page is cut."""

    def get_results(self, request):
        super().get_results(request)
        self.model_admin.number_claims(self.result_list)


class NumbersClaims:
    """Lists showing claims give each its number in its article, 1..n in reading order (the
    outline's numbering), never its database id.

    ``claim_field`` names the row's claim (empty for claims themselves).
    """

    claim_field = ""

    def get_changelist(self, request, **kwargs):
        return NumberedClaimsChangeList

    def _claim_id(self, row) -> int:
        return getattr(row, f"{self.claim_field}_id") if self.claim_field else row.pk

    def number_claims(self, rows) -> None:
        ids = {self._claim_id(row) for row in rows}
        articles = Claim.with_removed.filter(pk__in=ids).values_list(
            "section__article_id", flat=True
        )
        numbers = claim_numbers(set(articles))
        for row in rows:
            row.claim_number = numbers.get(self._claim_id(row))

    @admin.display(description=_("claim"))
    def claim_number_and_text(self, row):
        claim = getattr(row, self.claim_field) if self.claim_field else row
        number = getattr(row, "claim_number", None)
        label = _("Claim %(n)s") % {"n": number} if number else _("Removed claim")
        return format_html("<strong>{}</strong> {}", label, truncated(claim.summary(200), 60))


def _reason(form, default: str) -> str:
    return (form.cleaned_data.get("reason") or "").strip() or default


# Article: list, transitions, outline of sections and claims.


@dataclass
class TransitionButton:
    name: str
    label: str
    url: str
    needs_note: bool = False
    refusal: str = ""


def wording_rows(claim: Claim) -> list:
    by_level = {wording.level: wording for wording in claim.wordings.all()}
    return [
        (
            ReadingLevel(level).label,
            by_level[level],
            readability(level=level, text=by_level[level].text),
        )
        for level in ReadingLevel.values
        if level in by_level
    ]


def outline_for_editors(article: Article) -> Outline:
    """The article's outline, each claim with its wordings and grades and, when sent back, the
    board decision that sent it back."""
    outline = article_outline(article, claim_prefetches=[board().decisions_prefetch()])
    for entry in outline.claims():
        entry.wordings = wording_rows(entry.claim)
        entry.change_request = _change_request(entry.claim)
    return outline


def _change_request(claim: Claim):
    """The board decision that sent the claim back (its latest), shown with its comment."""
    if claim.review_status != ClaimStatus.CHANGES_REQUESTED:
        return None
    return next(iter(claim.board_decisions), None)


class RequestChangesForm(forms.Form):
    note = forms.CharField(
        label=_("What must change"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The editor reads this note; it is kept in the article's history."),
    )


ARTICLE_TRANSITIONS = {
    "start_review": services.article_start_review,
    "request_changes": services.article_request_changes,
    "resubmit": reviewer_services.article_resubmit,
    "approve": reviewer_services.article_approve,
    "start_periodic_review": reviewer_services.article_start_periodic_review,
    "publish": services.article_publish,
    "withdraw": services.article_withdraw,
}
"""Each admin button calls its service, never the model transition: resubmitting, approving and
periodic review are the board's use cases, which carry the reviewers into the new round or close
the round's open assignments."""


class ConfirmWithReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the article's history with your name."),
    )


TRANSITION_FORMS = {
    "request_changes": (RequestChangesForm, "note"),
    "publish": (ConfirmWithReasonForm, "reason"),
    "withdraw": (ConfirmWithReasonForm, "reason"),
}
"""Transitions asked on a page of their own: the form, and the service argument it fills."""


def transition_consequences(article: Article, name: str) -> list[str]:
    """What the transition will do, in the words of those it affects, shown before confirming."""
    page = article.get_absolute_url()
    if name == "publish":
        lines = [
            _("Readers will find it at %(page)s and in the list of published articles.")
            % {"page": page}
        ]
        if not article.has_standing_approval:
            lines.append(
                _(
                    "It is not approved yet: readers will see the caution banner “Exercise "
                    "caution as content is pending human review” and the review stepper at "
                    "%(status)s."
                )
                % {"status": article.get_review_status_display()}
            )
        return lines
    if name == "withdraw":
        return [
            _(
                "Readers who open %(page)s will get “Page not found” (404) from now on; cached "
                "copies are no longer served."
            )
            % {"page": page},
            _("It leaves the list of published articles on the site's home page."),
            _(
                "Nothing is deleted: its content, reviews and history stay, and an editor can "
                "publish it again."
            ),
        ]
    return []


class HasOverdueReviewFilter(admin.SimpleListFilter):
    title = _("overdue review")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Has an overdue review")), ("no", _("No overdue review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_overdue_review=True)
        if self.value() == "no":
            return queryset.filter(has_overdue_review=False)
        return queryset


class BoardReviewersInline(ViewOnlyAdminMixin, admin.TabularInline):
    """The board reviewers of the article, every round; assign new ones from their own page."""

    model = ReviewAssignment
    fk_name = "article"
    extra = 0
    can_delete = False
    fields = ["board_member", "round", "status", "due_at", "recommendation", "completed_at"]
    readonly_fields = fields
    verbose_name_plural = _("board reviewers")

    @admin.display(description=_("reviewer"))
    def board_member(self, assignment):
        return reviewer_label(assignment.reviewer)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("reviewer__reviewer_profile")
            .order_by("-round", "due_at")
        )


@admin.register(Article)
class ArticleAdmin(ServiceErrorsAsMessages, ReadOnlyHistoryAdmin):
    """Articles as editors see them, with the board reviewers and overdue reviews beside."""

    list_display = [
        "question",
        "review_status",
        "publication_status",
        "round",
        "overdue_review",
        "last_material_change_at",
        "next_review",
    ]
    list_filter = ["review_status", "publication_status", ReviewDateFilter, HasOverdueReviewFilter]
    search_fields = ["title"]
    inlines = [BoardReviewersInline]
    change_form_template = "admin/articles/article/change_form.html"
    transitions = ARTICLE_TRANSITIONS
    change_list_template = "admin/articles/article/change_list.html"
    transition_form_template = "admin/articles/article/transition_form.html"
    readonly_fields = [
        "review_status",
        "publication_status",
        "round",
        "last_material_change_at",
        "approved_by",
        "approved_at",
        "next_review",
        "published_at",
        "created_by",
        "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug"]}),
        (
            _("Review and publication"),
            {
                "fields": [
                    ("review_status", "round"),
                    "publication_status",
                    ("approved_by", "approved_at"),
                    "next_review",
                    "published_at",
                    ("created_by", "created_at"),
                    "last_material_change_at",
                ]
            },
        ),
    ]

    class Media:
        css = ADMIN_MEDIA_CSS

    @admin.display(description=_("question"), ordering="title")
    def question(self, article):
        return truncated(article.title, 70)

    @admin.display(description=_("overdue review"), boolean=True, ordering="has_overdue_review")
    def overdue_review(self, article):
        return article.has_overdue_review

    def get_queryset(self, request):
        overdue = (
            ReviewAssignment.objects.overdue().in_current_round().filter(article=OuterRef("pk"))
        )
        return super().get_queryset(request).annotate(has_overdue_review=Exists(overdue))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["title", "slug"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # The slug is in readers' links and citations of the page: fixed once created.
            readonly.append("slug")
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        """The slug follows the question while an article is created, never after."""
        if obj is None and not is_history_request(request):
            return {"slug": ["title"]}
        return {}

    def has_delete_permission(self, request, obj=None):
        """Articles are withdrawn, not deleted: their history is the audit trail (I3)."""
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.article_create(
                title=form.cleaned_data["title"],
                slug=form.cleaned_data["slug"],
                actor=request.user,
                reason="Created in the admin",
            )
            adopt_created(obj, created)
        elif "title" in form.changed_data:
            services.article_retitle(
                article=obj,
                title=form.cleaned_data["title"],
                actor=request.user,
                reason="Question reworded in the admin",
            )

    @admin.display(description=_("next review due"), ordering="next_review_due")
    def next_review(self, article):
        return next_review_display(article)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/assign/",
                self.admin_site.admin_view(self.assign_view),
                name="articles_article_assign",
            ),
            *article_import_urls(self),
            *next_review_urls(self),
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_transition",
            ),
            *super().get_urls(),
        ]

    def transition_buttons(self, request, article) -> tuple[list, list]:
        """What the user may do now, and what they could do but a condition still forbids."""
        available, blocked = [], []
        for name in self.transitions:
            _field, transition = declared_transition(article, name)
            if transition is None or not transition.has_perm(article, request.user):
                continue
            button = TransitionButton(
                name=name,
                label=transition_label(article, name),
                url=reverse("admin:articles_article_transition", args=[article.pk, name]),
                needs_note=name in TRANSITION_FORMS,
            )
            try:
                check_transition(article, name, request.user)
            except EditorialError as error:
                button.refusal = error.message
                blocked.append(button)
            else:
                available.append(button)
        return available, blocked

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = self.get_object(request, unquote(object_id))
        if article is not None:
            available, blocked = self.transition_buttons(request, article)
            extra_context.update(
                editorial_transitions=available,
                editorial_blocked=blocked,
                editorial_outline=outline_for_editors(article),
                may_add_claims=request.user.has_perm("articles.add_claim"),
                may_set_next_review=(
                    article.has_standing_approval
                    and request.user.has_perm("articles.change_article")
                ),
                may_assign=board().may_assign(request.user),
            )
        if board().may_assign(request.user):
            due = timezone.localdate(ReviewAssignment.default_due_at())
            extra_context["assign_form"] = AssignReviewerForm(initial={"due_on": due})
        return super().change_view(request, object_id, form_url, extra_context)

    def assign_view(self, request, object_id):
        """Assign a board reviewer from the article's page and come back to it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm("reviewers.add_reviewassignment"):
            raise PermissionDenied
        form = AssignReviewerForm(request.POST)
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            )
            self.message_user(request, f"Nobody was assigned. {problems}", messages.ERROR)
        else:
            try:
                assignment = reviewer_services.assignment_create(
                    article=article,
                    reviewer=form.cleaned_data["reviewer"],
                    due_at=form.due_at(),
                    actor=request.user,
                    reason="Reviewer assigned on the article's page",
                )
            except EditorialError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                due = timezone.localtime(assignment.due_at).strftime("%a %d %b %Y, %H:%M")
                self.message_user(
                    request,
                    f"{reviewer_label(assignment.reviewer)} is assigned, due {due}; they are "
                    "emailed now.",
                    messages.SUCCESS,
                )
        url = reverse("admin:articles_article_change", args=[article.pk])
        return HttpResponseRedirect(f"{url}#board-reviewers")

    def transition_view(self, request, object_id, name):
        article = self.get_object(request, unquote(object_id))
        if article is None or name not in self.transitions:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        label = transition_label(article, name)
        kwargs = {}
        if name in TRANSITION_FORMS:
            form_class, argument = TRANSITION_FORMS[name]
            form = form_class(request.POST if request.method == "POST" else None)
            if not form.is_bound or not form.is_valid():
                context = {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "original": article,
                    "title": f"{label}: {article}",
                    "label": label,
                    "form": form,
                    "change_url": change_url,
                    "consequences": transition_consequences(article, name),
                }
                return TemplateResponse(request, self.transition_form_template, context)
            kwargs[argument] = form.cleaned_data[argument]
        elif request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            changed = self.transitions[name](article=article, actor=request.user, **kwargs)
        except EditorialError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                f"{label}: done. “{changed}” is {changed.get_review_status_display().lower()} "
                f"and {changed.get_publication_status_display().lower()}.",
                messages.SUCCESS,
            )
        return redirect(change_url)


# Claims: wordings and citations, edited through the content services.


class ClaimAdminForm(forms.ModelForm):
    clinician = forms.CharField(
        label=_("Healthcare professional wording"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. The other reading levels fall back to it."),
    )
    student = forms.CharField(
        label=_("Student wording"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Aim for grade 12 or below."),
    )
    patient = forms.CharField(
        label=_("Patient or caregiver wording"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Aim for grade 8 or below."),
    )
    reason = forms.CharField(
        label=_("Why this change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Kept in history. Any change to a wording or citation sends the claim back "
            "to the board."
        ),
    )

    class Meta:
        model = Claim
        fields = ["section", "parent", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for level, text in self.instance.texts_by_level().items():
                if level in self.fields:
                    self.fields[level].initial = text


def _own_wording(claim: Claim, level: str) -> str:
    """The wording written for ``level`` itself, without the reader's fallback to clinician."""
    return claim.texts_by_level().get(level, "")


class RemovedClaimsFilter(admin.SimpleListFilter):
    """Claims in their articles by default; removed ones on request, for the audit."""

    title = _("in the article")
    parameter_name = "removed"

    def lookups(self, request, model_admin):
        return [("no", _("In the article")), ("yes", _("Removed"))]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "no") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset.removed() if self.value() == "yes" else queryset.current()


class CitationInline(admin.TabularInline):
    """The claim's references in citation order; saved as one material change."""

    model = Citation
    extra = 1
    fields = ["order", "reference"]
    autocomplete_fields = ["reference"]
    verbose_name_plural = _("citations (in order)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reference")


@admin.register(Claim)
class ClaimAdmin(
    AsksWhyInsteadOfDeleting, NumbersClaims, ServiceErrorsAsMessages, ReadOnlyHistoryAdmin
):
    form = ClaimAdminForm
    inlines = [CitationInline]
    list_display = ["claim_number_and_text", "article", "section_heading", "review_status"]
    list_filter = [
        RemovedClaimsFilter,
        ("section__article", admin.RelatedOnlyFieldListFilter),
        "review_status",
        "kind",
    ]
    list_select_related = ["section__article"]
    search_fields = ["wordings__text", "section__article__title"]
    autocomplete_fields = ["section"]
    readonly_fields = ["review_status", "reading_grades", "board_decisions"]

    class Media:
        css = ADMIN_MEDIA_CSS

    def get_queryset(self, request):
        """Removed claims too: their page and history stay readable (I3), read-only."""
        claims = Claim.with_removed.prefetch_related("wordings")
        ordering = self.get_ordering(request)
        return claims.order_by(*ordering) if ordering else claims

    def get_fieldsets(self, request, obj=None):
        placement = ["section", "parent", "kind"]
        if obj is not None:
            placement = ["review_status", *placement]
        wordings = ["clinician", "student", "patient"]
        if not is_history_request(request):
            wordings.append("reason")
        fieldsets = [(None, {"fields": placement}), (_("Wordings"), {"fields": wordings})]
        if obj is not None:
            fieldsets.append(
                (
                    _("Readability and board decisions"),
                    {"fields": ["reading_grades", "board_decisions"]},
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if is_history_request(request):
            return [*self.readonly_fields, "section", "parent", "kind", *ReadingLevel.values]
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Moving a claim has no service yet; it stays where it was added.
            readonly += ["section", "parent", "kind"]
        return readonly

    def get_changeform_initial_data(self, request):
        return {key: value for key, value in request.GET.items() if key in {"section", "parent"}}

    @admin.display(description=_("article"), ordering="section__article__title")
    def article(self, claim):
        return truncated(claim.section.article, 45)

    @admin.display(description=_("section"), ordering="section__heading")
    def section_heading(self, claim):
        return truncated(claim.section, 30)

    def _title(self, claim) -> str:
        number = claim_numbers([claim.section.article_id]).get(claim.pk)
        article = claim.section.article
        if number is None:
            return _("Removed claim of “%(article)s”") % {"article": article}
        return _("Claim %(n)s of “%(article)s”") % {"n": number, "article": article}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, unquote(object_id))
        if claim is not None:
            extra_context = {**(extra_context or {}), "title": self._title(claim)}
        return super().change_view(request, object_id, form_url, extra_context)

    # Shown instead of the wording fields to those who may only view claims (board reviewers).

    @admin.display(description=_("Healthcare professional wording"))
    def clinician(self, claim):
        return _own_wording(claim, ReadingLevel.CLINICIAN)

    @admin.display(description=_("Student wording"))
    def student(self, claim):
        return _own_wording(claim, ReadingLevel.STUDENT)

    @admin.display(description=_("Patient or caregiver wording"))
    def patient(self, claim):
        return _own_wording(claim, ReadingLevel.PATIENT)

    @admin.display(description=_("claim"))
    def summary(self, claim):
        return claim.summary()

    @admin.display(description=_("reading grade (Flesch–Kincaid)"))
    def reading_grades(self, claim):
        rows = wording_rows(claim)
        return format_html(
            "<ul class='reading-grades'>{}</ul>",
            _grades_html(rows),
        )

    @admin.display(description=_("board decisions"))
    def board_decisions(self, claim):
        decisions = board().decisions_on(claim)[:10]
        if not decisions:
            return _("None yet.")
        return format_html(
            "<ul class='board-decisions'>{}</ul>",
            _decisions_html(decisions),
        )

    def save_model(self, request, obj, form, change):
        entered = form.cleaned_data
        if not change:
            reason = _reason(form, "Claim added in the admin")
            created = services.claim_add(
                section=entered["section"],
                text=entered["clinician"],
                kind=entered["kind"],
                parent=entered.get("parent"),
                wordings={level: entered.get(level, "") for level in ("student", "patient")},
                actor=request.user,
                reason=reason,
            )
            adopt_created(obj, created)
        else:
            reason = _reason(form, "Wording edited in the admin")
            for level in ReadingLevel.values:
                if level in form.changed_data:
                    services.wording_set(
                        claim=obj,
                        level=level,
                        text=entered.get(level, ""),
                        actor=request.user,
                        reason=reason,
                    )
        for level in ReadingLevel.values:
            warning = readability(level=level, text=entered.get(level) or "").warning
            if entered.get(level) and warning:
                label = ReadingLevel(level).label
                self.message_user(request, f"{label} wording: {warning}", messages.WARNING)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Citation:
            return super().save_formset(request, form, formset, change)
        kept = [
            (inline.cleaned_data.get("order") or 0, index, inline.cleaned_data["reference"])
            for index, inline in enumerate(formset.forms)
            if inline.cleaned_data.get("reference") and not inline.cleaned_data.get("DELETE")
        ]
        references = [reference for _order, _index, reference in sorted(kept, key=lambda k: k[:2])]
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        services.claim_set_citations(
            claim=form.instance,
            references=references,
            actor=request.user,
            reason=_reason(form, "Citations edited in the admin"),
        )

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_removed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_removed:
            return False
        return super().has_delete_permission(request, obj)

    replacement_template = "admin/articles/claim/remove.html"

    def replacement_context(self, request, claim) -> dict:
        return {
            "article": claim.section.article,
            "sub_claims": list(claim.sub_claims.all()),
            "title": _("Remove %(claim)s") % {"claim": self._title(claim)},
        }

    def replace_deletion(self, request, claim, reason: str) -> str:
        """Remove the claim through the removal service (a material change, I2)."""
        article = claim.section.article
        title = self._title(claim)
        services.claim_remove(claim=claim, actor=request.user, reason=reason)
        self.message_user(request, f"{title} was removed from “{article}”.", messages.SUCCESS)
        return reverse("admin:articles_article_change", args=[article.pk])


def _grades_html(rows):
    return format_html_join(
        "",
        "<li>{}: {}{}</li>",
        (
            (
                label,
                f"grade {result.grade:.1f}"
                if result.shown
                else _("too short to grade (under %(n)d words)") % {"n": MIN_WORDS},
                format_html(" <strong class='grade-warning'>⚠ {}</strong>", result.warning)
                if result.too_hard
                else "",
            )
            for label, _wording, result in rows
        ),
    )


def _decisions_html(decisions):
    return format_html_join(
        "",
        "<li>{} — {} by {}{}</li>",
        (
            (
                decision.created_at.strftime("%Y-%m-%d %H:%M"),
                decision.get_decision_display(),
                decision.assignment.reviewer,
                f": “{decision.comment}”" if decision.comment else "",
            )
            for decision in decisions
        ),
    )


# Sections, references and the read-only trails of wordings and citations.


@admin.register(Section)
class SectionAdmin(ServiceErrorsAsMessages, ReadOnlyHistoryAdmin):
    list_display = ["heading", "article", "level", "order"]
    list_select_related = ["article"]
    search_fields = ["heading", "article__title"]
    autocomplete_fields = ["article"]
    fields = ["article", "heading", "level"]

    def get_readonly_fields(self, request, obj=None):
        # A section stays in the article it was added to.
        return ["article"] if obj is not None else []

    def get_changeform_initial_data(self, request):
        return {key: value for key, value in request.GET.items() if key == "article"}

    def has_delete_permission(self, request, obj=None):
        """Deleting a section would drop its claims without the material-change rule."""
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.section_add(
                article=form.cleaned_data["article"],
                heading=form.cleaned_data["heading"],
                level=form.cleaned_data["level"],
                actor=request.user,
                reason="Section added in the admin",
            )
            adopt_created(obj, created)
        elif {"heading", "level"} & set(form.changed_data):
            services.section_rename(
                section=obj,
                heading=form.cleaned_data["heading"],
                level=form.cleaned_data["level"],
                actor=request.user,
                reason="Section heading edited in the admin",
            )


@admin.register(Reference)
class ReferenceAdmin(ServiceErrorsAsMessages, ReadOnlyHistoryAdmin):
    list_display = ["short_title", "kind", "short_source", "year", "identifiers", "is_complete"]
    list_filter = ["kind", "is_complete"]
    search_fields = ["title", "authors", "doi", "pmid", "source"]
    fields = [*Reference.BIBLIOGRAPHIC_FIELDS, "is_complete"]
    # A link typed without a scheme is a journal's web page: https, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("title"), ordering="title")
    def short_title(self, reference):
        return truncated(reference.title, 70)

    @admin.display(description=_("source"), ordering="source")
    def short_source(self, reference):
        return truncated(reference.source, 35)

    @admin.display(description=_("DOI / PMID"))
    def identifiers(self, reference):
        return truncated(" · ".join(filter(None, [reference.doi, reference.pmid])), 30)

    def has_delete_permission(self, request, obj=None):
        """A cited reference cannot be deleted (its citations protect it): no button for it."""
        if obj is not None and obj.citations.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        """References are deleted one at a time, where deleting is possible (not cited)."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.reference_add(
                actor=request.user,
                reason="Reference added in the admin",
                **{name: form.cleaned_data[name] for name in self.fields},
            )
            adopt_created(obj, created)
            return
        changed = {
            name: form.cleaned_data[name] for name in form.changed_data if name in self.fields
        }
        if changed:
            services.reference_update(
                reference=obj, actor=request.user, reason="Reference edited in the admin", **changed
            )


class ReadOnlyTrailAdmin(ViewOnlyAdminMixin, ReadOnlyHistoryAdmin):
    """Shown only for its history: changes are made on the claim."""


@admin.register(Wording)
class WordingAdmin(NumbersClaims, ReadOnlyTrailAdmin):
    claim_field = "claim"
    list_display = ["claim_number_and_text", "level", "wording_text", "reading_grade"]
    list_filter = ["level"]
    list_select_related = ["claim"]
    search_fields = ["text"]

    @admin.display(description=_("text"))
    def wording_text(self, wording):
        return truncated(wording.text, 70)

    @admin.display(description=_("reading grade"))
    def reading_grade(self, wording):
        result = readability(level=wording.level, text=wording.text)
        if not result.shown:
            return "—"
        if result.too_hard:
            return format_html("<strong class='grade-warning'>⚠ {}</strong>", result.warning)
        return f"{result.grade:.1f}"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("claim__wordings")


@admin.register(Citation)
class CitationAdmin(NumbersClaims, ReadOnlyTrailAdmin):
    claim_field = "claim"
    list_display = ["claim_number_and_text", "order", "cited_reference"]
    list_select_related = ["reference"]
    search_fields = ["reference__title"]

    @admin.display(description=_("reference"), ordering="reference__title")
    def cited_reference(self, citation):
        return truncated(citation.reference, 70)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("claim__wordings")


class PendingPurgeFilter(LedgerDoneFilter):
    title = _("purged")
    parameter_name = "purged"
    done_field, owed_method = "purged_at", "pending"
    owed_label, done_label = _("Not purged yet"), _("Purged")


@admin.register(EdgePurge)
class EdgePurgeAdmin(AnswersBadIds, ViewOnlyAdminMixin, admin.ModelAdmin):
    """The purge ledger of the shared caches: a row still pending with attempts is one the sweep
    will send again (its last error says why it failed)."""

    list_display = ["article", "requested_at", "purged_at", "attempts", "last_error"]
    list_filter = [PendingPurgeFilter]
    list_select_related = ["article"]
    search_fields = ["article__title"]
    date_hierarchy = "requested_at"
    fields = ["article", "requested_at", "purged_at", "attempts", "last_error"]
    readonly_fields = fields
