"""People at their browsers, for the desk's browser tests: log in, open pages, and check that no
page scrolls sideways at the width they work at (1280 px)."""

from playwright.sync_api import expect

PASSWORD = "correct horse battery"
WIDTH = 1280


class Person:
    """One person at their own browser (a context of their own), logged in to the admin."""

    def __init__(self, browser, base_url, username, password=PASSWORD, *, javascript=True):
        self.context = browser.new_context(
            viewport={"width": WIDTH, "height": 900}, java_script_enabled=javascript
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.base_url = base_url
        self.page.goto(f"{base_url}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("input[type=submit]")
        self.sees("Desk")
        self.fits()

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")
        self.fits()

    def sees(self, text: str, where: str = "body") -> None:
        expect(self.page.locator(where).first).to_contain_text(text, timeout=15_000)

    def fits(self) -> None:
        """No sideways scrolling at 1280 px: the page is no wider than the window."""
        width, client = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert width <= client, f"{self.page.url} is {width} px wide in a {client} px window"

    def close(self) -> None:
        self.context.close()
