"""A reader picks a reading level on the seed article, in headless Chromium, with and without
JavaScript; screenshots at desktop and phone width go to tests/artifacts/."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache

from articles import services
from reviewers.roles import ensure_roles
from tests.articles.builders import SEED_PATIENT_WORDING, seed_article

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CLINICIAN_OPENING = "Calcium deposits in tissues represent abnormal accumulation"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def article_url(live_server):
    ensure_roles()
    from tests.factories import EditorFactory

    cache.clear()
    editor = EditorFactory()
    article = services.article_publish(article=seed_article(editor=editor), actor=editor)
    return f"{live_server.url}{article.get_absolute_url()}"


def _open(browser, url: str, *, javascript: bool, width: int):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    return context, page


def _reads_patient_version(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".article-body")).to_contain_text(SEED_PATIENT_WORDING)
    expect(page.locator(".article-body")).not_to_contain_text(CLINICIAN_OPENING)
    expect(page.get_by_role("heading", name="Medical Disclaimer", exact=True)).to_be_visible()
    expect(page.locator(".disclaimer")).to_contain_text("is not medical advice")


def test_reader_picks_patient_wording_without_javascript(browser, article_url):
    from playwright.sync_api import expect

    context, page = _open(browser, article_url, javascript=False, width=1280)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What does it mean to have calcium deposits in tissues?"
    )
    expect(page.get_by_label("Healthcare professional")).to_be_checked()
    expect(page.locator(".article-body")).to_contain_text(CLINICIAN_OPENING)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reader-desktop-clinician.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "reader-desktop-top.png"))

    expect(page).to_have_url(re.compile(r"/articles/calcium-deposits-in-tissues/clinician/$"))

    page.get_by_label("Patient or caregiver").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show this version").click()

    _reads_patient_version(page)
    expect(page).to_have_url(re.compile(r"/articles/calcium-deposits-in-tissues/patient/$"))
    expect(page.get_by_label("Patient or caregiver")).to_be_checked()
    page.screenshot(path=str(ARTIFACTS / "reader-desktop-patient-no-js.png"), full_page=True)

    page.goto(article_url)  # the article's address again: the choice is remembered
    _reads_patient_version(page)
    context.close()


def test_one_readers_choice_is_not_shown_to_another(browser, article_url):
    from playwright.sync_api import expect

    context, page = _open(browser, article_url, javascript=False, width=1280)
    page.get_by_label("Student").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Show this version").click()
    expect(page.locator(".article-body")).to_contain_text("Calcium deposits in soft tissue form")

    other_context, other_reader = _open(browser, article_url, javascript=False, width=1280)
    expect(other_reader.get_by_label("Healthcare professional")).to_be_checked()
    expect(other_reader.locator(".article-body")).to_contain_text(CLINICIAN_OPENING)
    other_context.close()
    context.close()


def test_reader_picks_patient_wording_with_javascript_on_a_phone(browser, article_url):
    from playwright.sync_api import expect

    context, page = _open(browser, article_url, javascript=True, width=390)
    expect(page.get_by_role("button", name="Show this version")).to_be_hidden()

    page.get_by_label("Patient or caregiver").check()

    _reads_patient_version(page)
    expect(page.get_by_role("status")).to_contain_text("Patient or caregiver")
    expect(page).to_have_url(re.compile(r"/articles/calcium-deposits-in-tissues/patient/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reader-phone-patient.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "reader-phone-top.png"))
    page.locator("#references-heading").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "reader-phone-references.png"))

    page.goto(article_url)  # the article's address again: the choice is remembered
    _reads_patient_version(page)
    context.close()


def test_keyboard_focus_is_visible(browser, article_url):
    context, page = _open(browser, article_url, javascript=True, width=1280)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    assert skip_link.evaluate("element => element === document.activeElement")
    outline = skip_link.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"
    page.get_by_label("Student").focus()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reader-desktop-focus.png"))
    context.close()
