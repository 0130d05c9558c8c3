"""The desk's side of the assignment admin: “My assignments” and the emails' links open the review
screen. The desk sits above reviewers, so it extends their admin rather than the other way."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from reviewers.models import ReviewAssignment

from .bases import is_history_request
from .board import ReviewAssignmentAdmin

admin.site.unregister(ReviewAssignment)


@admin.register(ReviewAssignment)
class DeskReviewAssignmentAdmin(ReviewAssignmentAdmin):
    """A reviewer's own assignment opens as the review screen, from the list and from emails."""

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
