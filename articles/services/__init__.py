"""Writes to articles. Views, admin actions, commands and tasks call these; each takes the acting
user, runs in one transaction under the lock order of ``locks`` and records who and why.

- ``workflow``: the review and publication transitions;
- ``content``: edits to wordings, citations, claims, sections and references (material, I2);
- ``importing``: applying a Markdown file, new or as an update;
- ``locks``: the one lock order every write that can change what “Approved” means follows;
- ``feedback``: readers' reports on claims and the editors' queue.
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
from .feedback import changes_answering, feedback_accept, feedback_dismiss, feedback_submit
from .importing import ArticleImport, article_import
from .locks import hold_references, lock_article, lock_articles, lock_claim, lock_claims
from .workflow import (
    article_approve,
    article_create,
    article_note_review_date_passed,
    article_publish,
    article_request_changes,
    article_resubmit,
    article_set_next_review,
    article_start_periodic_review,
    article_start_review,
    article_suspend_approval,
    article_withdraw,
)

__all__ = [
    "ArticleImport",
    "article_approve",
    "article_create",
    "article_import",
    "article_note_review_date_passed",
    "article_publish",
    "article_request_changes",
    "article_resubmit",
    "article_retitle",
    "article_set_next_review",
    "article_start_periodic_review",
    "article_start_review",
    "article_suspend_approval",
    "article_touch_version",
    "article_withdraw",
    "changes_answering",
    "claim_add",
    "claim_move",
    "claim_remove",
    "claim_set_citations",
    "feedback_accept",
    "feedback_dismiss",
    "feedback_submit",
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
