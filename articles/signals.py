"""Signals sent after commit, so that receivers (caches, emails) see the committed state."""

from django.dispatch import Signal

#: Sent with ``article``, ``transition`` (method name) and ``actor``.
article_transitioned = Signal()
