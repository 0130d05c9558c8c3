"""The Content-Security-Policy holds in a real browser: the reader pages and the admin pages the
desk uses (the login lockout page included) load without a single violation, and the reader
page's JavaScript still works.

Violations are caught two ways: Chromium's console message ("… violates the following Content
Security Policy directive …") and the page's ``securitypolicyviolation`` event, reported to the
test through a binding installed before any page script runs. Chromium's complaints about the
Permissions-Policy header (a feature it does not know) count too.
"""

import pytest
from django.core.cache import cache

from articles import services
from articles.models import Claim
from reviewers.roles import ensure_roles
from tests.articles.builders import SEED_PATIENT_WORDING, seed_article

PASSWORD = "correct horse battery"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.href}:${event.lineNumber}`
  );
});
"""


class Watched:
    """A browser context whose every CSP violation, on any page it opens, is recorded."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.violations: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.expose_binding(
            "reportCspViolation", lambda source, text: self.violations.append(text)
        )
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        # Also an error Chromium logs for a Permissions-Policy feature it does not know.
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            self.violations.append(f"console: {message.text}")

    def open(self, path: str) -> None:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None and response.ok, (path, response and response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("networkidle")

    def settle(self) -> None:
        """Let late violation events reach the binding before they are counted."""
        self.page.wait_for_timeout(300)


@pytest.fixture
def published(live_server):
    ensure_roles()
    from tests.factories import EditorFactory

    cache.clear()
    editor = EditorFactory(username="editor-ellen")
    article = services.article_publish(article=seed_article(editor=editor), actor=editor)
    return editor, article


def test_reader_pages_load_without_violations_and_the_picker_works(browser, live_server, published):
    from playwright.sync_api import expect

    _, article = published
    reader = Watched(browser, live_server.url)
    for path in ["/", "/editorial-policy/", "/board/", article.get_absolute_url()]:
        reader.open(path)

    # reader.js still enhances the form: the button hides, a choice swaps the text in place.
    expect(reader.page.get_by_role("button", name="Show this version")).to_be_hidden()
    reader.page.get_by_label("Patient or caregiver").check()
    expect(reader.page.locator(".article-body")).to_contain_text(SEED_PATIENT_WORDING)
    expect(reader.page.get_by_role("status")).to_contain_text("Patient or caregiver")
    reader.settle()

    assert not reader.violations, "\n".join(reader.violations)
    reader.context.close()


def test_admin_pages_load_without_violations(browser, live_server, published):
    from playwright.sync_api import expect

    editor, article = published
    claim = Claim.objects.of_article(article).first()
    desk = Watched(browser, live_server.url)

    # Someone else's username, five wrong passwords: the lockout page (django-axes) ...
    desk.open("/admin/login/")
    for _ in range(5):
        desk.page.fill("#id_username", "someone-else")
        desk.page.fill("#id_password", "wrong password")
        desk.page.click("input[type=submit]")
    expect(desk.page.locator(".errornote")).to_contain_text("Too many failed login attempts")
    # ... does not stop the editor at the same address.
    desk.open("/admin/login/")
    desk.page.fill("#id_username", editor.username)
    desk.page.fill("#id_password", PASSWORD)
    desk.page.click("input[type=submit]")
    expect(desk.page.locator("body")).to_contain_text("Desk")

    for path in [
        "/admin/",
        "/admin/articles/article/",
        f"/admin/articles/article/{article.pk}/change/",
        f"/admin/articles/article/{article.pk}/history/",
        "/admin/articles/claim/",
        f"/admin/articles/claim/{claim.pk}/change/",
        f"/admin/articles/claim/{claim.pk}/history/",
        "/admin/articles/reference/",
        "/admin/reviewers/reviewassignment/",
    ]:
        desk.open(path)

    # Prepopulated fields: the slug follows the question as it is typed.
    desk.open("/admin/articles/article/add/")
    desk.page.locator("#id_title").press_sequentially("Is coffee good for the heart?")
    expect(desk.page.locator("#id_slug")).to_have_value("is-coffee-good-for-the-heart")

    # Autocomplete (select2) and the date and time shortcuts of the assignment form.
    desk.open(f"/admin/reviewers/reviewassignment/add/?article={article.pk}")
    desk.page.click("[aria-labelledby='select2-id_article-container']")
    expect(desk.page.locator(".select2-results__option").first).to_contain_text("calcium")
    desk.page.keyboard.press("Escape")
    desk.page.get_by_role("link", name="Today").first.click()
    desk.page.locator(".datetimeshortcuts .date-icon").first.click()
    expect(desk.page.locator(".calendarbox").first).to_be_visible()
    desk.settle()

    assert not desk.violations, "\n".join(desk.violations)
    desk.context.close()
