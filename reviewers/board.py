"""The board's answers to what articles ask of it (``articles.board.Board``), named by the
setting ``EDITORIAL_BOARD``. Each answer is a named queryset of the board's own models."""

from django.db.models import Count, Prefetch

from articles.models import Claim
from articles.reader.selectors import ARTICLE_ID_PLACEHOLDER, PreparedQuery

from .choices import Decision
from .models import ClaimDecision, ReviewAssignment

_PERSON = ("first_name", "last_name", "username")
_PROFILE = ("reviewer_profile__credentials", "reviewer_profile__specialty")

_DECISIONS = PreparedQuery(
    lambda article_id: (
        Claim.objects.of_article(article_id)
        .filter(decisions__isnull=False)
        .order_by("id", "-decisions__created_at", "-decisions__id")
        .values_list(
            "id",
            "decisions__created_at",
            "decisions__decision",
            "decisions__assignment__reviewer_id",
            *(f"decisions__assignment__reviewer__{name}" for name in (*_PERSON, *_PROFILE)),
        )
    ),
    article_id=ARTICLE_ID_PLACEHOLDER,
)
"""Every board decision on an article's current claims, newest first per claim, with the
reviewer's name and credentials: compiled once, read on every cold render of a reader page."""


class Board:
    def _in_round(self, article):
        return ReviewAssignment.objects.of_article(article).in_current_round()

    def has_reviewer_in_round(self, article) -> bool:
        return self._in_round(article).active().exists()

    def takes_part_in_round(self, article, user) -> bool:
        return self._in_round(article).standing().for_reviewer(user).exists()

    def may_decide_claims(self, article, user) -> bool:
        return self._in_round(article).active().for_reviewer(user).exists()

    def decided_last_in_round(self, claim, user) -> bool:
        latest = ClaimDecision.objects.latest_on(claim)
        return (
            latest is not None
            and latest.assignment.reviewer_id == user.pk
            and latest.assignment.round == claim.section.article.round
        )

    def approving_recommendations(self, article) -> int:
        return self._in_round(article).counting_towards_approval().count()

    def with_review_quorum(self, articles, *, quorum: int):
        if quorum <= 0:
            return articles
        counting = (
            ReviewAssignment.objects.in_current_round()
            .counting_towards_approval()
            .order_by()
            .values("article")
            .annotate(recommendations=Count("pk"))
            .filter(recommendations__gte=quorum)
            .values("article")
        )
        return articles.filter(pk__in=counting)

    def recommendations_held_back(self, article) -> list[str]:
        held_back = (
            self._in_round(article)
            .approving()
            .held_back_by_conflict()
            .select_related("reviewer", "article")
        )
        return [assignment.conflict_refusal() for assignment in held_back]

    def reviewers_carry_into_round(self, *, article, actor) -> list:
        from .services import assignments_carry_forward

        return assignments_carry_forward(article=article, actor=actor)

    def credit_lookups(self, person: str) -> tuple[str, ...]:
        return tuple(f"{person}__{name}" for name in (*_PERSON, *_PROFILE))

    def decisions_on_claims(self, article_id: int) -> list[tuple]:
        return [
            (claim_id, decided_at, decision == Decision.APPROVE, reviewer_id, *person)
            for claim_id, decided_at, decision, reviewer_id, *person in _DECISIONS.rows(
                article_id=article_id
            )
        ]

    def decisions_on(self, claim):
        return ClaimDecision.objects.filter(claim=claim).with_reviewer()

    def decisions_prefetch(self):
        return Prefetch(
            "decisions", queryset=ClaimDecision.objects.with_reviewer(), to_attr="board_decisions"
        )

    def may_assign(self, user) -> bool:
        return user.has_perm("reviewers.add_reviewassignment")
