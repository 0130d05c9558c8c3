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
from articles.outline import claim_numbers
from articles.services import reference_update
from reviewers import services
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
    page.fill("#complete-note", "Sound overall.")
    page.get_by_role("button", name="Complete the review").click()
    refusal = page.locator("#review-complete .review-note.error")
    expect(refusal).to_contain_text("cannot recommend approving")
    expect(refusal).to_contain_text("still undecided")
    expect(refusal).to_contain_text("sent back for changes")
    expect(refusal.locator('a[href="#claim-3"]')).to_have_count(1)
    assert progress(page) == decided_before
    # The refused form is as it was sent: nothing to pick or type again.
    expect(page.locator("input[name=recommendation][value=approve]")).to_be_checked()
    expect(page.locator("#complete-note")).to_have_value("Sound overall.")
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


# Keyboard safety (issue 20): the shortcuts j, k, a and r must never take the letters of a comment.

# Every shortcut letter, in lower case, as a reviewer would type them in a comment.
TYPED = "Reference [3] is still a placeholder: please add a major journal's trial and look again."
assert {"j", "k", "a", "r"} <= set(TYPED)


def the_review(demo) -> ReviewAssignment:
    return ReviewAssignment.objects.get(article=demo, reviewer__username="dr.okafor")


def decisions(assignment) -> list[tuple[int, str, str]]:
    """(claim number, decision, comment) of every decision recorded on the assignment."""
    numbers = claim_numbers([assignment.article_id])
    return [
        (numbers[row.claim_id], row.decision, row.comment)
        for row in ClaimDecision.objects.filter(assignment=assignment).order_by("pk")
    ]


def is_current(page, number: int) -> None:
    expect(page.locator(f"#claim-{number}")).to_have_class(re.compile(r"\bis-current\b"))


@pytest.mark.parametrize("opened_by", ["mouse", "key"])
def test_typing_a_comment_decides_nothing_and_is_saved_whole(browser, live_server, demo, opened_by):
    assignment = the_review(demo)
    reviewer = Person(browser, live_server.url, "dr.okafor", "demo-reviewer-pass")
    page = reviewer.page
    reviewer.open(f"/admin/review/{assignment.pk}/")
    expect(page.locator("[data-keys-help]")).to_be_visible()
    box = page.locator("#claim-2 details.request-changes")

    if opened_by == "mouse":
        # The summary takes the click; the letters must go to the comment box, not the keys.
        box.locator("summary").click()
    else:
        page.keyboard.press("j")
        page.keyboard.press("j")
        is_current(page, 2)
        page.keyboard.press("r")
    page.keyboard.type(TYPED)
    expect(page.locator("#claim-2-comment")).to_have_value(TYPED)

    # With the box still open, focus elsewhere on the claim: the keys stay off.
    page.locator("#claim-2 .claim-wordings").click()
    page.keyboard.type("jakr")
    expect(page.locator("#review-toast")).to_contain_text("comment box is open")
    expect(box).to_have_attribute("open", "")
    expect(page.locator("#claim-2-comment")).to_have_value(TYPED)
    assert decisions(assignment) == []
    assert progress(page).startswith("0 of ")

    page.get_by_role("button", name="Send claim 2 back").click()
    expect(page.locator("#claim-2")).to_contain_text("Changes requested")
    assert decisions(assignment) == [(2, "request_changes", TYPED)]

    # Once the box is gone the keys act again: j to claim 3, a approves it.
    is_current(page, 2)
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("#claim-3")).to_contain_text("Claim 3 approved")
    assert decisions(assignment) == [(2, "request_changes", TYPED), (3, "approve", "")]
    reviewer.close()


def test_escape_closes_the_comment_box_keeping_its_text_and_the_keys_act_again(
    browser, live_server, demo
):
    assignment = the_review(demo)
    reviewer = Person(browser, live_server.url, "dr.okafor", "demo-reviewer-pass")
    page = reviewer.page
    reviewer.open(f"/admin/review/{assignment.pk}/")
    page.locator("#claim-1 details.request-changes summary").click()
    page.keyboard.type("Cite the trial")
    page.keyboard.press("Escape")
    expect(page.locator("#claim-1 details.request-changes")).not_to_have_attribute("open", "")
    is_current(page, 1)
    page.keyboard.press("a")
    expect(page.locator("#claim-1")).to_contain_text("Claim 1 approved")
    assert decisions(assignment) == [(1, "approve", "")]
    reviewer.close()


@pytest.mark.parametrize("show", ["all", "undecided"])
def test_after_a_the_next_undecided_claim_is_current_and_the_legend_says_so(
    browser, live_server, demo, show
):
    assignment = the_review(demo)
    claims = {number: pk for pk, number in claim_numbers([demo.pk]).items()}
    two = Claim.objects.get(pk=claims[2])
    # Claim 2 is decided already: after claim 1 the next claim needing a decision is 3.
    services.claims_decide(
        claims=[two],
        actor=assignment.reviewer,
        decision="approve",
        seen={two.pk: services.snapshot_digest(two.snapshot())},
    )
    reviewer = Person(browser, live_server.url, "dr.okafor", "demo-reviewer-pass")
    page = reviewer.page
    reviewer.open(f"/admin/review/{assignment.pk}/" + ("?show=undecided" if show != "all" else ""))

    page.locator("#claim-3 .claim-wordings").click()
    is_current(page, 3)
    page.keyboard.press("a")
    expect(page.locator("#review-toast")).to_contain_text("Claim 3 approved")
    is_current(page, 4)
    page.keyboard.press("a")
    expect(page.locator("#review-toast")).to_contain_text("Claim 4 approved")
    is_current(page, 5)
    assert [(number, decision) for number, decision, _ in decisions(assignment)] == [
        (2, "approve"),
        (3, "approve"),
        (4, "approve"),
    ]
    expect(page.locator("[data-keys-help]")).to_contain_text(
        "a approve, then go to the next undecided claim"
    )
    reviewer.close()


