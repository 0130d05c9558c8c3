from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo (``manage.py seed_demo``): the whole product with people in every role.

    It sits above the other apps (demo → reviewers → articles → editorial), so it may use them
    all while none of them knows it.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = _("Demo")
