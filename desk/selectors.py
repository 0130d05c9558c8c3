"""What the desk shows: the to-do panel of each person on the admin index, one list per role,
and the figures of content governance (docs/governance.md) for the dashboard, its CSV and the to-do
panel. Each function reads; none writes. ``now`` is a parameter so the figures of a given moment
can be checked."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.choices import CLAIMS_DECIDABLE_STATUSES, ClaimStatus, FeedbackKind, ReviewStatus
from articles.models import Article, Claim, ClaimFeedback
from editorial.people import display_name
from reviewers.choices import AssignmentStatus, ReminderKind
from reviewers.models import Reminder, ReviewAssignment
from reviewers.reminders import articles_with_all_reviews_in


@dataclass
class TodoItem:
    text: str
    url: str
    meta: str = ""
    urgent: bool = False


@dataclass
class TodoList:
    key: str
    title: str
    empty: str
    items: list[TodoItem] = field(default_factory=list)


def desk_todo(user, *, now: datetime | None = None) -> list[TodoList]:
    """The to-do lists ``user``'s roles call for, in the order they are worked."""
    now = now or timezone.now()
    lists = []
    reviews = user.has_perm("reviewers.add_claimdecision")
    if reviews or ReviewAssignment.objects.active().for_reviewer(user).exists():
        lists += [_claims_awaiting(user), _my_assignments(user, now)]
    if user.has_perm("articles.approve_article"):
        lists.append(_ready_to_approve(user))
    if user.has_perm("reviewers.add_reviewassignment") or user.has_perm("articles.approve_article"):
        lists.append(_all_reviews_in(user))
    if user.has_perm("reviewers.add_reviewassignment"):
        lists.append(_without_reviewer())
    if user.has_perm("reviewers.change_reviewassignment"):
        lists.append(_overdue_reviews(now))
    if user.has_perm("articles.change_claim"):
        lists.append(_sent_back())
    if user.has_perm("articles.view_claimfeedback"):
        lists.append(_open_feedback())
    if user.has_perm("articles.view_governance"):
        lists.append(_due_for_periodic_review(timezone.localdate(now)))
    return lists


def _review_url(assignment, show: str = "") -> str:
    url = reverse("admin:desk_review", args=[assignment.pk])
    return f"{url}?show={show}" if show else url


def _current_assignments(user):
    return (
        ReviewAssignment.objects.active()
        .for_reviewer(user)
        .filter(article__review_status__in=CLAIMS_DECIDABLE_STATUSES, round=F("article__round"))
        .select_related("article")
        .order_by("due_at")
    )


def _claims_awaiting(user) -> TodoList:
    todo = TodoList(
        "claims",
        _("Claims awaiting my decision"),
        _("No claim awaits your decision."),
    )
    assignments = _current_assignments(user).annotate(
        pending=Count(
            "article__sections__claims",
            filter=Q(
                article__sections__claims__review_status=ClaimStatus.PENDING,
                article__sections__claims__removed_at__isnull=True,
                article__sections__removed_at__isnull=True,
            ),
        )
    )
    for assignment in assignments:
        if not assignment.pending:
            continue
        todo.items.append(
            TodoItem(
                text=str(assignment.article),
                url=_review_url(assignment, "undecided"),
                meta=ngettext("%(n)d claim to decide", "%(n)d claims to decide", assignment.pending)
                % {"n": assignment.pending},
            )
        )
    return todo


def _my_assignments(user, now) -> TodoList:
    todo = TodoList(
        "assignments",
        _("My assignments due"),
        _("No open assignment."),
    )
    for assignment in (
        ReviewAssignment.objects.active().for_reviewer(user).select_related("article")
    ):
        overdue = assignment.is_overdue(now=now)
        due = timezone.localtime(assignment.due_at).strftime("%a %d %b %Y, %H:%M")
        todo.items.append(
            TodoItem(
                text=str(assignment.article),
                url=_review_url(assignment),
                meta=(_("overdue since %(due)s") if overdue else _("due %(due)s")) % {"due": due}
                + (
                    " · " + str(_("not yet accepted"))
                    if assignment.status == AssignmentStatus.ASSIGNED
                    else ""
                ),
                urgent=overdue,
            )
        )
    return todo


