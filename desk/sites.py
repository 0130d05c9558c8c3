"""Editorial's admin site: the stock admin with the desk's own pages added."""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class EditorialAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Editorial")
    site_title = gettext_lazy("Editorial")
    index_title = gettext_lazy("Desk")

    def get_urls(self):
        from .views import desk_urls

        return [*desk_urls(self), *super().get_urls()]

    def get_app_list(self, request, app_label=None):
        """The stock list, with the desk's pages first for those who may see them."""
        apps = super().get_app_list(request, app_label)
        desk = self._desk_app(request)
        if desk and app_label in (None, "desk"):
            apps.insert(0, desk)
        return apps

    def _desk_app(self, request) -> dict | None:
        from .selectors import governance_counts
        from .views import GOVERNANCE_PERMISSION

        if not request.user.has_perm(GOVERNANCE_PERMISSION):
            return None
        counts = governance_counts()
        name = _("Governance dashboard")
        notes = []
        if counts.open_feedback:
            notes.append(_("%(n)d open feedback") % {"n": counts.open_feedback})
        if counts.past_review_date:
            notes.append(_("%(n)d past review date") % {"n": counts.past_review_date})
        if counts.due_for_review:
            notes.append(_("%(n)d due for review") % {"n": counts.due_for_review})
        if notes:
            name = f"{name} ({', '.join(notes)})"
        url = reverse("admin:desk_governance", current_app=self.name)
        return {
            "name": _("Desk"),
            "app_label": "desk",
            "app_url": url,
            "has_module_perms": True,
            "models": [
                {
                    "name": name,
                    "object_name": "GovernanceDashboard",
                    "admin_url": url,
                    "add_url": None,
                    "view_only": True,
                    "perms": {"view": True, "add": False, "change": False, "delete": False},
                }
            ],
        }
