"""Reads of the board that pages need."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone

from articles.choices import ClaimStatus
from articles.models import Article
from articles.outline import Outline, OutlineClaim, OutlineSection, article_outline
from articles.wording_diff import changed_levels

from .choices import Decision
from .models import ClaimAwaitingReview, ClaimDecision, DeclarationOfInterest, ReviewAssignment
from .roles import BOARD


def board_members():
    """Who is on the Medical Advisory Board: active users in the board group or with an active
    reviewer profile. The one rule: the assignment service asks it, the admin's reviewer picker
    lists it, the public board page shows it."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(reviewer_profile__active=True) | Q(groups__name=BOARD))
        .distinct()
        .select_related("reviewer_profile")
        .order_by("last_name", "first_name", "username")
    )


def board_with_declarations(*, today=None):
    """The public board page (docs/reader.md, docs/governance.md): active members, each with the
    declarations of interest in force ``today`` as ``member.reviewer_profile.current_declarations``.
    A conflict with an article names it only while the article is published."""
    current = (
        DeclarationOfInterest.objects.current(today=today or timezone.localdate())
        .select_related("article")
        .order_by("-valid_from", "-pk")
    )
    return board_members().prefetch_related(
        Prefetch("reviewer_profile__declarations", queryset=current, to_attr="current_declarations")
    )


def claims_awaiting_review(user):
    """Claims of the articles under review where ``user`` holds an active assignment this round
    (as ``ClaimAwaitingReview`` rows, the reviewer's admin list)."""
    reviewing = ReviewAssignment.objects.active().for_reviewer(user).in_current_round()
    return ClaimAwaitingReview.objects.of_articles_under_review(
        Article.objects.filter(pk__in=reviewing.values("article_id"))
    )


def decision_to_compare(decisions, *, reviewer_id: int, round_number: int):
    """What “changed since your last decision” measures a claim against, for the reviewer
    ``reviewer_id`` in round ``round_number``: their own latest decision on it (any round),
    else the latest decision of an earlier round; None if there is neither (a new claim).

    ``decisions`` are the claim's, newest first, each with its assignment
    (``ClaimDecision.objects.with_reviewer()``). The one rule of the review screen and of the
    list of claims awaiting review.
    """
    decisions = list(decisions)
    mine = next((d for d in decisions if d.assignment.reviewer_id == reviewer_id), None)
    earlier = (d for d in decisions if d.assignment.round < round_number)
    return mine or next(earlier, None)


@dataclass(frozen=True)
class ClaimChange:
    """How a claim reads now against the decision ``since``: ``wordings`` is ``(level, word
    diff)`` for each reading level whose wording differs (a removed level too),
    ``removed_levels`` the levels it no longer has, ``citations_changed`` whether its cited
    references (or their order) differ."""

    since: ClaimDecision | None
    wordings: list = field(default_factory=list)
    removed_levels: list[str] = field(default_factory=list)
    citations_changed: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.wordings) or self.citations_changed

    def diff_of(self, level: str):
        """The word diff of ``level``'s wording, or None when it did not change."""
        return dict(self.wordings).get(level)


def claim_change(claim, since: ClaimDecision | None) -> ClaimChange:
    """What changed in ``claim`` since the decision ``since`` (nothing, without one)."""
    if since is None or since.covers_current_wording(claim):
        return ClaimChange(since=since)
    before, now = since.snapshot, claim.snapshot()
    wordings_before = before.get("wordings", {})
    return ClaimChange(
        since=since,
        wordings=changed_levels(wordings_before, now["wordings"]),
        removed_levels=[level for level in wordings_before if level not in now["wordings"]],
        citations_changed=before.get("citations", []) != now["citations"],
    )