def _overdue_reviews(now) -> TodoList:
    """For editors: board reviews past their due date, whoever assigned them."""
    todo = TodoList("overdue", _("Reviews overdue"), _("No review is overdue."))
    for assignment in (
        ReviewAssignment.objects.overdue(now=now)
        .select_related("article", "reviewer")
        .order_by("due_at")
    ):
        due = timezone.localtime(assignment.due_at).strftime("%a %d %b %Y")
        todo.items.append(
            TodoItem(
                text=str(assignment.article),
                url=reverse("admin:articles_article_change", args=[assignment.article_id]),
                meta=_("%(reviewer)s, due %(due)s")
                % {
                    "reviewer": display_name(assignment.reviewer),
                    "due": due,
                },
                urgent=True,
            )
        )
    return todo


def _ready_to_approve(user) -> TodoList:
    """For approvers: articles the approve transition would let them approve now
    (``ArticleQuerySet.approvable_by``), whatever assignments are still open; approving closes
    those. Two statements however many articles."""
    todo = TodoList(
        "ready-to-approve",
        _("Ready to approve"),
        _("No article is ready for your approval."),
    )
    articles = list(Article.objects.approvable_by(user).order_by("title"))
    still_open = dict(
        ReviewAssignment.objects.filter(article__in=articles)
        .in_current_round()
        .active()
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values_list("article", "n")
    )
    for article in articles:
        meta = _("round %(round)s: every claim approved, quorum met") % {"round": article.round}
        if still_open.get(article.pk):
            meta += " · " + ngettext(
                "%(n)d assignment still open, closed by the approval",
                "%(n)d assignments still open, closed by the approval",
                still_open[article.pk],
            ) % {"n": still_open[article.pk]}
        todo.items.append(
            TodoItem(
                text=str(article),
                url=reverse("admin:articles_article_change", args=[article.pk]),
                meta=meta,
            )
        )
    return todo


def _all_reviews_in(user) -> TodoList:
    """Articles whose round is fully reviewed, with the notice the ledger emailed about it."""
    todo = TodoList(
        "all-reviews-in",
        _("All reviews in"),
        _("No article has all its reviews in."),
    )
    articles = list(articles_with_all_reviews_in().order_by("title"))
    notices = {
        (notice.article_id, notice.occurrence): notice
        for notice in Reminder.objects.filter(
            article__in=articles, kind=ReminderKind.ALL_REVIEWS_IN
        )
    }
    completed = ReviewAssignment.objects.filter(
        article__in=articles, status=AssignmentStatus.COMPLETED
    ).select_related("reviewer")
    held_back = set(completed.held_back_by_conflict().values_list("pk", flat=True))
    for article in articles:
        recommendations = [
            f"{display_name(assignment.reviewer)}: "
            f"{assignment.get_recommendation_display().lower()}"
            + (
                str(_(" (conflict of interest: counts once overridden)"))
                if assignment.pk in held_back
                else ""
            )
            for assignment in completed
            if assignment.article_id == article.pk and assignment.round == article.round
        ]
        notice = notices.get((article.pk, article.round))
        sent = (
            _(" · emailed %(when)s")
            % {"when": timezone.localtime(notice.sent_at).strftime("%d %b %H:%M")}
            if notice and notice.sent_at
            else ""
        )
        todo.items.append(
            TodoItem(
                text=str(article),
                url=reverse("admin:articles_article_change", args=[article.pk]),
                meta="; ".join(recommendations) + sent,
            )
        )
    return todo


def _without_reviewer() -> TodoList:
    """Articles whose open round has no reviewer left (every assignment declined or cancelled,
    a reviewer deactivated): nothing moves until an editor assigns someone."""
    todo = TodoList(
        "without-reviewer",
        _("Under review without a reviewer"),
        _("Every article under review has a reviewer."),
    )
    this_round = ReviewAssignment.objects.filter(article=OuterRef("pk")).in_current_round()
    articles = (
        Article.objects.under_review().exclude(Exists(this_round.standing())).order_by("title")
    )
    for article in articles:
        todo.items.append(
            TodoItem(
                text=str(article),
                url=reverse("admin:articles_article_change", args=[article.pk]),
                meta=_("round %(round)s: assign a board reviewer") % {"round": article.round},
                urgent=True,
            )
        )
    return todo


