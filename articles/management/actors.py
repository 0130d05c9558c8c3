"""Who a management command acts as, so its changes are recorded under a person
(docs/invariants.md#i3-audit)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str | None):
    """The user named by ``--as``, or the first superuser when none is named."""
    users = get_user_model().objects
    if username:
        try:
            return users.get(username=username, is_active=True)
        except users.model.DoesNotExist as exc:
            raise CommandError(f"No active user is called “{username}”.") from exc
    superuser = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if superuser is None:
        raise CommandError(
            "No superuser exists to record this under: pass --as USERNAME (an editor)."
        )
    return superuser
