"""The figures of content governance (DESIGN §10), for the dashboard, its CSV and the desk's
to-do panel. Each function reads; none writes. ``now`` is a parameter so the figures of a given
moment can be checked."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from articles.choices import FeedbackKind
from articles.models import Article, Claim, ClaimFeedback
from reviewers.choices import AssignmentStatus
from reviewers.models import ReviewAssignment


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
    today = today or timezone.localdate()
    window = today + timedelta(days=settings.EDITORIAL_REVIEW_REMIND_BEFORE_DAYS)
    return list(
        Article.objects.review_due_by(window)
        .filter(next_review_due__gte=today)
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
    return str(profile) if profile else (user.get_full_name() or user.get_username())


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
    for _ in range(months - 1):
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
    window = today + timedelta(days=settings.EDITORIAL_REVIEW_REMIND_BEFORE_DAYS)
    return GovernanceCounts(
        open_feedback=open_feedback_count(),
        past_review_date=Article.objects.past_review_date(today=today).count(),
        due_for_review=Article.objects.review_due_by(window)
        .filter(next_review_due__gte=today)
        .count(),
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
