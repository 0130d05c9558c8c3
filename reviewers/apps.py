from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviewers"
    verbose_name = _("Medical Advisory Board")

    def ready(self):
        from .reminders import assignment_announce
        from .signals import assignment_created

        assignment_created.connect(assignment_announce, dispatch_uid="reviewers.reminders")