def _sent_back() -> TodoList:
    """Articles the board sent back, with its note, and claims sent back in ongoing reviews."""
    todo = TodoList(
        "sent-back",
        _("Sent back by the board"),
        _("Nothing is sent back."),
    )
    for article in Article.objects.filter(
        review_status=ReviewStatus.CHANGES_REQUESTED
    ).select_related("changes_requested_by"):
        note = ""
        if article.changes_requested_note:
            who = display_name(article.changes_requested_by) if article.changes_requested_by else ""
            note = f"“{article.changes_requested_note}”"
            note = f"{who}: {note}" if who else note
        todo.items.append(
            TodoItem(
                text=str(article),
                url=reverse("admin:articles_article_change", args=[article.pk]),
                meta=note,
                urgent=True,
            )
        )
    under_review = (
        Article.objects.under_review()
        .annotate(
            sent_back=Count(
                "sections__claims",
                filter=Q(
                    sections__claims__review_status=ClaimStatus.CHANGES_REQUESTED,
                    sections__claims__removed_at__isnull=True,
                    sections__removed_at__isnull=True,
                ),
            )
        )
        .filter(sent_back__gt=0)
    )
    for article in under_review:
        todo.items.append(
            TodoItem(
                text=str(article),
                url=reverse("admin:articles_article_change", args=[article.pk]),
                meta=ngettext(
                    "%(n)d claim sent back during the review",
                    "%(n)d claims sent back during the review",
                    article.sent_back,
                )
                % {"n": article.sent_back},
            )
        )
    return todo


def _open_feedback() -> TodoList:
    """For editors: readers' reports no one has settled, newest first (docs/governance.md)."""
    todo = TodoList("feedback", _("Open reader feedback"), _("No reader feedback is open."))
    for feedback in (
        ClaimFeedback.objects.open()
        .select_related("claim__section__article")
        .order_by("-received_at", "-pk")
    ):
        received = timezone.localtime(feedback.received_at).strftime("%d %b %Y")
        todo.items.append(
            TodoItem(
                text=str(feedback.claim.section.article),
                url=reverse("admin:articles_claimfeedback_change", args=[feedback.pk]),
                meta=f"{feedback.get_kind_display()}: “{feedback.note[:80]}” · {received}",
            )
        )
    return todo


def _due_for_periodic_review(today: date) -> TodoList:
    """For editors: approved articles past their review date, then those due soon."""
    todo = TodoList(
        "periodic-review",
        _("Due for periodic review"),
        _("No article is due for periodic review."),
    )
    for article in [
        *articles_past_review_date(today=today),
        *articles_due_for_review(today=today),
    ]:
        past = article.next_review_due < today
        note = _("was due %(day)s") if past else _("due %(day)s")
        status = (
            " · " + str(_("periodic review in progress")) if article.is_in_periodic_review else ""
        )
        todo.items.append(
            TodoItem(
                text=str(article),
                url=reverse("admin:articles_article_change", args=[article.pk]),
                meta=note % {"day": article.next_review_due.strftime("%d %b %Y")} + status,
                urgent=past,
            )
        )
    return todo


# Content governance (docs/governance.md): the dashboard's figures.


@dataclass(frozen=True)
class ArticleCompliance:
    article: Article
    claims: int
    approved: int

    @property
    def share(self) -> float | None:
        return self.approved / self.claims if self.claims else None


@dataclass(frozen=True)
class Compliance:
    """Published claims approved in their current wording (the compliance number)."""

    claims: int
    approved: int
    by_article: list[ArticleCompliance] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.approved / self.claims if self.claims else None


def compliance() -> Compliance:
    """Claims of published articles, and those the board approved as they now read: approved,
    or awaiting re-confirmation in a periodic review under the approval that covers them."""
    per_article = (
        Claim.objects.filter(section__article__in=Article.objects.published())
        .values("section__article")
        .annotate(
            claims=Count("pk"),
            approved=Count(
                "pk", filter=Q(pk__in=Claim.objects.approved_in_current_wording().values("pk"))
            ),
        )
    )
    counts = {row["section__article"]: row for row in per_article}
    articles = Article.objects.published().filter(pk__in=counts).order_by("title")
    by_article = [
        ArticleCompliance(article, counts[article.pk]["claims"], counts[article.pk]["approved"])
        for article in articles
    ]
    return Compliance(
        claims=sum(row.claims for row in by_article),
        approved=sum(row.approved for row in by_article),
        by_article=by_article,
    )


def articles_past_review_date(*, today: date | None = None) -> list[Article]:
    """Approved articles, not withdrawn, whose next review date has passed, oldest first."""
    return list(
        Article.objects.past_review_date(today=today)
        .select_related("created_by")
        .order_by("next_review_due", "title")
    )


