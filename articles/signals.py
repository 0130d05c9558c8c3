"""Signals sent after commit, so that receivers (caches, emails) see the committed state."""

from django.dispatch import Signal

#: Sent with ``article``, ``transition`` (method name) and ``actor``.
article_transitioned = Signal()

#: Sent with ``article_id`` inside the transaction that gave the article a new content version:
#: every change readers could see (its text at any reading level, its title, sections, status,
#: publication). Receivers reserve their work in that transaction and do it after commit: the
#: purge of the shared caches (``articles.tasks``).
reader_page_changed = Signal()
