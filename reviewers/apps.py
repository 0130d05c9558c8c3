from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviewers"
    verbose_name = _("Medical Advisory Board")