def articles_due_for_review(*, today: date | None = None) -> list[Article]:
    """Approved articles whose review falls due within the reminder window (not yet past)."""
    return list(
        Article.objects.review_due_soon(today=today)
        .select_related("created_by")
        .order_by("next_review_due", "title")
    )


def open_feedback_count() -> int:
    """New reader reports no editor has settled: for the desk's to-do panel."""
    return ClaimFeedback.objects.open().count()


def open_feedback_by_kind() -> list[tuple[str, int]]:
    counts = dict(
        ClaimFeedback.objects.open().values_list("kind").annotate(n=Count("pk")).order_by()
    )
    return [(str(label), counts.get(kind, 0)) for kind, label in FeedbackKind.choices]


@dataclass(frozen=True)
class Turnaround:
    """Median days from assignment to completion over ``count`` completed reviews."""

    label: str
    median_days: float
    count: int


def _days(assignment) -> float:
    return (assignment.completed_at - assignment.assigned_at).total_seconds() / 86400


def _completed():
    return ReviewAssignment.objects.filter(
        status=AssignmentStatus.COMPLETED, completed_at__isnull=False
    ).select_related("reviewer__reviewer_profile")


def _reviewer_label(user) -> str:
    profile = getattr(user, "reviewer_profile", None)
    return str(profile) if profile else display_name(user)


def turnaround_by_reviewer() -> list[Turnaround]:
    """Each reviewer's median days from assignment to completion, slowest first."""
    days: dict[str, list[float]] = defaultdict(list)
    for assignment in _completed():
        days[_reviewer_label(assignment.reviewer)].append(_days(assignment))
    rows = [Turnaround(label, median(values), len(values)) for label, values in days.items()]
    return sorted(rows, key=lambda row: (-row.median_days, row.label))


def turnaround_by_month(*, months: int = 12, now: datetime | None = None) -> list[Turnaround]:
    """Median days from assignment to completion of the reviews completed each month, for the
    last ``months`` months (by completion date, site time), oldest first."""
    now = now or timezone.now()
    this_month = timezone.localtime(now).date().replace(day=1)
    first = this_month
    for _month in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    days: dict[str, list[float]] = defaultdict(list)
    for assignment in _completed():
        completed = timezone.localtime(assignment.completed_at).date()
        if completed >= first:
            days[completed.strftime("%Y-%m")].append(_days(assignment))
    return [Turnaround(month, median(days[month]), len(days[month])) for month in sorted(days)]


def overdue_assignments(*, now: datetime | None = None) -> list[ReviewAssignment]:
    """Assignments still open past their due date, the most overdue first, each with
    ``reviewer_label`` (name and credentials)."""
    overdue = list(
        ReviewAssignment.objects.overdue(now=now)
        .select_related("article", "reviewer__reviewer_profile")
        .order_by("due_at", "pk")
    )
    for assignment in overdue:
        assignment.reviewer_label = _reviewer_label(assignment.reviewer)
    return overdue


@dataclass(frozen=True)
class GovernanceCounts:
    """What the desk's to-do panel shows an editor about governance."""

    open_feedback: int
    past_review_date: int
    due_for_review: int


def governance_counts(*, today: date | None = None) -> GovernanceCounts:
    today = today or timezone.localdate()
    return GovernanceCounts(
        open_feedback=open_feedback_count(),
        past_review_date=Article.objects.past_review_date(today=today).count(),
        due_for_review=Article.objects.review_due_soon(today=today).count(),
    )


@dataclass
class Dashboard:
    as_of: datetime
    compliance: Compliance
    past_review_date: list[Article]
    due_for_review: list[Article]
    open_feedback: int
    open_feedback_by_kind: list[tuple[str, int]]
    turnaround_by_reviewer: list[Turnaround]
    turnaround_by_month: list[Turnaround]
    overdue_assignments: list[ReviewAssignment]


def governance_dashboard(*, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return Dashboard(
        as_of=now,
        compliance=compliance(),
        past_review_date=articles_past_review_date(today=today),
        due_for_review=articles_due_for_review(today=today),
        open_feedback=open_feedback_count(),
        open_feedback_by_kind=open_feedback_by_kind(),
        turnaround_by_reviewer=turnaround_by_reviewer(),
        turnaround_by_month=turnaround_by_month(now=now),
        overdue_assignments=overdue_assignments(now=now),
    )