@dataclass
class ClaimInReview:
    """One claim of an article as a board reviewer meets it in a round of review.

    ``mine`` is the reviewer's latest decision on it (any round); ``since`` what a change is
    measured against: ``mine``, or else the latest decision of an earlier round. A claim is
    carried over in round 2 and later when it was approved in an earlier round and has not
    changed since: it needs no decision this round.
    """

    entry: OutlineClaim
    mine: ClaimDecision | None
    change: ClaimChange
    latest: ClaimDecision | None
    carried_over: bool
    is_new: bool

    @property
    def claim(self):
        return self.entry.claim

    @property
    def number(self) -> int:
        return self.entry.number

    @property
    def since(self) -> ClaimDecision | None:
        return self.change.since

    @property
    def changed(self) -> bool:
        """Changed (wording or citations) since ``since``: the reviewer reads the difference."""
        return self.change.changed

    @property
    def is_undecided(self) -> bool:
        """Nobody has decided on it in its current wording (any decision leaves pending)."""
        return not self.carried_over and self.claim.review_status == ClaimStatus.PENDING

    @property
    def is_sent_back(self) -> bool:
        return self.claim.review_status == ClaimStatus.CHANGES_REQUESTED

    @property
    def sent_back_by_me(self) -> bool:
        """Sent back by this reviewer: a sent-back claim was sent back by its latest decision."""
        return (
            self.is_sent_back
            and self.latest is not None
            and self.mine is not None
            and self.latest.pk == self.mine.pk
        )

    @property
    def mine_is_current(self) -> bool:
        return self.mine is not None and self.mine.covers_current_wording(self.claim)


@dataclass
class SectionInReview:
    section: OutlineSection
    claims: list[ClaimInReview] = field(default_factory=list)


@dataclass
class Review:
    """An article as one assignment's reviewer reviews it: reading order, claim by claim."""

    assignment: ReviewAssignment
    outline: Outline
    sections: list[SectionInReview]

    def claims(self) -> list[ClaimInReview]:
        return [claim for section in self.sections for claim in section.claims]

    def to_decide(self) -> list[ClaimInReview]:
        """The claims this round asks about: all in round 1, the changed ones after."""
        return [claim for claim in self.claims() if not claim.carried_over]

    def undecided(self) -> list[ClaimInReview]:
        return [claim for claim in self.claims() if claim.is_undecided]

    def sent_back_by_me(self) -> list[ClaimInReview]:
        return [claim for claim in self.claims() if claim.sent_back_by_me]

    def decided_count(self) -> int:
        return len(self.to_decide()) - len(self.undecided())


def review_for_assignment(assignment: ReviewAssignment) -> Review:
    """The article of ``assignment`` in reading order, each claim with its reviewer's view of it:
    their last decision, what it changed from, whether it needs a decision in this round."""
    outline = article_outline(
        assignment.article,
        claim_prefetches=[Prefetch("decisions", queryset=ClaimDecision.objects.with_reviewer())],
    )
    sections = []
    for outline_section in outline.sections:
        row = SectionInReview(section=outline_section)
        for entry in outline_section.claims:
            row.claims.append(_claim_in_review(entry, assignment))
        sections.append(row)
    return Review(assignment=assignment, outline=outline, sections=sections)


def _claim_in_review(entry: OutlineClaim, assignment: ReviewAssignment) -> ClaimInReview:
    claim = entry.claim
    ordered = list(claim.decisions.all())  # newest first
    mine = next((d for d in ordered if d.assignment.reviewer_id == assignment.reviewer_id), None)
    earlier = [d for d in ordered if d.assignment.round < assignment.round]
    since = decision_to_compare(
        ordered, reviewer_id=assignment.reviewer_id, round_number=assignment.round
    )
    carried_over = (
        assignment.round > 1
        and claim.review_status == ClaimStatus.APPROVED
        and any(d.decision == Decision.APPROVE and d.covers_current_wording(claim) for d in earlier)
        and not any(d.assignment.round >= assignment.round for d in ordered)
    )
    return ClaimInReview(
        entry=entry,
        mine=mine,
        change=claim_change(claim, since),
        latest=ordered[0] if ordered else None,
        carried_over=carried_over,
        is_new=assignment.round > 1 and not earlier,
    )
