"""The board's workplace (docs/workflows.md#the-back-office): claims awaiting my review, assignments
(a reviewer's own opens the review screen), claim decisions, reviewer profiles, declarations of
interest and the reminder ledger.

Decisions and assignment steps go through ``reviewers.services``; the rules (who may decide,
in which round) are the model transitions' and are asked there, not here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.choices import ClaimStatus, ReadingLevel
from articles.models import Citation, Claim
from editorial.exceptions import EditorialError
from reviewers import selectors, services
from reviewers.choices import Decision, InterestKind, Recommendation
from reviewers.models import (
    ClaimAwaitingReview,
    ClaimDecision,
    DeclarationOfInterest,
    Reminder,
    ReviewAssignment,
    ReviewerProfile,
)

from .bases import (
    ADMIN_MEDIA_CSS,
    AnswersBadIds,
    LedgerDoneFilter,
    ReadOnlyHistoryAdmin,
    ServiceErrorsAsMessages,
    ViewOnlyAdminMixin,
    adopt_created,
    is_history_request,
    truncated,
)
from .editors import NumbersClaims, wording_rows
from .forms import ReviewerChoiceField

# Claims awaiting my review.


class AwaitingDecisionFilter(admin.SimpleListFilter):
    """Pending claims first: what the reviewer has yet to decide on."""

    title = _("decision")
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("Awaiting my decision")),
            ("decided", _("Decided")),
            ("all", _("All")),
        ]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "pending") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "pending"
        if value == "pending":
            return queryset.awaiting_decision()
        if value == "decided":
            return queryset.exclude(review_status=ClaimStatus.PENDING)
        return queryset


class DecisionCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("What must change"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required. The editor reads it next to the claim; it is kept in history."),
    )


@admin.register(ClaimAwaitingReview)
class ClaimAwaitingReviewAdmin(NumbersClaims, AnswersBadIds, ViewOnlyAdminMixin, admin.ModelAdmin):
    """Claims of the articles a reviewer reviews this round, with what changed since last time."""

    list_display = ["claim_for_review", "quick_decision", "article_link", "section", "cites"]
    list_display_links = None
    list_filter = [AwaitingDecisionFilter]
    search_fields = ["wordings__text", "section__article__title"]
    list_per_page = 100
    actions = ["approve", "request_changes"]
    ordering = ["section__article__title", "section__order", "order"]

    class Media:
        css = ADMIN_MEDIA_CSS

    def get_queryset(self, request):
        return (
            selectors.claims_awaiting_review(request.user)
            .select_related("section__article")
            .prefetch_related(
                "wordings",
                Prefetch("citations", queryset=Citation.objects.select_related("reference")),
                Prefetch("decisions", queryset=ClaimDecision.objects.with_reviewer()),
            )
        )

    def get_changelist_instance(self, request):
        """Each listed claim with what changed since the reviewer's last decision on it, by
        the review screen's rule (``reviewers.selectors.claim_change``)."""
        changelist = super().get_changelist_instance(request)
        for claim in changelist.result_list:
            since = selectors.decision_to_compare(
                claim.decisions.all(),
                reviewer_id=request.user.pk,
                round_number=claim.section.article.round,
            )
            claim.change = selectors.claim_change(claim, since)
        return changelist

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("reviewers.add_claimdecision")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Claims awaiting my review")}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("claim"))
    def claim_for_review(self, claim):
        change = claim.change
        return render_to_string(
            "admin/reviewers/claimawaitingreview/claim_cell.html",
            {
                "claim": claim,
                "last": change.since,
                "changed": change.changed,
                "citations_changed": change.citations_changed,
                "rows": [
                    (label, wording, result, change.diff_of(wording.level))
                    for label, wording, result in wording_rows(claim)
                ],
                "removed_levels": [ReadingLevel(level).label for level in change.removed_levels],
            },
        )

    @admin.display(description=_("article"), ordering="section__article__title")
    def article_link(self, claim):
        article = claim.section.article
        url = reverse("admin:articles_article_change", args=[article.pk])
        number = getattr(claim, "claim_number", None)
        label = format_html("{}<br>{}", _("Claim %(n)s of") % {"n": number}, truncated(article, 40))
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("status"), ordering="review_status")
    def quick_decision(self, claim):
        """One click to approve a single pending claim, without the actions menu.

        The button posts the changelist form (with its CSRF token) to this claim's own URL.
        """
        status = format_html(
            '<span class="claim-status status-{}">{}</span>',
            claim.review_status,
            claim.get_review_status_display(),
        )
        if claim.review_status != ClaimStatus.PENDING:
            return status
        url = reverse("admin:reviewers_claimawaitingreview_approve", args=[claim.pk])
        return format_html(
            '{}<button type="submit" class="button quick-approve" formaction="{}" '
            'formmethod="post" aria-label="{} {}">{}</button>',
            status,
            url,
            _("Approve claim"),
            getattr(claim, "claim_number", ""),
            _("Approve"),
        )

    def get_urls(self):
        return [
            path(
                "<int:claim_id>/approve/",
                self.admin_site.admin_view(self.approve_one_view),
                name="reviewers_claimawaitingreview_approve",
            ),
            *super().get_urls(),
        ]

    def approve_one_view(self, request, claim_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        claims = list(Claim.objects.filter(pk=claim_id).only("pk"))
        if claims:
            self._decide_claims(request, claims, decision=Decision.APPROVE)
        else:
            self.message_user(
                request,
                "That claim does not exist or was removed from its article.",
                messages.ERROR,
            )
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:reviewers_claimawaitingreview_changelist")
        return HttpResponseRedirect(back)

    @admin.display(description=_("cites"))
    def cites(self, claim):
        return format_html(
            "<ul class='board-decisions'>{}</ul>",
            _citations_html(claim.citations.all()),
        )

    def _decide_ticked(self, request, queryset, *, decision: str, comment: str = "") -> None:
        """Decide on the claims the reviewer ticked, letting the service judge each one.

        The admin would silently drop ticked claims outside this list (a forged or stale
        POST); passing them on makes the claim transition refuse them with its own sentence.
        """
        if request.POST.get("select_across") == "1":
            queryset = queryset.select_related(None).prefetch_related(None)
        else:
            ticked = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            queryset = Claim.objects.filter(pk__in=[pk for pk in ticked if pk.isdigit()])
        self._decide_claims(request, list(queryset.only("pk")), decision=decision, comment=comment)

    def _decide_claims(self, request, claims, *, decision: str, comment: str = "") -> None:
        try:
            decided = services.claims_decide(
                claims=claims, actor=request.user, decision=decision, comment=comment
            )
        except EditorialError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        verb = "approved" if decision == Decision.APPROVE else "sent back for changes"
        self.message_user(
            request,
            ngettext("%(n)d claim %(verb)s.", "%(n)d claims %(verb)s.", len(decided))
            % {"n": len(decided), "verb": verb},
            messages.SUCCESS,
        )

    @admin.action(description=_("Approve selected claims"))
    def approve(self, request, queryset):
        self._decide_ticked(request, queryset, decision=Decision.APPROVE)

    @admin.action(description=_("Request changes on selected claims…"))
    def request_changes(self, request, queryset):
        form = DecisionCommentForm(request.POST if "comment" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._decide_ticked(
                request,
                queryset,
                decision=Decision.REQUEST_CHANGES,
                comment=form.cleaned_data["comment"],
            )
            return None
        claims = list(queryset)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Request changes"),
            "opts": self.opts,
            "claims": claims,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/reviewers/claimawaitingreview/request_changes.html", context
        )


def _citations_html(citations):
    return format_html_join(
        "",
        "<li class='{}'>{}</li>",
        (
            ("" if citation.reference.is_complete else "incomplete-reference", citation.reference)
            for citation in citations
        ),
    )


# Assignments.


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        return queryset


class CompleteAssignmentForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Note for the editor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptAssignmentForm(forms.Form):
    """Accepting declares the reviewer's interests in the article (docs/governance.md)."""

    declaration = forms.ChoiceField(
        label=_("Conflict of interest"),
        choices=[
            ("none", _("I have no conflict of interest with this article")),
            ("conflict", _("I have a conflict of interest with this article")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "A conflict is anything that could be seen to influence your review: fees, grants, "
            "shares, roles, or personal ties to what the article discusses."
        ),
    )
    conflict_kind = forms.ChoiceField(
        label=_("Kind of interest"),
        choices=InterestKind.choices,
        required=False,
        initial=InterestKind.OTHER,
    )
    conflict = forms.CharField(
        label=_("Your conflict"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown on the public board page. You may still review and request changes; an "
            "approver must override it before you can recommend approval."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("declaration") == "conflict" and not (data.get("conflict") or "").strip():
            self.add_error("conflict", _("Describe your conflict of interest."))
        data["conflict_kind"] = data.get("conflict_kind") or InterestKind.OTHER
        return data


class OverrideConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the reviewer may recommend approval despite the conflict"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept in the assignment's history with your name."),
    )


class ReviewAssignmentForm(forms.ModelForm):
    class Meta:
        model = ReviewAssignment
        fields = ["article", "reviewer", "due_at"]


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ServiceErrorsAsMessages, ReadOnlyHistoryAdmin):
    """Editors assign and cancel; a reviewer sees “My assignments” and answers them, and their
    own assignment opens as the review screen (``desk.review``), from the list and from emails."""

    form = ReviewAssignmentForm
    list_display = [
        "short_article",
        "reviewer",
        "round",
        "status",
        "due",
        "recommendation",
        "conflict_status",
        "held_back_by_conflict",
    ]
    list_filter = ["status", OverdueFilter, "conflict_status", "round"]
    list_select_related = ["article", "reviewer"]
    search_fields = ["article__title", "reviewer__username", "reviewer__last_name"]
    autocomplete_fields = ["article"]
    actions = ["accept", "decline", "complete", "cancel", "override_conflict"]
    readonly_fields = [
        "article",
        "reviewer",
        "round",
        "status",
        "due_at",
        "recommendation",
        "assigned_by",
        "assigned_at",
        "completed_at",
        "conflict_status",
        "declared_conflict",
        "conflict_override_reason",
        "conflict_overridden_by",
        "conflict_overridden_at",
    ]

    class Media:
        css = ADMIN_MEDIA_CSS

    def _manages_assignments(self, request) -> bool:
        return request.user.has_perm("reviewers.change_reviewassignment")

    def _sees_all_assignments(self, request) -> bool:
        """Editors, and approvers (who rule on declared conflicts)."""
        return self._manages_assignments(request) or request.user.has_perm(
            "articles.approve_article"
        )

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                held_back=Exists(
                    ReviewAssignment.objects.held_back_by_conflict().filter(pk=OuterRef("pk"))
                )
            )
        )
        if not self._sees_all_assignments(request):
            queryset = queryset.for_reviewer(request.user)
        return queryset

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["article", "reviewer", "due_at"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request, obj):
        return [ReminderInline] if obj is not None else []

    def get_changeform_initial_data(self, request):
        initial = {key: value for key, value in request.GET.items() if key == "article"}
        initial["due_at"] = ReviewAssignment.default_due_at()
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            kwargs.update(queryset=selectors.board_members(), form_class=ReviewerChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        """Assignments are cancelled or declined, never deleted: decisions point at them."""
        return False

    def changelist_view(self, request, extra_context=None):
        if not self._manages_assignments(request):
            extra_context = {**(extra_context or {}), "title": _("My assignments")}
        return super().changelist_view(request, extra_context)

    # A reviewer's own assignment opens as the review screen, from the list and from emails.

    def get_list_display(self, request):
        if self._manages_assignments(request):
            return super().get_list_display(request)
        return ["article_to_review", "round", "status", "due", "recommendation"]

    def get_list_display_links(self, request, list_display):
        if self._manages_assignments(request):
            return super().get_list_display_links(request, list_display)
        return None

    @admin.display(description=_("article"), ordering="article__title")
    def article_to_review(self, assignment):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:desk_review", args=[assignment.pk]),
            assignment.article,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        assignment = self.get_object(request, unquote(object_id))
        if (
            request.method == "GET"
            and assignment is not None
            and assignment.reviewer_id == request.user.pk
            and not is_history_request(request)
        ):
            return redirect("admin:desk_review", assignment.pk)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("article"), ordering="article__title")
    def short_article(self, assignment):
        return truncated(assignment.article, 60)

    @admin.display(description=_("held back by a conflict"), boolean=True)
    def held_back_by_conflict(self, assignment):
        """The approval's own rule (docs/invariants.md#i8-conflicts-hold-over-time): a conflict
        declared for the time of the recommendation, whenever declared, and no override covering it
        yet."""
        return assignment.held_back

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, assignment):
        due = timezone.localtime(assignment.due_at).strftime("%Y-%m-%d %H:%M")
        if assignment.is_overdue():
            return format_html('<span class="overdue">{} ({})</span>', due, _("overdue"))
        return due

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.assignment_create(
                article=form.cleaned_data["article"],
                reviewer=form.cleaned_data["reviewer"],
                due_at=form.cleaned_data["due_at"],
                actor=request.user,
                reason="Reviewer assigned in the admin",
            )
            adopt_created(obj, created)

    def _take_assignment_step(self, request, queryset, step, done: str, **kwargs) -> None:
        succeeded = 0
        for assignment in queryset:
            try:
                step(assignment=assignment, actor=request.user, **kwargs)
            except EditorialError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(
                request,
                ngettext("%(n)d assignment %(done)s.", "%(n)d assignments %(done)s.", succeeded)
                % {"n": succeeded, "done": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Accept selected assignments, declaring interests…"))
    def accept(self, request, queryset):
        form = AcceptAssignmentForm(request.POST if "declaration" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            declared = (
                {"conflict": data["conflict"], "conflict_kind": data["conflict_kind"]}
                if data["declaration"] == "conflict"
                else {"no_conflict": True}
            )
            self._take_assignment_step(
                request, queryset, services.assignment_accept, "accepted", **declared
            )
            return None
        assignments = list(queryset.select_related("article"))
        profile = ReviewerProfile.objects.filter(user=request.user).first()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Accept and declare your interests"),
            "opts": self.opts,
            "assignments": assignments,
            "declarations": list(profile.declarations.current()) if profile else [],
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reviewers/reviewassignment/accept.html", context)

    @admin.action(description=_("Override the declared conflict of interest…"))
    def override_conflict(self, request, queryset):
        form = OverrideConflictForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._take_assignment_step(
                request,
                queryset,
                services.assignment_conflict_override,
                "cleared to recommend approval",
                reason=form.cleaned_data["reason"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Override a declared conflict of interest"),
            "opts": self.opts,
            "assignments": list(queryset.select_related("declared_conflict", "reviewer")),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/reviewers/reviewassignment/override_conflict.html", context
        )

    @admin.action(description=_("Decline selected assignments"))
    def decline(self, request, queryset):
        self._take_assignment_step(request, queryset, services.assignment_decline, "declined")

    @admin.action(description=_("Cancel selected assignments"))
    def cancel(self, request, queryset):
        self._take_assignment_step(request, queryset, services.assignment_cancel, "cancelled")

    @admin.action(description=_("Complete selected assignments with a recommendation…"))
    def complete(self, request, queryset):
        form = CompleteAssignmentForm(request.POST if "recommendation" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._take_assignment_step(
                request,
                queryset,
                services.review_complete,
                "completed",
                recommendation=form.cleaned_data["recommendation"],
                note=form.cleaned_data["reason"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Complete with a recommendation"),
            "opts": self.opts,
            "assignments": list(queryset),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reviewers/reviewassignment/complete.html", context)


@admin.register(ClaimDecision)
class ClaimDecisionAdmin(NumbersClaims, AnswersBadIds, ViewOnlyAdminMixin, admin.ModelAdmin):
    """Append-only: shown to read, never changed."""

    claim_field = "claim"
    list_display = ["claim_number_and_text", "decision", "reviewer", "short_comment", "created_at"]
    list_filter = ["decision"]
    list_select_related = ["assignment__reviewer", "claim"]
    search_fields = ["comment", "assignment__article__title"]
    readonly_fields = ["claim", "assignment", "decision", "comment", "snapshot", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("claim__wordings")

    @admin.display(description=_("reviewer"))
    def reviewer(self, decision):
        return decision.assignment.reviewer

    @admin.display(description=_("comment"))
    def short_comment(self, decision):
        return truncated(decision.comment, 50)


class ReviewerProfileForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Why this change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the profile's history with your name."),
    )

    class Meta:
        model = ReviewerProfile
        fields = ["user", "credentials", "specialty", "active"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(ReadOnlyHistoryAdmin):
    form = ReviewerProfileForm
    list_display = ["__str__", "specialty", "active"]
    readonly_fields = ["declarations"]
    list_filter = ["active", "specialty"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "specialty"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    def get_fields(self, request, obj=None):
        fields = ["user", "credentials", "specialty", "active"]
        if is_history_request(request):
            return fields
        return [*fields, "reason", "declarations"] if obj is not None else [*fields, "reason"]

    @admin.display(description=_("declarations of interest"))
    def declarations(self, profile):
        """Current and past, newest first; each is declared and ended on its own page."""
        rows = profile.declarations.select_related("article")
        if not rows:
            return _("None declared.")
        return format_html(
            "<ul class='board-decisions'>{}</ul>",
            format_html_join(
                "",
                "<li><a href='{}'>{}: {}</a> ({} – {})</li>",
                (
                    (
                        reverse("admin:reviewers_declarationofinterest_change", args=[row.pk]),
                        row.get_kind_display(),
                        row.text,
                        row.valid_from,
                        row.valid_to or _("in force"),
                    )
                    for row in rows
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        services.reviewer_profile_save(
            profile=obj, actor=request.user, reason=form.cleaned_data["reason"]
        )

    def has_delete_permission(self, request, obj=None):
        """Profiles are made inactive, never deleted: the board page and decisions cite them."""
        return False


# Declarations of interest (docs/governance.md): each board member keeps their own.


class CurrentDeclarationFilter(admin.SimpleListFilter):
    title = _("in force")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("In force today")), ("no", _("Ended or not yet started"))]

    def queryset(self, request, queryset):
        current = DeclarationOfInterest.objects.current().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=current)
        if self.value() == "no":
            return queryset.exclude(pk__in=current)
        return queryset


class DeclarationForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Note for the record"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the declaration's history with your name."),
    )

    class Meta:
        model = DeclarationOfInterest
        fields = ["profile", "kind", "text", "article", "valid_from", "valid_to"]


@admin.register(DeclarationOfInterest)
class DeclarationOfInterestAdmin(ServiceErrorsAsMessages, ReadOnlyHistoryAdmin):
    """A board member declares their interests here; once saved, a declaration only ends."""

    form = DeclarationForm
    list_display = ["profile", "kind", "text", "article", "valid_from", "valid_to"]
    list_filter = [CurrentDeclarationFilter, "kind"]
    list_select_related = ["profile__user", "article"]
    search_fields = ["text", "profile__user__last_name", "article__title"]
    autocomplete_fields = ["article"]

    def _manages_profiles(self, request) -> bool:
        return request.user.has_perm("reviewers.change_reviewerprofile")

    def get_queryset(self, request):
        """Board members see their own; those who manage profiles, approvers (who rule on
        conflicts) and editors (who choose reviewers) see everyone's."""
        queryset = super().get_queryset(request)
        user = request.user
        if (
            self._manages_profiles(request)
            or user.has_perm("articles.approve_article")
            or user.has_perm("reviewers.change_reviewassignment")
        ):
            return queryset
        return queryset.filter(profile__user=user)

    def get_fields(self, request, obj=None):
        if is_history_request(request):
            return ["profile", "kind", "text", "article", "valid_from", "valid_to"]
        if obj is not None:
            return ["profile", "kind", "text", "article", "valid_from", "valid_to", "reason"]
        fields = ["kind", "text", "article", "valid_from", "valid_to", "reason"]
        return ["profile", *fields] if self._manages_profiles(request) else fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["profile", "kind", "text", "article", "valid_from"]
        return super().get_readonly_fields(request, obj)

    def get_changeform_initial_data(self, request):
        return {"valid_from": timezone.localdate()}

    def has_change_permission(self, request, obj=None):
        if obj is not None and not (
            obj.profile.user_id == request.user.pk or self._manages_profiles(request)
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        """Declarations end, never vanish: what a reviewer declared stays on record."""
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        reason = (data.get("reason") or "").strip()
        if change:
            if "valid_to" in form.changed_data:
                services.declaration_end(
                    declaration=obj,
                    valid_to=data["valid_to"],
                    actor=request.user,
                    reason=reason or "Ended in the admin",
                )
            return
        profile = data.get("profile") or ReviewerProfile.objects.filter(user=request.user).first()
        if profile is None:
            raise EditorialError("You have no board profile to declare interests on.")
        created = services.declaration_add(
            profile=profile,
            kind=data["kind"],
            text=data["text"],
            article=data.get("article"),
            valid_from=data.get("valid_from"),
            valid_to=data.get("valid_to"),
            actor=request.user,
            reason=reason or "Declared in the admin",
        )
        adopt_created(obj, created)


# Reminders (docs/reminders.md): the ledger of emails owed and sent, read-only for everyone.


class ReminderSentFilter(LedgerDoneFilter):
    title = _("sent")
    parameter_name = "sent"
    done_field, owed_method = "sent_at", "unsent"
    owed_label, done_label = _("Not sent yet"), _("Sent")


class ReadOnlyReminders(ViewOnlyAdminMixin):
    fields = ["kind", "occurrence", "recipient", "created_at", "sent_at", "attempts", "last_error"]
    readonly_fields = fields


@admin.register(Reminder)
class ReminderAdmin(AnswersBadIds, ReadOnlyReminders, admin.ModelAdmin):
    """What was claimed and sent; an unsent row with attempts is one the sweep will retry."""

    fields = ["assignment", "article", *ReadOnlyReminders.fields]
    readonly_fields = fields
    list_display = ["about", "kind", "recipient", "created_at", "sent_at", "attempts", "error"]
    list_filter = [ReminderSentFilter, "kind"]
    list_select_related = ["article", "assignment__article", "assignment__reviewer"]
    search_fields = ["recipient", "assignment__article__title", "article__title"]
    date_hierarchy = "created_at"

    @admin.display(description=_("reminder"))
    def about(self, reminder):
        return truncated(reminder, 60)

    @admin.display(description=_("last error"))
    def error(self, reminder):
        return truncated(reminder.last_error, 30)


class ReminderInline(ReadOnlyReminders, admin.TabularInline):
    """On the assignment's page: the reminders sent about it, to whoever can see the assignment."""

    model = Reminder
    extra = 0
    ordering = ["created_at", "pk"]

    def has_view_permission(self, request, obj=None):
        return True
