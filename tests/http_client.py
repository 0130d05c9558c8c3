"""A client speaking real HTTP to a real server (nginx, gunicorn), from a chosen loopback
address, keeping its cookies and filling in forms as a browser does."""

import http.client
import re
from urllib.parse import urlencode, urlsplit


class Browser:
    """One client at ``source`` (an address of 127.0.0.0/8: all of it is this machine)."""

    def __init__(self, url: str, source: str = "127.0.0.1"):
        self.location = urlsplit(url)
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, *, form=None, body=None, headers=None
    ) -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            self.location.hostname, self.location.port, timeout=10, source_address=(self.source, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";")[0].split("=", 1)
            self.cookies[name] = value
        return response.status, text

    def post_form(self, path: str, fields: dict, **headers) -> tuple[int, str]:
        """GET the form (for its CSRF token and cookie), then POST it with ``fields``."""
        status, page = self.request("GET", path)
        assert status == 200, page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(
            "POST", path, form={"csrfmiddlewaretoken": token, **fields}, headers=headers
        )
