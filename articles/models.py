"""Articles answer a clinical question as sections of claims, each claim citing references.

Every model here keeps its history; review and publication are state machines whose rules live
on the transitions below and nowhere else.
"""

from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from editorial.history import tracked_history
from editorial.workflow import condition, permission

from . import review_cycle
from .board import board
from .choices import (
    CLAIMS_DECIDABLE_STATUSES,
    STANDING_APPROVAL_STATUSES,
    ClaimKind,
    ClaimStatus,
    FeedbackKind,
    FeedbackStatus,
    PublicationStatus,
    ReadingLevel,
    ReferenceKind,
    ReviewStatus,
    has_standing_approval,
)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication_status=PublicationStatus.PUBLISHED)

    def not_withdrawn(self):
        return self.exclude(publication_status=PublicationStatus.WITHDRAWN)

    def under_review(self):
        """A review round is open: the first review, a re-review, or a periodic review."""
        return self.filter(review_status__in=CLAIMS_DECIDABLE_STATUSES)

    def with_standing_approval(self):
        """Shown as Approved: approved, or approved with a periodic review in progress (in SQL,
        ``articles.choices.has_standing_approval``)."""
        return self.filter(review_status__in=STANDING_APPROVAL_STATUSES)

    def review_due_by(self, day):
        """Approved articles, not withdrawn, whose next review falls due on or before ``day``."""
        return (
            self.with_standing_approval()
            .not_withdrawn()
            .filter(next_review_due__isnull=False, next_review_due__lte=day)
        )

    def review_due_in_reminder_window(self, *, today=None):
        """Approved articles, not withdrawn, whose editor is reminded of the review date now:
        before it (``review_due_soon``) and after it (``past_review_date``). The desk's
        “Due soon or past”; the reminder sweep asks the two named windows."""
        today = today or timezone.localdate()
        return self.review_due_by(review_cycle.reminder_window_end(today))

    def review_due_soon(self, *, today=None):
        """Approved articles, not withdrawn, whose review falls due from ``today`` to
        ``EDITORIAL_REVIEW_REMIND_BEFORE_DAYS`` ahead: the “due soon” reminder's window, and
        the desk's “Due for periodic review”."""
        today = today or timezone.localdate()
        return self.review_due_in_reminder_window(today=today).filter(next_review_due__gte=today)

    def past_review_date(self, *, today=None):
        """Approved articles, not withdrawn, whose review date has passed (docs/governance.md)."""
        today = today or timezone.localdate()
        return self.review_due_by(today).filter(next_review_due__lt=today)

    def ready_to_approve(self):
        """Under review with every condition of ``Article.approve`` met, whatever assignments
        are still open: no claim ``not_approved`` (``all_claims_approved``), no reference
        ``incomplete_cited_by`` it (``all_references_complete``), and the board's quorum of
        approving recommendations that count (``has_review_quorum``). The transition's rule
        asked of many articles at once, in one statement (docs/workflows.md#article-review)."""
        conditions_met = (
            self.under_review()
            .exclude(Exists(Claim.objects.of_article(OuterRef("pk")).not_approved()))
            .exclude(Exists(Reference.objects.incomplete_cited_by(OuterRef("pk"))))
        )
        return board().with_review_quorum(conditions_met, quorum=settings.EDITORIAL_REVIEW_QUORUM)

    def approvable_by(self, user):
        """``ready_to_approve``, for someone ``may_approve`` lets approve them: an approver who
        did not create them."""
        if not user.has_perm("articles.approve_article"):
            return self.none()
        return self.ready_to_approve().exclude(created_by=user)


def _may_approve(article, user) -> bool:
    return user.has_perm("articles.approve_article") and article.created_by_id != user.pk


def _approval_refusal(article, user) -> str:
    if article.created_by_id == user.pk:
        return f"You created “{article}”; another board member must approve it."
    return "Only a board member with the “approve article” permission can approve an article."


def _may_request_changes(article, user) -> bool:
    return user.has_perm("articles.approve_article") or board().takes_part_in_round(article, user)


