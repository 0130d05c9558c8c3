"""The Medical Advisory Board's work: who reviews what, by when, what they decided, what we sent."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from articles.choices import ClaimStatus
from articles.models import Claim
from editorial.history import tracked_history
from editorial.people import display_name
from editorial.workflow import condition, permission

from .choices import (
    ACTIVE_ASSIGNMENT_STATUSES,
    STANDING_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    ConflictStatus,
    Decision,
    InterestKind,
    Recommendation,
    ReminderKind,
)


class ReviewerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reviewer_profile",
    )
    credentials = models.CharField(
        _("credentials"), max_length=200, blank=True, help_text=_("For example “MD, FACC”.")
    )
    specialty = models.CharField(_("specialty"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    history = tracked_history()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")

    def __str__(self):
        name = display_name(self.user)
        return f"{name}, {self.credentials}" if self.credentials else name


class DeclarationOfInterestQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """In force on ``day`` (a date, or an expression giving one): started, not ended."""
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def current(self, *, today=None):
        """In force on ``today``."""
        return self.in_force_on(today or timezone.localdate())

    def naming(self, article):
        """Declared as a conflict with this one article."""
        return self.filter(article=article)


class DeclarationOfInterest(models.Model):
    """A board member's dated declaration of an interest: public on /board/ while in force.

    Never deleted: an interest that ends gets its end date, so what a reviewer had declared
    when they reviewed stays on record (docs/invariants.md#i3-audit, docs/governance.md).
    """

    profile = models.ForeignKey(
        ReviewerProfile,
        verbose_name=_("board member"),
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InterestKind.choices)
    text = models.TextField(
        _("declaration"), help_text=_("What the interest is, as readers of /board/ will see it.")
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("conflict with article"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declared_interests",
        help_text=_("Set when the interest is a conflict with one article."),
    )
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("to"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    history = tracked_history()
    objects = DeclarationOfInterestQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("declaration of interest")
        verbose_name_plural = _("declarations of interest")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="declarationofinterest_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(text=""), name="declarationofinterest_text_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=InterestKind.values),
                name="declarationofinterest_known_kind",
            ),
        ]

    def __str__(self):
        return f"{self.profile}: {self.get_kind_display()} — {self.text[:60]}"

    def is_current(self, *, today=None) -> bool:
        today = today or timezone.localdate()
        return self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)


class ReviewAssignmentQuerySet(models.QuerySet):
    """The one home of assignment facts; articles ask them through the board
    (``reviewers.board.Board``), never by relation name."""

    def active(self):
        """Assigned or accepted: the reviewer may decide on claims and is reminded."""
        return self.filter(status__in=ACTIVE_ASSIGNMENT_STATUSES)

    def standing(self):
        """Not declined or cancelled (active or completed)."""
        return self.filter(status__in=STANDING_ASSIGNMENT_STATUSES)

    def in_round(self, round_number: int):
        return self.filter(round=round_number)

    def in_current_round(self):
        """In the round their article is in now: earlier rounds are over. Also inside a
        subquery over articles (``.filter(article=OuterRef("pk")).in_current_round()``)."""
        return self.filter(round=F("article__round"))

    def of_article(self, article):
        return self.filter(article=article)

    def approving(self):
        """Completed with a recommendation to approve: what the quorum counts."""
        return self.filter(status=AssignmentStatus.COMPLETED, recommendation=Recommendation.APPROVE)

    def for_reviewer(self, user):
        return self.filter(reviewer=user)

    def held_back_by_conflict(self, *, now=None):
        """Whose recommendation falls inside the period of a conflict of interest the reviewer
        declared with the article, whenever they declared it, and no approver's override covers
        it (docs/invariants.md#i8-conflicts-hold-over-time). A recommendation's time is its
        completion; one still to come is judged ``now``. Asked when approving, never snapshotted, so
        a conflict declared later, or one whose start date has come since, holds as well."""
        return self.annotate(
            recommended_on=TruncDate(
                Coalesce("completed_at", Value(now or timezone.now(), DateTimeField()))
            ),
            override_covers_until=Coalesce(
                "conflict_overridden_at", Value(NEVER_OVERRIDDEN, DateTimeField())
            ),
        ).filter(
            Exists(
                conflicts_uncovered(
                    article=OuterRef("article_id"),
                    reviewer=OuterRef("reviewer_id"),
                    day=OuterRef("recommended_on"),
                    overridden_at=OuterRef("override_covers_until"),
                )
            )
        )

    def counting_towards_approval(self):
        """Approving recommendations no conflict of interest holds back: what the quorum
        counts (docs/invariants.md#i8-conflicts-hold-over-time)."""
        return self.approving().exclude(pk__in=self.held_back_by_conflict().values("pk"))

    def overdue(self, *, now=None):
        return self.active().filter(due_at__lt=now or timezone.now())


NEVER_OVERRIDDEN = datetime(1970, 1, 1, tzinfo=UTC)
"""Stands for “no override” where an override's time is compared: before every declaration."""


def conflicts_uncovered(*, article, reviewer, day, overridden_at):
    """The conflicts of interest ``reviewer`` declared with ``article`` that are in force on
    ``day`` and were declared after ``overridden_at`` (an override covers what it was shown).
    Values or ``OuterRef`` expressions: the one statement of the rule, for one row or a queryset."""
    return (
        DeclarationOfInterest.objects.in_force_on(day)
        .filter(article_id=article, profile__user_id=reviewer)
        .filter(declared_at__gt=overridden_at)
    )


def _is_the_reviewer(assignment, user) -> bool:
    return assignment.reviewer_id == user.pk


@permission(
    lambda assignment, user: f"Only {assignment.reviewer} can answer or complete this assignment."
)
def may_act_as_reviewer(assignment, user) -> bool:
    return _is_the_reviewer(assignment, user)


@permission(
    lambda assignment, user: "You need the “change review assignment” permission to cancel it."
)
def may_cancel(assignment, user) -> bool:
    return user.has_perm("reviewers.change_reviewassignment")


def _override_refusal(assignment, user) -> str:
    if user.pk == assignment.reviewer_id:
        return "You declared this conflict; another approver must decide whether to override it."
    if user.pk == assignment.article.created_by_id:
        return f"You created “{assignment.article}”; another approver must decide on the conflict."
    return "Only a board member with the “approve article” permission can override a conflict."


@permission(_override_refusal)
def may_override_conflict(assignment, user) -> bool:
    return (
        user.has_perm("articles.approve_article")
        and user.pk != assignment.reviewer_id
        and user.pk != assignment.article.created_by_id
    )


class ReviewAssignment(ConcurrentTransitionMixin, models.Model):
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="review_assignments",
    )
    round = models.PositiveIntegerField(_("review round"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    status = FSMField(
        _("status"),
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
        protected=True,
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    conflict_status = FSMField(
        _("conflict of interest"),
        choices=ConflictStatus.choices,
        default=ConflictStatus.UNDECLARED,
        protected=True,
        help_text=_(
            "Declared when accepting: no conflict with this article, or a named one. A conflict "
            "declared for the time of the recommendation, whenever declared, keeps an approving "
            "recommendation from counting until an approver overrides it."
        ),
    )
    declared_conflict = models.ForeignKey(
        DeclarationOfInterest,
        verbose_name=_("declared conflict"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    conflict_override_reason = models.TextField(_("reason for the override"), blank=True)
    conflict_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conflict overridden by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    conflict_overridden_at = models.DateTimeField(
        _("conflict overridden at"), null=True, blank=True
    )

    history = tracked_history()
    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer", "round"],
                condition=Q(status__in=STANDING_ASSIGNMENT_STATUSES),
                name="reviewassignment_one_per_reviewer_and_round",
            ),
            models.CheckConstraint(
                condition=~Q(conflict_status=ConflictStatus.OVERRIDDEN)
                | (~Q(conflict_override_reason="") & Q(conflict_overridden_by__isnull=False)),
                name="reviewassignment_override_has_approver_and_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="reviewassignment_status_due"),
        ]

    def __str__(self):
        return f"{self.reviewer} on “{self.article}” (round {self.round})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ASSIGNMENT_STATUSES

    @property
    def reviewer_name(self) -> str:
        return display_name(self.reviewer)

    @staticmethod
    def default_due_at(*, now=None) -> datetime:
        """When a new assignment falls due unless the editor says otherwise:
        ``EDITORIAL_REVIEW_DAYS`` from now."""
        return (now or timezone.now()) + timedelta(days=settings.EDITORIAL_REVIEW_DAYS)

    def is_overdue(self, *, now=None) -> bool:
        return self.is_active and self.due_at < (now or timezone.now())

    @condition("Choose a recommendation (approve or request changes) to complete {obj}.")
    def has_recommendation(self) -> bool:
        return self.recommendation in Recommendation.values

    @condition(
        "Declare “no conflict with this article” or name your conflict of interest with "
        "“{obj.article}” before accepting the review."
    )
    def has_declared_interests(self) -> bool:
        return self.conflict_status != ConflictStatus.UNDECLARED

    @condition(
        "{obj.reviewer_name} has not declared whether they have a conflict of interest with "
        "“{obj.article}”: declare it before recommending approval."
    )
    def approval_follows_a_declaration(self) -> bool:
        """Only an approving recommendation needs a declaration; asking for changes never
        does. Whether a conflict holds it back is asked when approving
        (``held_back_by_conflict``)."""
        return (
            self.recommendation != Recommendation.APPROVE
            or self.conflict_status != ConflictStatus.UNDECLARED
        )

    def conflicts_holding_back(self, *, now=None):
        """The declared conflicts that hold this review back now: the one row's answer to
        ``ReviewAssignmentQuerySet.held_back_by_conflict``, with the same rule."""
        return conflicts_uncovered(
            article=self.article_id,
            reviewer=self.reviewer_id,
            day=timezone.localdate(self.completed_at or now or timezone.now()),
            overridden_at=self.conflict_overridden_at or NEVER_OVERRIDDEN,
        ).order_by("valid_from", "pk")

    @condition(
        "Nothing to override: no conflict of interest {obj.reviewer_name} declared with "
        "“{obj.article}” holds back this review, or an approver has overridden it already."
    )
    def has_conflict_to_override(self) -> bool:
        return self.conflicts_holding_back().exists()

    def conflict_refusal(self) -> str:
        """Why this approving recommendation does not count, naming the reviewer and the
        conflict (shown when an approval is refused)."""
        conflicts = "; ".join(
            f"“{declaration.text}” (from {declaration.valid_from:%d %b %Y}"
            + (f" to {declaration.valid_to:%d %b %Y}" if declaration.valid_to else "")
            + ")"
            for declaration in self.conflicts_holding_back()
        )
        return (
            f"{self.reviewer_name}'s approving recommendation falls within their declared "
            f"conflict of interest {conflicts} and counts only once an approver overrides it "
            "with a reason"
        )

    @condition(
        "{obj.reviewer_name} cannot recommend approving “{obj.article}” yet: {detail}.",
        detail=lambda assignment: assignment.claims_holding_back_approval_summary(),
    )
    def approval_is_backed_by_claim_decisions(self) -> bool:
        """An approving recommendation needs every claim decided and none sent back by me."""
        if self.recommendation != Recommendation.APPROVE:
            return True
        undecided, sent_back = self.claims_holding_back_approval()
        return not undecided.exists() and not sent_back.exists()

    def claims_holding_back_approval(self):
        """(claims awaiting a decision, claims this reviewer sent back and still unchanged).

        A decision moves a claim out of pending and any change brings it back, so a pending
        claim is one nobody has decided in its current wording. A claim that is sent back was
        sent back by its latest decision: no decision can follow until it is changed.
        """
        claims = Claim.objects.of_article(self.article_id)
        latest = ClaimDecision.objects.filter(claim=OuterRef("pk")).order_by("-created_at", "-pk")
        sent_back = (
            claims.filter(review_status=ClaimStatus.CHANGES_REQUESTED)
            .annotate(sent_back_by=Subquery(latest.values("assignment__reviewer")[:1]))
            .filter(sent_back_by=self.reviewer_id)
        )
        return claims.awaiting_decision(), sent_back

    def claims_holding_back_approval_summary(self) -> str:
        undecided, sent_back = (rows.count() for rows in self.claims_holding_back_approval())
        parts = []
        if undecided:
            parts.append(
                f"{undecided} claim{'s' if undecided != 1 else ''} "
                f"{'are' if undecided != 1 else 'is'} still undecided"
            )
        if sent_back:
            parts.append(
                f"{sent_back} claim{'s' if sent_back != 1 else ''} "
                f"{'were' if sent_back != 1 else 'was'} sent back for changes by "
                f"{self.reviewer_name} and not changed since"
            )
        return " and ".join(parts)

    @transition(
        field=status,
        source=AssignmentStatus.ASSIGNED,
        target=AssignmentStatus.ACCEPTED,
        conditions=[has_declared_interests],
        permission=may_act_as_reviewer,
        custom={"label": _("Accept")},
    )
    def accept(self):
        pass

    @transition(
        field=status,
        source=list(ACTIVE_ASSIGNMENT_STATUSES),
        target=AssignmentStatus.DECLINED,
        permission=may_act_as_reviewer,
        custom={"label": _("Decline")},
    )
    def decline(self):
        pass

    @transition(
        field=status,
        source=list(ACTIVE_ASSIGNMENT_STATUSES),
        target=AssignmentStatus.COMPLETED,
        conditions=[
            has_recommendation,
            approval_is_backed_by_claim_decisions,
            approval_follows_a_declaration,
        ],
        permission=may_act_as_reviewer,
        custom={"label": _("Complete")},
    )
    def complete(self, *, completed_at=None):
        self.completed_at = completed_at or timezone.now()

    @transition(
        field=status,
        source=list(ACTIVE_ASSIGNMENT_STATUSES),
        target=AssignmentStatus.CANCELLED,
        permission=may_cancel,
        custom={"label": _("Cancel")},
    )
    def cancel(self):
        pass

    # Conflicts of interest (docs/governance.md).

    @transition(
        field=conflict_status,
        source=ConflictStatus.UNDECLARED,
        target=ConflictStatus.NONE,
        permission=may_act_as_reviewer,
        custom={"label": _("Declare no conflict")},
    )
    def declare_no_conflict(self):
        pass

    @transition(
        field=conflict_status,
        source=[ConflictStatus.UNDECLARED, ConflictStatus.NONE],
        target=ConflictStatus.DECLARED,
        permission=may_act_as_reviewer,
        custom={"label": _("Declare a conflict")},
    )
    def declare_conflict(self, *, declaration=None):
        self.declared_conflict = declaration

    @transition(
        field=conflict_status,
        source=list(ConflictStatus.values),
        target=ConflictStatus.OVERRIDDEN,
        conditions=[has_conflict_to_override],
        permission=may_override_conflict,
        custom={"label": _("Override the conflict")},
    )
    def override_conflict(self, *, overridden_by=None, reason="", overridden_at=None):
        """Covers the conflicts declared until now; one declared later needs its own."""
        self.conflict_overridden_by = overridden_by
        self.conflict_override_reason = reason
        self.conflict_overridden_at = overridden_at or timezone.now()


class ClaimDecisionQuerySet(models.QuerySet):
    def with_reviewer(self):
        """Newest first, each with its assignment and reviewer."""
        return self.select_related("assignment__reviewer").order_by("-created_at", "-pk")

    def latest_on(self, claim):
        """The newest decision on ``claim`` (any reviewer, any round), or None."""
        return self.filter(claim=claim).with_reviewer().first()


class ClaimDecision(models.Model):
    """Append-only: what one reviewer decided on one claim, as it was worded then."""

    claim = models.ForeignKey(
        "articles.Claim",
        verbose_name=_("claim"),
        on_delete=models.PROTECT,
        related_name="decisions",
        help_text=_("Claims are marked removed, never deleted, so their decisions stay."),
    )
    assignment = models.ForeignKey(
        ReviewAssignment,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    status_before = models.CharField(
        _("claim status before"),
        max_length=20,
        choices=ClaimStatus.choices,
        blank=True,
        help_text=_(
            "The claim's review status this decision moved it from: “changed from … to …”, and "
            "where an undo takes it back to. Empty on decisions recorded before it was kept."
        ),
    )
    undoes = models.ForeignKey(
        "self",
        verbose_name=_("undoes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when the reviewer undid this earlier decision of theirs."),
    )
    snapshot = models.JSONField(
        _("wording and citations decided on"),
        help_text=_("The claim's wordings and cited references at the moment of the decision."),
    )
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = ClaimDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("claim decision")
        verbose_name_plural = _("claim decisions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="request_changes") | ~Q(comment=""),
                name="claimdecision_change_request_has_comment",
            ),
            models.CheckConstraint(
                condition=~Q(decision="withdraw") | Q(undoes__isnull=False),
                name="claimdecision_withdraw_undoes_a_decision",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} on “{self.claim.summary(40)}”"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Claim decisions are append-only.")
        super().save(*args, **kwargs)

    @property
    def status_after(self) -> str:
        """The claim's review status this decision left it in."""
        return {
            Decision.APPROVE: ClaimStatus.APPROVED,
            Decision.REQUEST_CHANGES: ClaimStatus.CHANGES_REQUESTED,
        }.get(self.decision, ClaimStatus.PENDING)

    @property
    def is_undo(self) -> bool:
        return self.undoes_id is not None

    @property
    def is_change(self) -> bool:
        """A reviewer decided again: the claim was approved or sent back before."""
        return self.status_before in (ClaimStatus.APPROVED, ClaimStatus.CHANGES_REQUESTED)

    def is_undoable_on(self, claim) -> bool:
        """This decision can be taken back: it is a decision (not an undo) recorded with the
        status it moved ``claim`` from, and the claim is unchanged since (same state, wording
        and citations). Who may undo it is the claim's ``undo_decision`` permission."""
        return (
            not self.is_undo
            and bool(self.status_before)
            and claim.review_status == self.status_after
            and self.covers_current_wording(claim)
        )

    def covers_current_wording(self, claim) -> bool:
        """The decision was made on ``claim`` as it reads now: no wording at any level and no
        citation changed since (``Claim.snapshot``)."""
        return self.snapshot == claim.snapshot()


class ReminderQuerySet(models.QuerySet):
    def unsent(self):
        return self.filter(sent_at__isnull=True)


class Reminder(models.Model):
    """Append-only ledger of emails owed: the row is reserved before sending
    (docs/invariants.md#i5-reminders-exactly-once).

    A reminder is about an assignment (to its reviewer, or escalated to the editor who assigned
    it) or about an article (to its editors: all reviews are in, a periodic review falls due).
    """

    assignment = models.ForeignKey(
        ReviewAssignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
        help_text=_("For notices about the article itself rather than one assignment."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    occurrence = models.PositiveIntegerField(
        _("occurrence"),
        default=1,
        help_text=_(
            "Which one of its kind: the 1st, 2nd, 3rd overdue reminder; the review round; the "
            "due date (YYYYMMDD) of a periodic review."
        ),
    )
    recipient = models.EmailField(_("recipient"), blank=True)
    created_at = models.DateTimeField(_("reserved at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "occurrence"], name="reminder_once_per_occurrence"
            ),
            models.UniqueConstraint(
                fields=["article", "kind", "occurrence"],
                name="reminder_once_per_article_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(assignment__isnull=False, article__isnull=True)
                | Q(assignment__isnull=True, article__isnull=False),
                name="reminder_about_an_assignment_or_an_article",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="reminder_unsent",
            ),
        ]

    def __str__(self):
        about = self.assignment or f"“{self.article}”"
        return f"{self.get_kind_display()} #{self.occurrence} for {about}"


class ClaimAwaitingReview(Claim):
    """Claims as a board reviewer sees them: only where they review now (see the admin)."""

    class Meta:
        proxy = True
        verbose_name = _("claim awaiting my review")
        verbose_name_plural = _("claims awaiting my review")
