"""Editorial's admin site: the stock admin with the desk's own pages added."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class LoginForm(AdminAuthenticationForm):
    """The stock login form, refusing a username longer than any user's with the field's error.

    Django sets the username field's ``max_length`` after building it, so the stock form does
    not check it: a longer username went on to django-axes, whose failed-attempt row holds 255
    characters, and PostgreSQL's DataError made the login a 500.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class EditorialAdminSite(admin.AdminSite):
    login_form = LoginForm
    site_header = _("Editorial")
    site_title = _("Editorial")
    index_title = _("Desk")
    index_template = "desk/index.html"

    def index(self, request, extra_context=None):
        """The admin index with the to-do panel of the user's roles above the apps."""
        from .selectors import desk_todo

        context = {"desk_todo": desk_todo(request.user), **(extra_context or {})}
        return super().index(request, context)

    def get_urls(self):
        from .views import desk_urls

        return [*desk_urls(self), *super().get_urls()]

    def get_app_list(self, request, app_label=None):
        """The stock list, with the desk's own pages first for those who may see them."""
        apps = super().get_app_list(request, app_label)
        desk = self._desk_app(request)
        if desk and app_label in (None, "desk"):
            apps.insert(0, desk)
        return apps

    def _desk_app(self, request) -> dict | None:
        from .governance import GOVERNANCE_PERMISSION

        if not request.user.has_perm(GOVERNANCE_PERMISSION):
            return None
        url = reverse("admin:desk_governance", current_app=self.name)
        return {
            "name": _("Desk"),
            "app_label": "desk",
            "app_url": url,
            "has_module_perms": True,
            "models": [
                {
                    "name": _("Governance dashboard"),
                    "object_name": "GovernanceDashboard",
                    "admin_url": url,
                    "add_url": None,
                    "view_only": True,
                    "perms": {"view": True, "add": False, "change": False, "delete": False},
                }
            ],
        }