@permission(_approval_refusal)
def may_approve(article, user) -> bool:
    return _may_approve(article, user)


@permission(
    lambda article, user: (
        f"Only a board reviewer assigned to “{article}” in round {article.round} can request "
        "changes on it."
    )
)
def may_request_changes(article, user) -> bool:
    return _may_request_changes(article, user)


def _permission_refusal(codename: str, action: str):
    return lambda article, user: f"You need the “{codename}” permission to {action} “{article}”."


@permission(_permission_refusal("start_review", "start the review of"))
def may_start_review(article, user) -> bool:
    return user.has_perm("articles.start_review")


@permission(_permission_refusal("change_article", "resubmit"))
def may_resubmit(article, user) -> bool:
    return user.has_perm("articles.change_article")


@permission(_permission_refusal("publish_article", "publish or withdraw"))
def may_publish(article, user) -> bool:
    return user.has_perm("articles.publish_article")


class Article(ConcurrentTransitionMixin, models.Model):
    title = models.CharField(_("question"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    review_status = FSMField(
        _("review status"),
        choices=ReviewStatus.choices,
        default=ReviewStatus.SUBMITTED,
        protected=True,
        db_index=True,
    )
    publication_status = FSMField(
        _("publication status"),
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        protected=True,
        db_index=True,
    )
    round = models.PositiveIntegerField(
        _("review round"), default=1, help_text=_("Goes up each time the article is reviewed anew.")
    )
    last_material_change_at = models.DateTimeField(
        _("last updated"),
        null=True,
        blank=True,
        help_text=_("Shown to readers as “Last updated”: the last change to what they read."),
    )
    content_version = models.PositiveIntegerField(
        _("content version"),
        default=1,
        editable=False,
        help_text=_("Goes up on every change readers could see; keys the page cache."),
    )
    content_changed_at = models.DateTimeField(
        _("content changed at"),
        default=timezone.now,
        editable=False,
        help_text=_(
            "When the content version last went up: the Last-Modified date of the reader pages."
        ),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    changes_requested_note = models.TextField(
        _("what must change"),
        blank=True,
        editable=False,
        help_text=_("The note of the last time the board sent the article back to its editor."),
    )
    changes_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changes requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    changes_requested_at = models.DateTimeField(
        _("changes requested at"), null=True, blank=True, editable=False
    )
    next_review_due = models.DateField(
        _("next review due"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set by each approval (EDITORIAL_REVIEW_CYCLE_MONTHS later) or by an editor, with a "
            "reason; readers see it as “Next review due”."
        ),
    )
    review_date_passed_at = models.DateTimeField(
        _("review date passed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When the reminder sweep noticed that the next review date had passed; from then "
            "on a periodic review in progress says so on the page. Cleared by a new date."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="created_articles",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = tracked_history()
    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("start_review", _("Can start the review of an article")),
            ("approve_article", _("Can approve an article")),
            ("publish_article", _("Can publish and withdraw an article")),
            ("view_governance", _("Can see the governance dashboard")),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    # Conditions, phrased as questions.

    @condition("“{obj}” has no board reviewer assigned in round {obj.round}; assign one first.")
    def has_active_assignment(self) -> bool:
        return board().has_reviewer_in_round(self)

    @condition(
        "“{obj}” has claims that are not approved in their current wording: {detail}.",
        detail=lambda article: article.open_claims_summary(),
    )
    def all_claims_approved(self) -> bool:
        return not self.open_claims().exists()

    def open_claims_summary(self) -> str:
        open_claims = list(self.open_claims()[:5])
        return "; ".join(
            f"“{claim.summary()}” ({claim.get_review_status_display()})" for claim in open_claims
        )

    def open_claims(self):
        return (
            Claim.objects.of_article(self)
            .not_approved()
            .select_related("section")
            .prefetch_related("wordings")
        )

    @condition(
        "“{obj}” cites incomplete references that an editor must complete: {detail}.",
        detail=lambda article: "; ".join(map(str, article.incomplete_references()[:5])),
    )
    def all_references_complete(self) -> bool:
        return not self.incomplete_references().exists()

    def incomplete_references(self):
        return Reference.objects.incomplete_cited_by(self).distinct()

    @condition(
        "“{obj}” cannot be approved yet: it needs {detail}.",
        detail=lambda article: article.review_quorum_shortfall(),
    )
    def has_review_quorum(self) -> bool:
        return self.approving_recommendations() >= settings.EDITORIAL_REVIEW_QUORUM

    def approving_recommendations(self) -> int:
        """Approving recommendations of this round that count: none a declared conflict of
        interest holds back (docs/invariants.md#i8-conflicts-hold-over-time), judged now, against
        the declarations' periods."""
        return board().approving_recommendations(self)

    def review_quorum_shortfall(self) -> str:
        needed = (
            f"{settings.EDITORIAL_REVIEW_QUORUM} approving recommendation(s) from board "
            f"reviewers in round {self.round}"
        )
        return "; ".join([needed, *board().recommendations_held_back(self)])

    @condition("“{obj}” must be approved by the Medical Advisory Board before it is published.")
    def may_be_published(self) -> bool:
        return not settings.EDITORIAL_PUBLISH_REQUIRES_APPROVAL or self.has_standing_approval

    # Review workflow.

    @transition(
        field=review_status,
        source=ReviewStatus.SUBMITTED,
        target=ReviewStatus.UNDER_REVIEW,
        conditions=[has_active_assignment],
        permission=may_start_review,
        custom={"label": _("Start review")},
    )
    def start_review(self):
        """Assigned board reviewers may now decide on claims."""

    @transition(
        field=review_status,
        source=list(CLAIMS_DECIDABLE_STATUSES),
        target=ReviewStatus.CHANGES_REQUESTED,
        permission=may_request_changes,
        custom={"label": _("Request changes")},
    )
    def request_changes(self, *, note="", requested_by=None, requested_at=None):
        """The board sends the article back to its editor with a note, kept on the article
        (the desk shows it) as well as in history. In a periodic review this ends the standing
        approval: the board decided otherwise."""
        self.changes_requested_note = note
        self.changes_requested_by = requested_by
        self.changes_requested_at = requested_at
        self._clear_approval()

    @transition(
        field=review_status,
        source=ReviewStatus.CHANGES_REQUESTED,
        target=ReviewStatus.SUBMITTED,
        permission=may_resubmit,
        custom={"label": _("Resubmit")},
    )
    def resubmit(self):
        """A new round begins: the board reviews the revised article afresh."""
        self.round += 1

    @transition(
        field=review_status,
        source=list(CLAIMS_DECIDABLE_STATUSES),
        target=ReviewStatus.APPROVED,
        conditions=[all_claims_approved, all_references_complete, has_review_quorum],
        permission=may_approve,
        custom={"label": _("Approve")},
    )
    def approve(self, *, approved_by=None, approved_at=None, next_review_due=None):
        """Also ends a periodic review: the approval, and the review cycle, start again."""
        self.approved_by = approved_by
        self.approved_at = approved_at
        self.next_review_due = next_review_due
        self.review_date_passed_at = None

    @transition(
        field=review_status,
        source=list(STANDING_APPROVAL_STATUSES),
        target=ReviewStatus.UNDER_REVIEW,
        custom={"label": _("Reopen review"), "admin": False},
    )
    def reopen(self):
        """Automatic after a material change (docs/invariants.md#i2-re-review-on-change): a new
        round, approval cleared."""
        self.round += 1
        self._clear_approval()

    @transition(
        field=review_status,
        source=ReviewStatus.APPROVED,
        target=ReviewStatus.PERIODIC_REVIEW,
        permission=may_start_review,
        custom={"label": _("Start periodic review")},
    )
    def start_periodic_review(self):
        """A new round in which every claim needs a decision again (docs/governance.md). The
        approval stands, and the page says Approved, until the board approves again or decides
        otherwise: the text readers see is still the text the board approved."""
        self.round += 1

    @transition(
        field=review_status,
        source=ReviewStatus.PERIODIC_REVIEW,
        target=ReviewStatus.UNDER_REVIEW,
        custom={"label": _("Suspend approval"), "admin": False},
    )
    def suspend_approval(self):
        """Automatic when a board reviewer sends a claim back during a periodic review: the
        board decided otherwise, so the page stops saying Approved at once
        (docs/invariants.md#i1-truthful-badge). The round goes on; claims already confirmed in it
        stay approved."""
        self._clear_approval()

    def _clear_approval(self) -> None:
        self.approved_by = None
        self.approved_at = None
        self.next_review_due = None
        self.review_date_passed_at = None

    # Publication workflow.

    @transition(
        field=publication_status,
        source=[PublicationStatus.DRAFT, PublicationStatus.WITHDRAWN],
        target=PublicationStatus.PUBLISHED,
        conditions=[may_be_published],
        permission=may_publish,
        custom={"label": _("Publish")},
    )
    def publish(self, *, published_at=None):
        self.published_at = published_at

    @transition(
        field=publication_status,
        source=PublicationStatus.PUBLISHED,
        target=PublicationStatus.WITHDRAWN,
        permission=may_publish,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self):
        """Readers get 404 from now on (docs/invariants.md#i6-privacy-of-drafts)."""

    @property
    def has_standing_approval(self) -> bool:
        """Shown to readers as Approved (also while a periodic review is in progress)."""
        return has_standing_approval(self.review_status)

    @property
    def is_under_review(self) -> bool:
        """A review round is open (first review, re-review or periodic review)."""
        return self.review_status in CLAIMS_DECIDABLE_STATUSES

    @property
    def is_in_periodic_review(self) -> bool:
        return self.review_status == ReviewStatus.PERIODIC_REVIEW

    def review_date_passed(self, *, today=None) -> bool:
        return self.has_standing_approval and review_cycle.review_date_passed(
            self.next_review_due, today=today
        )

    @property
    def says_review_in_progress(self) -> bool:
        """The page says a periodic review is in progress only once its date has passed
        (docs/governance.md): a fact recorded by the reminder sweep, so the page depends on the
        article's data alone, never on the clock of the request that renders it."""
        return self.is_in_periodic_review and self.review_date_passed_at is not None


class SectionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)


class CurrentManager(models.Manager):
    """Rows still in the article; removed ones stay in the database for the audit (I3)."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Section(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="sections"
    )
    heading = models.CharField(_("heading"), max_length=300)
    level = models.PositiveSmallIntegerField(
        _("heading level"), choices=[(2, _("Section (h2)")), (3, _("Subsection (h3)"))], default=2
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    removed_at = models.DateTimeField(
        _("removed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when an editor removed the section; its claims are removed with it."),
    )

    history = tracked_history()
    objects = CurrentManager.from_queryset(SectionQuerySet)()
    with_removed = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["article", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "order"],
                condition=Q(removed_at__isnull=True),
                name="section_unique_order",
            ),
            models.CheckConstraint(condition=Q(level__in=[2, 3]), name="section_level_2_or_3"),
        ]

    def __str__(self):
        return self.heading


def _holds_active_assignment(claim, user) -> bool:
    article = claim.section.article
    return article.is_under_review and board().may_decide_claims(article, user)


def approved_article_refusal(article) -> str:
    """Why no reviewer decides, changes or undoes anything on an approved article's claims."""
    return (
        f"“{article}” is approved: an approved article's claims can't be changed by a "
        "reviewer, approval ends the round."
    )


def _claim_decision_refusal(claim, user) -> str:
    article = claim.section.article
    if article.review_status == ReviewStatus.APPROVED:
        return approved_article_refusal(article)
    if not article.is_under_review:
        return f"“{article}” is not under review, so its claims cannot be decided now."
    return (
        f"Only a board reviewer with an active assignment on “{article}” in round "
        f"{article.round} can decide on its claims."
    )


@permission(_claim_decision_refusal)
def may_decide_claim(claim, user) -> bool:
    return _holds_active_assignment(claim, user)


def _own_decision_refusal(claim, user) -> str:
    if not _holds_active_assignment(claim, user):
        return _claim_decision_refusal(claim, user)
    return (
        f"“{claim.summary(60)}” was last decided by someone else (or in an earlier round): only "
        "the reviewer who decided it in this round can change or undo that decision, until "
        "their assignment is completed."
    )


def _decided_last_by(claim, user) -> bool:
    return _holds_active_assignment(claim, user) and board().decided_last_in_round(claim, user)


@permission(_own_decision_refusal)
def may_approve_claim(claim, user) -> bool:
    """``may_decide_claim``; a claim sent back is approved only by the reviewer who sent it
    back in this round, changing their mind (a sent-back claim otherwise waits for a change)."""
    if claim.review_status == ClaimStatus.CHANGES_REQUESTED:
        return _decided_last_by(claim, user)
    return _holds_active_assignment(claim, user)


@permission(_own_decision_refusal)
def may_undo_claim_decision(claim, user) -> bool:
    """The latest decision on the claim is ``user``'s in this round, their assignment open."""
    return _decided_last_by(claim, user)


class ClaimQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)

    def removed(self):
        return self.filter(removed_at__isnull=False)

    def of_article(self, article):
        return self.filter(section__article=article)

    def awaiting_decision(self):
        return self.filter(review_status=ClaimStatus.PENDING)

    def not_approved(self):
        """Pending or sent back: not approved in their current wording, so their article cannot
        be approved (``Article.all_claims_approved``)."""
        return self.exclude(review_status=ClaimStatus.APPROVED)

    def of_articles_under_review(self, articles):
        """Claims of those of ``articles`` (a queryset) now under review."""
        return self.filter(
            section__article__in=articles,
            section__article__review_status__in=CLAIMS_DECIDABLE_STATUSES,
        )

    def approved_in_current_wording(self):
        """Claims whose current wording and citations the board approved: approved now, or
        awaiting re-confirmation in a periodic review while the approval that covers them
        stands (nothing in them changed since; any change would have reopened the review)."""
        return self.filter(
            Q(review_status=ClaimStatus.APPROVED)
            | Q(
                review_status=ClaimStatus.PENDING,
                section__article__review_status=ReviewStatus.PERIODIC_REVIEW,
            )
        )


class Claim(models.Model):
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="claims"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent claim"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sub_claims",
        help_text=_("For sub-bullets: the bullet this claim hangs under (one level only)."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ClaimKind.choices, default=ClaimKind.BULLET
    )
    review_status = FSMField(
        _("review status"),
        choices=ClaimStatus.choices,
        default=ClaimStatus.PENDING,
        protected=True,
        db_index=True,
    )
    references = models.ManyToManyField(
        "Reference", through="Citation", verbose_name=_("citations"), related_name="claims"
    )
    removed_at = models.DateTimeField(
        _("removed at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set when an editor or an import removed the claim. Its wordings, citations, board "
            "decisions and history stay (docs/invariants.md#i3-audit); readers and reviewers no "
            "longer see it."
        ),
    )

    history = tracked_history()
    objects = CurrentManager.from_queryset(ClaimQuerySet)()
    with_removed = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["section", "order"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "order"],
                condition=Q(removed_at__isnull=True),
                name="claim_unique_order",
            ),
        ]

    def __str__(self):
        return self.summary()

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def summary(self, length: int = 80) -> str:
        text = self.wording_text(ReadingLevel.CLINICIAN)
        return text if len(text) <= length else text[: length - 1] + "…"

    def texts_by_level(self) -> dict[str, str]:
        """The claim's own wordings, ``{reading level: text}`` (no fallback); uses a prefetch."""
        return {wording.level: wording.text for wording in self.wordings.all()}

    def wording_text(self, level: str) -> str:
        """The text for a reading level, falling back to the clinician wording."""
        wordings = self.texts_by_level()
        return wordings.get(level) or wordings.get(ReadingLevel.CLINICIAN, "")

    def snapshot(self) -> dict:
        """What a board decision applies to: every wording and the cited references, in order."""
        return {
            "wordings": self.texts_by_level(),
            "citations": [citation.reference_id for citation in self.citations.all()],
        }

    @property
    def article(self):
        return self.section.article

    @transition(
        field=review_status,
        source=[ClaimStatus.PENDING, ClaimStatus.CHANGES_REQUESTED],
        target=ClaimStatus.APPROVED,
        permission=may_approve_claim,
        custom={"label": _("Approve")},
    )
    def approve(self):
        """From changes requested: the reviewer who sent it back changes their mind."""

    @transition(
        field=review_status,
        source=[ClaimStatus.PENDING, ClaimStatus.APPROVED],
        target=ClaimStatus.CHANGES_REQUESTED,
        permission=may_decide_claim,
        custom={"label": _("Request changes")},
    )
    def request_changes(self):
        pass

    @transition(
        field=review_status,
        source=[ClaimStatus.PENDING, ClaimStatus.APPROVED, ClaimStatus.CHANGES_REQUESTED],
        target=ClaimStatus.PENDING,
        custom={"label": _("Back to pending"), "admin": False},
    )
    def return_to_pending(self):
        """A material change: the board reviews the claim as it is now written
        (docs/invariants.md#i2-re-review-on-change)."""

    @transition(
        field=review_status,
        source=[ClaimStatus.APPROVED, ClaimStatus.CHANGES_REQUESTED],
        target=RETURN_VALUE(*ClaimStatus.values),
        permission=may_undo_claim_decision,
        custom={"label": _("Undo decision"), "admin": False},
    )
    def undo_decision(self, *, to: str) -> str:
        """The reviewer takes back their latest decision: the claim is as it was before it."""
        return to


class Wording(models.Model):
    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="wordings"
    )
    level = models.CharField(_("reading level"), max_length=20, choices=ReadingLevel.choices)
    text = models.TextField(_("text"))

    history = tracked_history()

    class Meta:
        ordering = ["claim", "level"]
        verbose_name = _("wording")
        verbose_name_plural = _("wordings")
        constraints = [
            models.UniqueConstraint(fields=["claim", "level"], name="wording_one_per_level"),
            models.CheckConstraint(condition=~Q(text=""), name="wording_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.text[:60]}"


def doi_url(doi: str) -> str:
    """The address of a DOI (empty without one): the one spelling of the link."""
    return f"https://doi.org/{quote(doi, safe='/')}" if doi else ""


def pubmed_url(pmid: str) -> str:
    """The PubMed page of a PMID (empty without one)."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid, safe='')}/" if pmid else ""


class ReferenceQuerySet(models.QuerySet):
    def incomplete_cited_by(self, article):
        """Placeholders an editor must complete, cited by a current claim of ``article`` (an
        article, its id or an ``OuterRef``): they keep it from approval
        (``Article.all_references_complete``)."""
        return self.filter(
            citations__claim__section__article=article,
            citations__claim__removed_at__isnull=True,
            is_complete=False,
        )

    def matching(self, *, doi="", pmid="", title="", source="", year=None):
        """The reference a new one duplicates: by DOI, then PMID, then title/source/year."""
        if doi:
            return self.filter(doi__iexact=doi).first()
        if pmid:
            return self.filter(pmid=pmid).first()
        if title:
            return self.filter(title__iexact=title, source__iexact=source, year=year).first()
        return None


class Reference(models.Model):
    BIBLIOGRAPHIC_FIELDS = ("kind", "title", "authors", "source", "year", "doi", "pmid", "url")

    kind = models.CharField(
        _("kind"), max_length=20, choices=ReferenceKind.choices, default=ReferenceKind.RESEARCH
    )
    title = models.CharField(_("title"), max_length=500)
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    pmid = models.CharField(_("PMID"), max_length=20, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    is_complete = models.BooleanField(
        _("complete"),
        default=True,
        help_text=_("False for placeholders created by import; they block approval."),
    )

    history = tracked_history()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        constraints = [
            models.UniqueConstraint(
                fields=["doi"], condition=~Q(doi=""), name="reference_unique_doi"
            ),
            models.UniqueConstraint(
                fields=["pmid"], condition=~Q(pmid=""), name="reference_unique_pmid"
            ),
        ]

    def __str__(self):
        year = f" ({self.year})" if self.year else ""
        return f"{self.title}{year}"

    @property
    def doi_url(self) -> str:
        return doi_url(self.doi)

    @property
    def pubmed_url(self) -> str:
        return pubmed_url(self.pmid)


class Citation(models.Model):
    """One reference cited by one claim, at a position in the claim's citation list."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="citations"
    )
    reference = models.ForeignKey(
        Reference, verbose_name=_("reference"), on_delete=models.PROTECT, related_name="citations"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = tracked_history()

    class Meta:
        ordering = ["claim", "order"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "reference"], name="citation_unique_reference"
            ),
        ]

    def __str__(self):
        return f"{self.claim.summary(40)} → {self.reference}"


