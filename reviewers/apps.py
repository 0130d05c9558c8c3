from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviewers"
    verbose_name = _("Medical Advisory Board")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_save, pre_delete

        from editorial.history import refuse_to_erase_attribution

        from .services import reviewer_named_changed
        from .signals import assignment_completed, assignment_created
        from .tasks import all_reviews_in_announce, assignment_announce

        assignment_created.connect(assignment_announce, dispatch_uid="reviewers.reminders")
        assignment_completed.connect(
            all_reviews_in_announce, dispatch_uid="reviewers.all_reviews_in"
        )
        post_save.connect(
            reviewer_named_changed,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="reviewers.reviewer_named_changed",
        )
        pre_delete.connect(
            refuse_to_erase_attribution,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="editorial.history.refuse_to_erase_attribution",
        )
