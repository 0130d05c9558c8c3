"""The editor's round trip, in Chromium at 1280 px: from the desk to the article, assign a board
reviewer on the article's page (and land back on it), start the review; the reviewer completes
on the review screen; the desk says all reviews are in; an approver approves; the editor
publishes after confirming why. Then every admin list, as the administrator sees it, fits the
window without sideways scrolling.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from articles.choices import PublicationStatus, ReviewStatus
from articles.models import Article, Claim, ClaimFeedback
from reviewers.roles import ensure_roles
from tests.browser.desk import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    ensure_roles()
    from tests.factories import ApproverFactory, BoardReviewerFactory, EditorFactory

    return {
        "editor": EditorFactory(username="editor-ellen", first_name="Ellen", last_name="Park"),
        "reviewer": BoardReviewerFactory(
            username="dr-rivera", first_name="Rosa", last_name="Rivera"
        ),
        "approver": ApproverFactory(username="dr-alvarez", first_name="Ana", last_name="Alvarez"),
    }


def test_an_editor_takes_an_article_from_the_desk_to_published(browser, live_server, people):
    from tests.factories import article_with_claims

    article = article_with_claims(claims=4, editor=people["editor"])
    base = live_server.url
    change = reverse("admin:articles_article_change", args=[article.pk])

    # From the desk to the article's page.
    editor = Person(browser, base, "editor-ellen")
    editor.sees("Sent back by the board", "#todo-sent-back")
    editor.page.locator(f"a[href='{reverse('admin:articles_article_changelist')}']").first.click()
    editor.fits()
    editor.page.get_by_role("link", name=article.title).click()
    editor.sees("Assign a board reviewer", "#board-reviewers")
    editor.fits()

    # Assign the reviewer with the picker (name, credentials, specialty); back on the page.
    editor.page.select_option("#id_reviewer", label="Rosa Rivera, MD — Nephrology")
    due = timezone.localdate() + timedelta(days=10)
    editor.page.fill("#id_due_on", due.isoformat())
    editor.page.get_by_role("button", name="Assign", exact=True).click()
    editor.sees("Rosa Rivera, MD — Nephrology is assigned")
    assert editor.page.url.endswith(f"{change}#board-reviewers")
    editor.page.get_by_role("button", name="Start review").click()
    editor.sees("Start review: done")
    editor.fits()

    # The reviewer approves everything on the review screen and recommends approval.
    reviewer = Person(browser, base, "dr-rivera")
    reviewer.page.locator("#todo-claims a").first.click()
    reviewer.page.get_by_label("I have no conflict of interest with this article").check()
    reviewer.page.get_by_role("button", name="Accept", exact=True).click()
    reviewer.sees("You accepted this review", "#review-answer")
    reviewer.page.locator(".section-approve button").first.click()
    reviewer.sees("4 of 4 decided", "#review-progress-text")
    reviewer.page.locator("input[name=recommendation][value=approve]").check()
    reviewer.page.get_by_role("button", name="Complete the review").click()
    reviewer.sees("Review completed", "#review-complete")
    reviewer.fits()

    # The desk says all reviews are in; the approver approves.
    editor.open(reverse("admin:index"))
    editor.sees(article.title, "#todo-all-reviews-in")
    editor.sees("Rosa Rivera: approve", "#todo-all-reviews-in")
    approver = Person(browser, base, "dr-alvarez")
    approver.sees(article.title, "#todo-all-reviews-in")
    approver.page.locator("#todo-all-reviews-in a").first.click()
    approver.page.get_by_role("button", name="Approve", exact=True).click()
    approver.sees("Approve: done")

    # The editor publishes: a confirmation that asks why.
    editor.open(change)
    editor.page.get_by_role("link", name="Publish…").click()
    editor.sees("Readers will find it at")
    editor.fits()
    editor.page.fill("#id_reason", "Approved by the board; first of the series.")
    editor.page.get_by_role("button", name="Publish").click()
    editor.sees("is approved and published")

    article = Article.objects.get(pk=article.pk)
    assert article.review_status == ReviewStatus.APPROVED
    assert article.publication_status == PublicationStatus.PUBLISHED
    assert article.approved_by == people["approver"]
    assert (
        article.history.latest("history_date").history_change_reason
        == "publish: Approved by the board; first of the series."
    )
    for person in (editor, reviewer, approver):
        person.close()


def test_an_approver_approves_from_the_desk_and_the_round_ends(browser, live_server, people):
    """The round ends with the approval: the article is ready while a conflicted reviewer's
    assignment and the approver's own are still open; approving closes them."""
    from tests.factories import BoardReviewerFactory, article_with_claims
    from tests.workflow import assign_and_start, ready_with_open_assignments

    editor, reviewer, approver = people["editor"], people["reviewer"], people["approver"]
    conflicted = BoardReviewerFactory(username="dr-chen", first_name="Li", last_name="Chen")
    article = ready_with_open_assignments(
        assign_and_start(
            article_with_claims(claims=3, editor=editor), editor=editor, reviewer=reviewer
        ),
        editor=editor,
        reviewer=reviewer,
        still_open=[approver, conflicted],
        conflicted=conflicted,
    )

    desk = Person(browser, live_server.url, "dr-alvarez")
    desk.sees(article.title, "#todo-ready-to-approve")
    desk.sees("2 assignments still open, closed by the approval", "#todo-ready-to-approve")
    desk.sees(article.title, "#todo-assignments")
    desk.page.locator("#todo-ready-to-approve a", has_text=article.title).click()
    desk.page.get_by_role("button", name="Approve", exact=True).click()
    desk.sees("Approve: done")

    desk.open(reverse("admin:index"))
    desk.sees("No article is ready for your approval.", "#todo-ready-to-approve")
    desk.sees("No open assignment.", "#todo-assignments")
    article = Article.objects.get(pk=article.pk)
    assert article.review_status == ReviewStatus.APPROVED
    assert not article.assignments.filter(status__in=["assigned", "accepted"]).exists()
    desk.close()


