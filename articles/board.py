"""What articles ask of the board that reviews them, and who answers.

The Medical Advisory Board's work (assignments, recommendations, claim decisions) lives in
``reviewers``, above ``articles``. Some rules of articles need facts of it: starting a review
needs a reviewer in the round, approving needs a quorum of approving recommendations, only a
reviewer of the round may decide on claims, a new round carries the board's reviewers into it,
the reader page credits the reviewers whose decisions made the approval. Articles never walk the
board's tables by relation name for them; they ask the questions declared below.

The answering class is named by the setting ``EDITORIAL_BOARD`` (``"reviewers.board.Board"``)
and loaded with ``import_string``, as ``AUTH_USER_MODEL`` names the user model: articles import
nothing of reviewers, and the one place that knows both is the setting.
"""

from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class Board(Protocol):
    def has_reviewer_in_round(self, article) -> bool:
        """An active (assigned or accepted) assignment in the article's current round."""

    def takes_part_in_round(self, article, user) -> bool:
        """``user`` holds a standing (active or completed) assignment in the current round."""

    def may_decide_claims(self, article, user) -> bool:
        """``user`` holds an active assignment in the article's current round."""

    def decided_last_in_round(self, claim, user) -> bool:
        """The latest board decision on ``claim`` is ``user``'s, in its article's current round:
        they may change it or undo it (while their assignment is open)."""

    def approving_recommendations(self, article) -> int:
        """Approving recommendations of the current round that count towards the quorum."""

    def with_review_quorum(self, articles, *, quorum: int):
        """Those of ``articles`` (a queryset) whose current round has at least ``quorum``
        approving recommendations that count: ``approving_recommendations`` for many articles
        at once, in the same statement."""

    def recommendations_held_back(self, article) -> list[str]:
        """Why each approving recommendation of the round held back by a conflict does not
        count: one sentence each."""

    def reviewers_carry_into_round(self, *, article, actor) -> list:
        """The reviewers of the previous round get an assignment in the article's new round."""

    def credit_lookups(self, person: str) -> tuple[str, ...]:
        """Lookups, from the relation ``person`` of the queried model to a user, of what a
        credit shows: first name, last name, username, credentials, specialty."""

    def decisions_on_claims(self, article_id: int) -> list[tuple]:
        """Every board decision on the article's current claims, newest first per claim:
        (claim id, decided at: datetime, approves: bool, reviewer id, then the reviewer's
        values of ``credit_lookups``)."""

    def decisions_on(self, claim):
        """The board decisions on ``claim``, newest first, with their reviewers."""

    def decisions_prefetch(self):
        """A prefetch of each claim's board decisions, newest first, with their reviewers, into
        ``claim.board_decisions``."""

    def may_assign(self, user) -> bool:
        """``user`` may assign board reviewers."""


def board() -> Board:
    """The board named by ``EDITORIAL_BOARD``."""
    return _board(settings.EDITORIAL_BOARD)


@cache
def _board(path: str) -> Board:
    return import_string(path)()
