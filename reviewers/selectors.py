"""Reads of the board that pages need."""

from django.contrib.auth import get_user_model


def board_members():
    """Active board reviewers, for the public board page and reviewer autocomplete."""
    return (
        get_user_model()
        .objects.filter(is_active=True, reviewer_profile__active=True)
        .select_related("reviewer_profile")
        .order_by("last_name", "first_name", "username")
    )
