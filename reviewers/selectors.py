"""Reads of the board that pages need."""

from django.contrib.auth import get_user_model
from django.db.models import F

from articles.models import Article

from .models import ClaimAwaitingReview, ReviewAssignment


def board_members():
    """Active board reviewers, for the public board page and reviewer autocomplete."""
    return (
        get_user_model()
        .objects.filter(is_active=True, reviewer_profile__active=True)
        .select_related("reviewer_profile")
        .order_by("last_name", "first_name", "username")
    )


def claims_awaiting_review(user):
    """Claims of the articles under review where ``user`` holds an active assignment this round
    (as ``ClaimAwaitingReview`` rows, the reviewer's admin list)."""
    reviewing = (
        ReviewAssignment.objects.active().for_reviewer(user).filter(round=F("article__round"))
    )
    return ClaimAwaitingReview.objects.of_articles_under_review(
        Article.objects.filter(pk__in=reviewing.values("article_id"))
    )
