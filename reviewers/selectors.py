"""Reads of the board that pages need."""

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch
from django.utils import timezone

from articles.models import Article

from .models import ClaimAwaitingReview, DeclarationOfInterest, ReviewAssignment


def board_members():
    """Active board reviewers, for the public board page and reviewer autocomplete."""
    return (
        get_user_model()
        .objects.filter(is_active=True, reviewer_profile__active=True)
        .select_related("reviewer_profile")
        .order_by("last_name", "first_name", "username")
    )


def board_with_declarations(*, today=None):
    """The public board page (DESIGN §4, §10): active members, each with the declarations of
    interest in force ``today`` as ``member.reviewer_profile.current_declarations``. A conflict
    with an article names it only while the article is published."""
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
    reviewing = (
        ReviewAssignment.objects.active().for_reviewer(user).filter(round=F("article__round"))
    )
    return ClaimAwaitingReview.objects.of_articles_under_review(
        Article.objects.filter(pk__in=reviewing.values("article_id"))
    )
