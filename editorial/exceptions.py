"""The single domain error of Editorial, raised by services with a sentence an editor can read."""

from django.core.exceptions import PermissionDenied


class EditorialError(Exception):
    """A workflow rule refused the action; the message names the object and the rule."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class EditorialPermissionDenied(EditorialError, PermissionDenied):
    """The acting user may not perform the action; views answer 403."""
