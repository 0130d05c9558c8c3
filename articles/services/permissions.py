"""The permission check every service starts with (the transitions carry their own)."""

from editorial.exceptions import EditorialPermissionDenied


def require_perm(actor, codename: str, action: str) -> None:
    """Refuse ``actor`` without ``codename``; ``None`` is a system process acting on its own."""
    if actor is not None and not actor.has_perm(codename):
        raise EditorialPermissionDenied(f"You need the “{codename}” permission to {action}.")
