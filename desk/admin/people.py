"""The people and logins workplace: users (deactivated rather than deleted once they acted), the
roles (groups) and django-axes' records of admin logins."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from editorial.history import records_naming
from reviewers import services
from reviewers.models import ReviewAssignment

from .bases import AnswersBadIds, AsksWhyInsteadOfDeleting

User = get_user_model()

# django.contrib.auth registers User and Group in its own admin module, which the admin's
# autodiscover imports before ours (django.contrib.auth comes first in INSTALLED_APPS), and Django
# has no setting to leave them out: replacing them is the only way to give these pages Editorial's
# behaviour. They are the only models the back office unregisters (tests/test_layout.py).
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class EditorialGroupAdmin(AnswersBadIds, GroupAdmin):
    """The roles, as Django shows them, answering bad ids with a message."""


# django-axes' records of admin logins, answering bad ids like every other page. Axes registers
# none of its own (AXES_ENABLE_ADMIN = False in editorial/settings.py).


@admin.register(AccessAttempt)
class LoginAttemptAdmin(AnswersBadIds, AccessAttemptAdmin):
    @admin.action(description=_("Clean up expired attempts"))
    def cleanup_expired_attempts(self, request, queryset):
        """Axes reads the attempt time its login handler sets; an admin action has none."""
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


@admin.register(AccessFailureLog)
class LoginFailureAdmin(AnswersBadIds, AccessFailureLogAdmin):
    pass


@admin.register(AccessLog)
class LoginLogAdmin(AnswersBadIds, AccessLogAdmin):
    pass


@admin.register(User)
class EditorialUserAdmin(AsksWhyInsteadOfDeleting, AnswersBadIds, UserAdmin):
    """Users; people who acted are deactivated rather than deleted."""

    replacement_template = "admin/auth/user/deactivate.html"

    def replaces_deletion(self, request, user) -> bool:
        """Only people who never acted are deleted; the others are deactivated
        (docs/invariants.md#i3-audit)."""
        return bool(records_naming(user))

    def replacement_context(self, request, user) -> dict:
        return {
            "records": records_naming(user),
            "open_assignments": [
                str(assignment)
                for assignment in ReviewAssignment.objects.active()
                .filter(reviewer=user)
                .select_related("article", "reviewer")
            ],
            "title": _("Deactivate instead of deleting"),
        }

    def replace_deletion(self, request, user, reason: str) -> str:
        cancelled = services.user_deactivate(user=user, actor=request.user, reason=reason)
        self.log_change(request, user, f"Deactivated: {reason}")
        self.message_user(
            request,
            f"{user} was deactivated, not deleted: their name stays on "
            f"{', '.join(records_naming(user))}.{_cancelled_sentence(cancelled)}",
            messages.SUCCESS,
        )
        return reverse("admin:auth_user_change", args=[user.pk])

    def save_model(self, request, user, form, change):
        """Unticking “Active” deactivates as the Delete page does (profile, open assignments)."""
        super().save_model(request, user, form, change)
        if change and "is_active" in form.changed_data and not user.is_active:
            if user.pk == request.user.pk:
                return
            cancelled = services.user_deactivate(
                user=user, actor=request.user, reason="“Active” unticked on their user page"
            )
            if cancelled:
                self.message_user(request, _cancelled_sentence(cancelled).strip(), messages.INFO)


def _cancelled_sentence(cancelled) -> str:
    if not cancelled:
        return ""
    listed = "; ".join(str(assignment) for assignment in cancelled)
    return f" Their open review assignments were cancelled, for reassigning: {listed}."
