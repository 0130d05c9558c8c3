"""Content governance in headless Chromium (docs/governance.md): a reader reports a problem with a
statement without JavaScript; the governed pages (the approved article with its JSON-LD, the
report form, /board/ with declarations, the governance dashboard) load without a single
Content-Security-Policy violation. Screenshots go to tests/artifacts/."""

from pathlib import Path

import pytest
from django.core.cache import cache

from articles import services
from articles.choices import FeedbackKind
from articles.models import ClaimFeedback
from reviewers import services as reviewer_services
from reviewers.choices import InterestKind
from reviewers.roles import ensure_roles
from tests.browser.test_content_security_policy import PASSWORD, Watched
from tests.factories import (
    ApproverFactory,
    BoardReviewerFactory,
    EditorFactory,
    ReferenceFactory,
    article_with_claims,
)
from tests.workflow import assign_and_approve

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def governed(live_server):
    ensure_roles()
    cache.clear()
    editor = EditorFactory(username="editor-ellen")
    reviewer = BoardReviewerFactory(first_name="Chidi", last_name="Okafor")
    approver = ApproverFactory(first_name="Sofia", last_name="Reyes")
    reference = ReferenceFactory(
        title="Coronary calcium as a predictor of coronary events",
        source="The New England Journal of Medicine",
        year=2008,
        doi="10.1056/NEJMoa072100",
        pmid="18367736",
    )
    article = article_with_claims(claims=3, editor=editor, references=[reference])
    article = assign_and_approve(article, editor=editor, reviewer=reviewer, approver=approver)
    article = services.article_publish(article=article, actor=editor)
    reviewer_services.declaration_add(
        profile=reviewer.reviewer_profile,
        kind=InterestKind.RESEARCH,
        text="Research grant from the National Kidney Foundation.",
        actor=reviewer,
    )
    return editor, article


def test_reader_reports_a_problem_without_javascript(browser, live_server, governed):
    from playwright.sync_api import expect

    _editor, article = governed
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}{article.get_absolute_url()}?level=patient")
    expect(page.locator(".reviewed-by")).to_contain_text("Medically reviewed by Chidi Okafor")
    expect(page.locator(".review-dates")).to_contain_text("Next review due")

    with page.expect_navigation():
        page.get_by_role("link", name="Report a problem with this statement").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Report a problem with this statement"
    )
    expect(page.get_by_label("Leave this field empty")).not_to_be_in_viewport()
    page.get_by_label("It is out of date").check()
    page.get_by_label("Tell us more").fill("A 2025 trial changed this.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-problem-phone-no-js.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your report")
    feedback = ClaimFeedback.objects.get()
    assert (feedback.kind, feedback.note) == (FeedbackKind.OUTDATED, "A 2025 trial changed this.")
    assert feedback.reading_level == "patient"
    context.close()


def test_governed_pages_load_without_violations(browser, live_server, governed):
    from playwright.sync_api import expect

    editor, article = governed
    watched = Watched(browser, live_server.url)
    watched.open(article.get_absolute_url())
    assert watched.page.locator('script[type="application/ld+json"]').count() == 1
    watched.page.screenshot(path=str(ARTIFACTS / "approved-article.png"), full_page=True)
    watched.open("/board/")
    expect(watched.page.locator(".declarations").first).to_contain_text("National Kidney")
    watched.page.get_by_role("link", name="Articles").first.click()
    watched.open(article.get_absolute_url())
    watched.page.get_by_role("link", name="Report a problem with this statement").first.click()
    expect(watched.page.get_by_role("heading", level=1)).to_contain_text("Report a problem")

    watched.open("/admin/login/")
    watched.page.fill("#id_username", editor.username)
    watched.page.fill("#id_password", PASSWORD)
    watched.page.click("input[type=submit]")
    watched.open("/admin/governance/")
    expect(watched.page.locator("svg.chart").first).to_be_visible()
    watched.page.screenshot(path=str(ARTIFACTS / "governance-dashboard.png"), full_page=True)
    for path in [
        "/admin/articles/claimfeedback/",
        f"/admin/articles/article/{article.pk}/change/",
        "/admin/reviewers/declarationofinterest/",
    ]:
        watched.open(path)
    watched.settle()

    assert not watched.violations, "\n".join(watched.violations)
    watched.context.close()