def _admin_pages(article) -> list[str]:
    pages = [reverse("admin:index")]
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        try:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        except NoReverseMatch:
            continue
    claim = Claim.objects.of_article(article).order_by("section__order", "order").first()
    governed = [
        reverse("admin:desk_governance"),
        *(
            reverse(name, args=[feedback.pk])
            for feedback in ClaimFeedback.objects.open()[:1]
            for name in (
                "admin:articles_claimfeedback_change",
                "admin:articles_claimfeedback_settle",
            )
        ),
        *(
            reverse(name, args=[approved.pk])
            for approved in Article.objects.with_standing_approval()[:1]
            for name in ("admin:articles_article_change", "admin:articles_article_next_review")
        ),
    ]
    return [
        *pages,
        *governed,
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:articles_claim_change", args=[claim.pk]),
        reverse("admin:articles_article_transition", args=[article.pk, "withdraw"]),
        reverse("admin:reviewers_reviewassignment_add"),
    ]


def test_no_admin_page_scrolls_sideways_at_1280_px(browser, live_server):
    cache.clear()
    call_command("seed_demo", stdout=StringIO())
    article = Article.objects.get(slug="calcium-deposits-in-tissues")
    administrator = Person(browser, live_server.url, "admin", "demo-admin-pass")
    for path in _admin_pages(article):
        administrator.open(path)
    reviewer = Person(browser, live_server.url, "dr.okafor", "demo-reviewer-pass")
    assignment = article.assignments.get(reviewer__username="dr.okafor")
    for path in [
        reverse("admin:index"),
        reverse("admin:reviewers_reviewassignment_changelist"),
        reverse("admin:reviewers_claimawaitingreview_changelist"),
        reverse("admin:desk_review", args=[assignment.pk]),
    ]:
        reviewer.open(path)
    administrator.close()
    reviewer.close()
