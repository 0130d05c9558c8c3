from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class EditorialAdminConfig(AdminConfig):
    """Django's admin, with Editorial's site (header, the editor's desk) as the default site."""

    default_site = "desk.sites.EditorialAdminSite"


class DeskConfig(AppConfig):
    """The editor's and reviewer's desk in the admin: what awaits each role, and the governance
    dashboard. It sits above the other apps (desk → reviewers → articles → editorial)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "desk"
    verbose_name = _("Desk")
