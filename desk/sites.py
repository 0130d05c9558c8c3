"""Editorial's admin site: the stock admin with the desk's own pages added."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class EditorialAdminSite(admin.AdminSite):
    site_header = _("Editorial")
    site_title = _("Editorial")
    index_title = _("Desk")

    def get_urls(self):
        from .views import desk_urls

        return [*desk_urls(self), *super().get_urls()]
