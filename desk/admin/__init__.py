"""The back office: every admin page of Editorial, registered once, by the workplace it serves.

Django's autodiscover imports this package; its modules register their pages on import:
``editors`` (articles and their content, with ``editors_import`` and ``editors_governance``),
``board`` (the Medical Advisory Board's work) and ``people`` (users, groups, logins). No page
replaces another; the only unregistering is of auth's User and Group (see ``people``).
"""

from . import board, editors, people  # noqa: F401  (registration on import)