class ReferenceChangeQuerySet(models.QuerySet):
    def sending_back_claims_of(self, article) -> dict[int, list]:
        """{claim id: the reference changes that sent it back, newest first} for ``article``'s
        claims, in one query."""
        links = (
            ReferenceChange.claims.through.objects.filter(claim__section__article=article)
            .select_related("referencechange__reference", "referencechange__changed_by")
            .order_by("-referencechange__changed_at", "-referencechange_id")
        )
        changes: dict[int, list] = {}
        for link in links:
            changes.setdefault(link.claim_id, []).append(link.referencechange)
        return changes


class ReferenceChange(models.Model):
    """Append-only: a reference was edited or completed, and the claims citing it went back to
    the board. The review screen says so on each claim from these rows, never from history."""

    reference = models.ForeignKey(
        Reference, verbose_name=_("reference"), on_delete=models.PROTECT, related_name="changes"
    )
    claims = models.ManyToManyField(
        Claim,
        verbose_name=_("claims sent back to confirm"),
        related_name="reference_changes",
        help_text=_("The claims citing the reference when it changed."),
    )
    fields = models.JSONField(
        _("fields changed"), default=list, help_text=_("Names of the reference's fields changed.")
    )
    completed = models.BooleanField(
        _("completed"),
        default=False,
        help_text=_("The change completed a placeholder reference."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = ReferenceChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("reference change")
        verbose_name_plural = _("reference changes")

    def __str__(self):
        what = _("completed") if self.completed else _("changed")
        return f"{self.reference} {what} {self.changed_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Reference changes are append-only.")
        super().save(*args, **kwargs)

    @property
    def how(self) -> str:
        """“completed”, “marked incomplete” or “changed”, as the review screen says it."""
        if self.completed:
            return str(_("completed"))
        if "is_complete" in self.fields:
            return str(_("marked incomplete"))
        return str(_("changed"))

    @property
    def changed_fields(self) -> list[str]:
        """The changed fields' names as editors read them (without the completion itself)."""
        names = {field.name: field.verbose_name for field in Reference._meta.fields}
        return [str(names.get(name, name)) for name in self.fields if name != "is_complete"]


# Reader feedback on claims (docs/governance.md): anonymous, never public, an editors' queue.

FEEDBACK_NOTE_MAX_CHARS = 2000
"""The longest note a reader may send; the form, the service and the database all hold to it."""


@permission(
    lambda feedback, user: "You need the “change claim feedback” permission to settle feedback."
)
def may_settle_feedback(feedback, user) -> bool:
    return user.has_perm("articles.change_claimfeedback")


class ClaimFeedbackQuerySet(models.QuerySet):
    def open(self):
        """New reports no editor has settled yet: what the desk counts."""
        return self.filter(status=FeedbackStatus.NEW)


class ClaimFeedback(ConcurrentTransitionMixin, models.Model):
    """A reader's report of a problem with one statement, as they saw it. Never shown publicly."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.PROTECT, related_name="feedback"
    )
    kind = models.CharField(_("problem"), max_length=20, choices=FeedbackKind.choices)
    note = models.TextField(_("reader's note"), max_length=FEEDBACK_NOTE_MAX_CHARS)
    wording = models.TextField(
        _("statement as shown"), help_text=_("The wording the reader reported on, as it read.")
    )
    reading_level = models.CharField(
        _("reading level"), max_length=20, choices=ReadingLevel.choices
    )
    article_version = models.PositiveIntegerField(
        _("article version seen"),
        help_text=_("The article's content version on the page the reader reported from."),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    status = FSMField(
        _("status"),
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.NEW,
        protected=True,
        db_index=True,
    )
    resolution = models.TextField(
        _("reason"), blank=True, help_text=_("Why the editor accepted or dismissed it.")
    )
    answered_by_change = models.ForeignKey(
        "articles.HistoricalArticle",
        verbose_name=_("answered by the change"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The edit to the article that answered accepted feedback (its history row)."),
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    history = tracked_history()
    objects = ClaimFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("reader feedback")
        verbose_name_plural = _("reader feedback")
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), FEEDBACK_NOTE_MAX_CHARS),
                name="claimfeedback_note_within_limit",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FeedbackKind.values), name="claimfeedback_known_kind"
            ),
            models.CheckConstraint(
                condition=Q(status=FeedbackStatus.NEW) | ~Q(resolution=""),
                name="claimfeedback_settled_with_a_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=FeedbackStatus.ACCEPTED) | Q(answered_by_change__isnull=False),
                name="claimfeedback_accepted_names_its_answer",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: claim {self.claim_id} ({self.get_status_display()})"

    @property
    def article(self):
        return self.claim.section.article

    # Conditions, phrased as questions.

    @condition("Say why: a reason is kept with the feedback and in its history.")
    def has_resolution(self) -> bool:
        return bool(self.resolution.strip())

    @condition(
        "Name the change to “{obj.article}” that answered this feedback: one made after it was "
        "received."
    )
    def is_answered_by_a_later_change(self) -> bool:
        change = self.answered_by_change
        return (
            change is not None
            and change.id == self.claim.section.article_id
            and change.history_date >= self.received_at
        )

    @transition(
        field=status,
        source=FeedbackStatus.NEW,
        target=FeedbackStatus.ACCEPTED,
        conditions=[has_resolution, is_answered_by_a_later_change],
        permission=may_settle_feedback,
        custom={"label": _("Accept")},
    )
    def accept(self, *, settled_by=None, settled_at=None):
        self.settled_by, self.settled_at = settled_by, settled_at

    @transition(
        field=status,
        source=FeedbackStatus.NEW,
        target=FeedbackStatus.DISMISSED,
        conditions=[has_resolution],
        permission=may_settle_feedback,
        custom={"label": _("Dismiss")},
    )
    def dismiss(self, *, settled_by=None, settled_at=None):
        self.settled_by, self.settled_at = settled_by, settled_at


class EdgePurgeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(purged_at__isnull=True)


class EdgePurge(models.Model):
    """Ledger of purges owed to the shared caches in front of the reader site
    (docs/invariants.md#i6-privacy-of-drafts).

    A row is written in the transaction of every change readers could see, so a purge lost with
    the broker or a worker is still on record and sent again; ``purged_at`` is set once every
    cache confirmed. Append-only, like the reminders' ledger.
    """

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="edge_purges"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("purge attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    objects = EdgePurgeQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("purge of the shared caches")
        verbose_name_plural = _("purges of the shared caches")
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=Q(purged_at__isnull=True),
                name="edgepurge_pending",
            ),
        ]

    def __str__(self):
        return f"Purge of “{self.article}” requested {self.requested_at:%Y-%m-%d %H:%M:%S}"
