"""What awaits each person on the desk (the admin index): the to-do panel, one list per role."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.choices import ClaimStatus, ReviewStatus
from articles.models import Article
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
    if user.has_perm("reviewers.add_reviewassignment") or user.has_perm("articles.approve_article"):
        lists.append(_all_reviews_in(user))
    if user.has_perm("reviewers.change_reviewassignment"):
        lists.append(_overdue_reviews(now))
    if user.has_perm("articles.change_claim"):
        lists.append(_sent_back())
    return lists


def _review_url(assignment, show: str = "") -> str:
    url = reverse("admin:desk_review", args=[assignment.pk])
    return f"{url}?show={show}" if show else url


def _current_assignments(user):
    return (
        ReviewAssignment.objects.active()
        .for_reviewer(user)
        .filter(article__review_status=ReviewStatus.UNDER_REVIEW, round=F("article__round"))
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
                    "reviewer": assignment.reviewer.get_full_name() or assignment.reviewer,
                    "due": due,
                },
                urgent=True,
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
    for article in articles:
        recommendations = [
            f"{assignment.reviewer.get_full_name() or assignment.reviewer}: "
            f"{assignment.get_recommendation_display().lower()}"
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


def _sent_back() -> TodoList:
    """Articles the board sent back, with its note, and claims sent back in ongoing reviews."""
    todo = TodoList(
        "sent-back",
        _("Sent back by the board"),
        _("Nothing is sent back."),
    )
    for article in Article.objects.filter(review_status=ReviewStatus.CHANGES_REQUESTED):
        record = (
            article.history.filter(history_change_reason__startswith="request_changes: ")
            .select_related("history_user")
            .first()
        )
        note = ""
        if record is not None:
            who = record.history_user.get_full_name() if record.history_user else ""
            note = record.history_change_reason.removeprefix("request_changes: ")
            note = f"{who}: “{note}”" if who else f"“{note}”"
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
