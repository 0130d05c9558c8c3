"""Signals sent after commit, so that receivers (caches, emails) see the committed state."""

from django.dispatch import Signal

#: Sent with ``article``, ``transition`` (method name) and ``actor``.
article_transitioned = Signal()

#: Sent with ``article`` (locked, in its new round) and ``actor`` inside the transaction that
#: opened the round (resubmission, or reopening after a material change), so that receivers
#: (the board's assignments) act in the same transaction.
review_round_opened = Signal()
