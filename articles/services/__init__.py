"""Writes to articles. Views, admin actions, commands and tasks call these; each takes the acting
user, runs in one transaction under the lock order of ``locks`` and records who and why.

- ``workflow``: the review and publication transitions;
- ``content``: edits to wordings, citations, claims, sections and references (material, I2);
- ``importing``: applying a Markdown file, new or as an update;
- ``locks``: the one lock order every write that can change what “Approved” means follows.
"""

from .content import (
    article_retitle,
    article_touch_version,
    claim_add,
    claim_move,
    claim_remove,
    claim_set_citations,
    reference_add,
    reference_update,
    section_add,
    section_remove,
    section_rename,
    wording_set,
)
from .importing import ArticleImport, article_import
from .locks import hold_references, lock_article, lock_articles, lock_claim, lock_claims
from .workflow import (
    article_approve,
    article_create,
    article_publish,
    article_request_changes,
    article_resubmit,
    article_start_review,
    article_withdraw,
)

__all__ = [
    "ArticleImport",
    "article_approve",
    "article_create",
    "article_import",
    "article_publish",
    "article_request_changes",
    "article_resubmit",
    "article_retitle",
    "article_start_review",
    "article_touch_version",
    "article_withdraw",
    "claim_add",
    "claim_move",
    "claim_remove",
    "claim_set_citations",
    "hold_references",
    "lock_article",
    "lock_articles",
    "lock_claim",
    "lock_claims",
    "reference_add",
    "reference_update",
    "section_add",
    "section_remove",
    "section_rename",
    "wording_set",
]