def test_a_comment_being_written_survives_a_decision_on_another_claim(browser, live_server, demo):
    assignment = the_review(demo)
    reviewer = Person(browser, live_server.url, "dr.okafor", "demo-reviewer-pass")
    page = reviewer.page
    reviewer.open(f"/admin/review/{assignment.pk}/")
    page.locator("#claim-2 details.request-changes summary").click()
    page.keyboard.type("Cite the trial")
    page.get_by_role("button", name="Approve claim 1", exact=True).click()
    expect(page.locator("#claim-1")).to_contain_text("Claim 1 approved")
    expect(page.locator("#claim-2 details.request-changes")).to_have_attribute("open", "")
    expect(page.locator("#claim-2-comment")).to_have_value("Cite the trial")
    page.get_by_role("button", name="Send claim 2 back").click()
    expect(page.locator("#claim-2")).to_contain_text("Changes requested")
    assert decisions(assignment) == [(1, "approve", ""), (2, "request_changes", "Cite the trial")]
    reviewer.close()


# Change your mind (issue 20, item 2): Undo in the toast, “Change decision…”, the note of a
# claim back to confirm because its reference changed.


def status_of(claim_id: int) -> str:
    return Claim.objects.get(pk=claim_id).review_status


def test_a_reviewer_undoes_a_decision_and_changes_another(browser, live_server, demo):
    assignment = the_review(demo)
    claims = {number: pk for pk, number in claim_numbers([demo.pk]).items()}
    reviewer = Person(browser, live_server.url, "dr.okafor", "demo-reviewer-pass")
    page = reviewer.page
    reviewer.open(f"/admin/review/{assignment.pk}/")
    page.evaluate("window.stillTheSamePage = true")

    # Approve claim 1; the toast offers Undo; Undo takes it back to undecided.
    page.get_by_role("button", name="Approve claim 1", exact=True).click()
    expect(page.locator("#claim-1")).to_contain_text("Claim 1 approved")
    undo = page.locator("#review-undo [data-undo-now]")
    expect(undo).to_be_visible()
    undo.click()
    expect(page.locator("#claim-1")).to_contain_text("your decision was undone")
    assert status_of(claims[1]) == ClaimStatus.PENDING
    assert [(n, d) for n, d, _ in decisions(assignment)] == [(1, "approve"), (1, "withdraw")]
    expect(page.locator("#claim-1 [data-approve]")).to_have_count(1)

    # Approve claim 2, then change the decision: send it back instead, with a comment.
    page.get_by_role("button", name="Approve claim 2", exact=True).click()
    expect(page.locator("#claim-2")).to_contain_text("Claim 2 approved")
    page.locator("#claim-2 details.change-decision summary").click()
    page.keyboard.type(TYPED)  # every shortcut letter: the keys stay off in the box
    expect(page.locator("#claim-2-change-comment")).to_have_value(TYPED)
    page.get_by_role("button", name="Send claim 2 back instead").click()
    expect(page.locator("#claim-2 .claim-status")).to_have_text("Changes requested")
    assert status_of(claims[2]) == ClaimStatus.CHANGES_REQUESTED
    assert [(n, d) for n, d, _ in decisions(assignment)][-2:] == [
        (2, "approve"),
        (2, "request_changes"),
    ]
    history = Claim.objects.get(pk=claims[2]).history.latest().history_change_reason
    assert "changed from approved to changes requested" in history
    assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded"
    reviewer.close()


def test_a_claim_back_to_confirm_says_which_reference_changed_and_how(browser, live_server, demo):
    assignment = the_review(demo)
    numbers = claim_numbers([demo.pk])
    claim = next(
        claim
        for claim in Claim.objects.of_article(demo).prefetch_related("wordings", "citations")
        if claim.citations.exists()
    )
    number = numbers[claim.pk]
    services.claims_decide(claims=[claim], actor=assignment.reviewer, decision="approve")
    reference = claim.citations.first().reference
    reference_update(
        reference=reference, actor=demo.created_by, reason="Corrected", title="A corrected title"
    )
    reviewer = Person(browser, live_server.url, "dr.okafor", "demo-reviewer-pass")
    page = reviewer.page
    reviewer.open(f"/admin/review/{assignment.pk}/")
    note = page.locator(f"#claim-{number} [data-back-to-confirm]")
    expect(note).to_contain_text("Back to confirm: reference [")
    expect(note).to_contain_text("“A corrected title” was changed (fields: title) on")
    reviewer.close()
