"""A board reviewer reviews the demo article on the review screen, end to end, in Chromium: once
with JavaScript (nothing reloads) and once without (plain form posts back to the same place).

From the desk to the screen; accept; approve a claim; request changes on one with a comment;
approve whole sections; try to complete with an approving recommendation and be refused with
the count and links; finish; complete. No page scrolls sideways at 1280 px.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from articles.choices import ClaimStatus, ReviewStatus
from articles.models import Article, Claim
from reviewers.models import ClaimDecision, ReviewAssignment
from tests.browser.desk import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
COMMENT = "Say which trial showed the 11-fold risk, and cite it."


@pytest.fixture
def demo(live_server):
    cache.clear()
    call_command("seed_demo", stdout=StringIO())
    return Article.objects.get(slug="calcium-deposits-in-tissues")


def progress(page) -> str:
    return page.locator("#review-progress-text").inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_a_reviewer_reviews_the_demo_article_on_the_review_screen(
    browser, live_server, demo, javascript
):
    total = Claim.objects.of_article(demo).count()
    reviewer = Person(
        browser, live_server.url, "dr.okafor", "demo-reviewer-pass", javascript=javascript
    )
    page = reviewer.page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and errors.append(message.text),
    )

    # The desk lists the assignment; it opens the review screen.
    reviewer.sees("My assignments due", "#todo-assignments")
    page.locator("#todo-assignments a").first.click()
    reviewer.sees(demo.title, "h1")
    reviewer.fits()
    assert progress(page) == f"0 of {total} decided"
    if javascript:
        expect(page.locator("[data-keys-help]")).to_be_visible()
        page.evaluate("window.stillTheSamePage = true")

    # Accept the assignment from the screen, declaring no conflict of interest.
    page.get_by_label("I have no conflict of interest with this article").check()
    page.get_by_role("button", name="Accept", exact=True).click()
    reviewer.sees("You accepted this review", "#review-answer")

    # Approve a claim in one click; the screen comes back to it.
    page.get_by_role("button", name="Approve claim 1", exact=True).click()
    expect(page.locator("#claim-1")).to_contain_text("Claim 1 approved")
    assert progress(page) == f"1 of {total} decided"
    if not javascript:
        assert page.url.endswith("#claim-1")

    # Request changes on claim 3 with a comment, written in place.
    page.locator("#claim-3 details.request-changes summary").click()
    page.fill("#claim-3-comment", COMMENT)
    page.get_by_role("button", name="Send claim 3 back").click()
    expect(page.locator("#claim-3")).to_contain_text("Changes requested")
    expect(page.locator("#claim-3")).to_contain_text(COMMENT)
    assert progress(page) == f"2 of {total} decided"

    if javascript:
        # Keys: j to the next claim, a to approve it.
        page.locator("#claim-3").focus()
        page.keyboard.press("j")
        expect(page.locator("#claim-4")).to_have_class(re.compile(r"\bis-current\b"))
        page.keyboard.press("a")
        expect(page.locator("#review-progress-text")).to_have_text(f"3 of {total} decided")
        assert Claim.objects.of_article(demo).filter(review_status="approved").count() == 2

    # Approve the unchanged claims of two sections at once.
    for _ in range(2):
        buttons = page.locator(".section-approve button")
        remaining = buttons.count()
        buttons.first.click()
        expect(page.locator(".section-approve button")).to_have_count(remaining - 1)

    # An approving recommendation is refused while claims are undecided or sent back.
    decided_before = progress(page)
    page.locator("input[name=recommendation][value=approve]").check()
    page.get_by_role("button", name="Complete the review").click()
    refusal = page.locator("#review-complete .review-note.error")
    expect(refusal).to_contain_text("cannot recommend approving")
    expect(refusal).to_contain_text("still undecided")
    expect(refusal).to_contain_text("sent back for changes")
    expect(refusal.locator('a[href="#claim-3"]')).to_have_count(1)
    assert progress(page) == decided_before
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review-refused-{javascript=}.png"))

    # Finish: every remaining section's unchanged claims.
    buttons = page.locator(".section-approve button")
    while buttons.count():
        remaining = buttons.count()
        buttons.first.click()
        expect(page.locator(".section-approve button")).to_have_count(remaining - 1)
    assert progress(page) == f"{total} of {total} decided"

    # Complete: claim 3 is sent back, so the recommendation is to request changes, with a note.
    page.locator("input[name=recommendation][value=request_changes]").check()
    page.fill("#complete-note", "Claim 3 needs its source; the rest is sound.")
    page.get_by_role("button", name="Complete the review").click()
    reviewer.sees("Review completed", "#review-complete")
    reviewer.fits()
    if javascript:
        assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded"
    assert errors == []

    assignment = ReviewAssignment.objects.get(article=demo, reviewer__username="dr.okafor")
    assert (assignment.status, assignment.recommendation) == ("completed", "request_changes")
    article = Article.objects.get(pk=demo.pk)
    assert article.review_status == ReviewStatus.CHANGES_REQUESTED
    statuses = list(Claim.objects.of_article(demo).values_list("review_status", flat=True))
    assert statuses.count(ClaimStatus.CHANGES_REQUESTED) == 1
    assert statuses.count(ClaimStatus.APPROVED) == total - 1
    assert ClaimDecision.objects.filter(assignment=assignment).count() == total
    reviewer.close()
