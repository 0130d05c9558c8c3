"""Editorial's admin site: the stock admin with the desk's own pages added."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class EditorialAdminSite(admin.AdminSite):
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
