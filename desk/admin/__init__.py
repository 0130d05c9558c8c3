"""The back office: every admin page of Editorial, registered once, by the workplace it serves."""

from . import board, editors, people  # noqa: F401  (registration on import)
