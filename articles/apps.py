from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from .reader.versions import new_version_announce
        from .signals import reader_page_changed
        from .tasks import reader_page_purge

        reader_page_changed.connect(
            new_version_announce, dispatch_uid="articles.reader.new_version_announce"
        )
        reader_page_changed.connect(reader_page_purge, dispatch_uid="articles.reader_page_purge")
