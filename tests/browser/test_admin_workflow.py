"""The whole review, walked in headless Chromium as the editor, the reviewer and the approver would.

An editor assigns a board reviewer (picker, due date) on the article's page and starts the
review; the reviewer, in the stock claims list, approves claims, requests changes on one with a
comment and sends the article back; the editor
rewrites that claim, resubmits and starts the review again; the reviewer sees the word diff,
approves it and completes the assignment; an approver approves the article; the editor publishes.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from articles.choices import ClaimStatus, PublicationStatus, ReadingLevel, ReviewStatus
from articles.models import Article, Claim
from reviewers.models import ClaimDecision, ReviewAssignment
from reviewers.roles import ensure_roles

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PASSWORD = "correct horse battery"
REWORDED = "Calcium deposits often occur in injured heart tissue after a heart attack."

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    """The roles are data; a transactional test may run after a flush, so make sure of them."""
    ensure_roles()
    from tests.factories import ApproverFactory, BoardReviewerFactory, EditorFactory

    return {
        "editor": EditorFactory(username="editor-ellen", first_name="Ellen"),
        "reviewer": BoardReviewerFactory(
            username="dr-rivera", first_name="Rosa", last_name="Rivera"
        ),
        "approver": ApproverFactory(username="dr-alvarez", first_name="Ana"),
    }


@pytest.fixture
def article(people):
    from tests.factories import article_with_claims

    return article_with_claims(claims=3, editor=people["editor"])


class Person:
    """One person at their own browser: logs in once, then clicks through the admin."""

    def __init__(self, browser, base_url: str, username: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base_url = base_url
        self.page.goto(f"{base_url}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.sees("Desk")

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")

    def sees(self, text: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator("body")).to_contain_text(text, timeout=15_000)

    def click_button(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def run_action(self, action: str, pks) -> None:
        for pk in pks:
            self.page.check(f"input.action-select[value='{pk}']")
        self.page.select_option("select[name=action]", action)
        self.page.click("button[name=index]")


def _article_path(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def test_review_walk_from_assignment_to_publication(browser, live_server, people, article):
    claims = list(Claim.objects.of_article(article).order_by("order"))
    disputed = claims[-1]
    base = live_server.url

    # The editor assigns a board reviewer with a due date and starts the review.
    editor = Person(browser, base, "editor-ellen")
    editor.open(_article_path(article))
    editor.page.get_by_role("link", name="Assign a board reviewer").click()
    editor.page.select_option("#id_reviewer", label="Rosa Rivera, MD — Nephrology")
    due = timezone.localdate() + timedelta(days=10)
    editor.page.fill("#id_due_on", due.isoformat())
    editor.page.get_by_role("button", name="Assign", exact=True).click()
    editor.sees("is assigned")
    editor.click_button("Start review")
    editor.sees("Start review: done")

    # The reviewer approves two claims and requests changes on the third, with a comment.
    reviewer = Person(browser, base, "dr-rivera")
    reviewer.page.get_by_role("link", name="Claims awaiting my review").click()
    reviewer.sees(str(article))
    reviewer.run_action("approve", [claim.pk for claim in claims[:-1]])
    reviewer.sees("2 claims approved.")
    reviewer.run_action("request_changes", [disputed.pk])
    reviewer.page.fill("#id_comment", "Say which tissue, and when deposits form.")
    reviewer.page.get_by_role("button", name="Request changes").click()
    reviewer.sees("1 claim sent back for changes.")

    # ... and sends the article back to its editor with a note.
    reviewer.open(_article_path(article))
    reviewer.page.get_by_role("link", name="Request changes…").click()
    reviewer.page.fill("#id_note", "One claim needs rewording; see its comment.")
    reviewer.page.get_by_role("button", name="Request changes").click()
    reviewer.sees("is changes requested")

    # The editor reads the comment, rewrites the claim, resubmits and starts round 2.
    editor.open(_article_path(article))
    # Claims are numbered in reading order on the article page: the disputed one is the last.
    editor.page.get_by_role("link", name=f"Claim {len(claims)}", exact=True).click()
    editor.sees("Say which tissue, and when deposits form.")
    editor.page.fill("#id_clinician", REWORDED)
    editor.page.fill("#id_reason", "Reworded at the board's request")
    editor.page.click("input[name=_save]")
    editor.sees("was changed successfully")
    editor.open(_article_path(article))
    editor.sees("Changes requested")
    ARTIFACTS.mkdir(exist_ok=True)
    editor.page.screenshot(path=str(ARTIFACTS / "article-change-page.png"), full_page=True)
    editor.click_button("Resubmit")
    editor.sees("Resubmit: done")
    editor.click_button("Start review")
    editor.sees("Start review: done")

    # The reviewer sees only what changed, approves it and completes the assignment.
    reviewer.open("/admin/reviewers/claimawaitingreview/")
    reviewer.page.locator("ins.diff-added").first.wait_for()
    reviewer.sees("Changed since changes were requested")
    ARTIFACTS.mkdir(exist_ok=True)
    reviewer.page.screenshot(
        path=str(ARTIFACTS / "claims-awaiting-review-diff.png"), full_page=True
    )
    assert reviewer.page.locator("del.diff-removed").count() >= 1
    reviewer.page.get_by_role("button", name="Approve claim 3", exact=True).click()
    reviewer.sees("1 claim approved.")
    current = ReviewAssignment.objects.get(article=article, round=2)
    reviewer.page.get_by_role("link", name="Review assignments").click()
    reviewer.sees("My assignments")
    reviewer.run_action("accept", [current.pk])
    reviewer.page.check("input[name=declaration][value=none]")
    reviewer.page.get_by_role("button", name="Accept").click()
    reviewer.sees("1 assignment accepted.")
    reviewer.run_action("complete", [current.pk])
    reviewer.page.check("input[name=recommendation][value=approve]")
    reviewer.page.get_by_role("button", name="Complete").click()
    reviewer.sees("1 assignment completed.")

    # An approver (not the article's creator) approves; the editor publishes.
    approver = Person(browser, base, "dr-alvarez")
    approver.open(_article_path(article))
    approver.click_button("Approve")
    approver.sees("Approve: done")
    editor.open(_article_path(article))
    editor.page.get_by_role("link", name="Publish…").click()
    editor.page.fill("#id_reason", "Approved by the board")
    editor.click_button("Publish")
    editor.sees("is approved and published")

    article = Article.objects.get(pk=article.pk)
    assert article.review_status == ReviewStatus.APPROVED
    assert article.publication_status == PublicationStatus.PUBLISHED
    assert article.approved_by == people["approver"]
    assert article.round == 2
    disputed = Claim.objects.get(pk=disputed.pk)
    assert disputed.review_status == ClaimStatus.APPROVED
    assert disputed.wording_text(ReadingLevel.CLINICIAN) == REWORDED
    assert ClaimDecision.objects.filter(claim=disputed).count() == 2
