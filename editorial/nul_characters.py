"""Requests carrying the NUL character are refused with a message before any view sees them.

PostgreSQL cannot store NUL in a text column: a query filtering on one, or a comment, reason or
history row holding one, fails with a ``DataError``, a server error. Django's form fields refuse
it already; admin filters and searches, the review screen's plain form posts (percent-encoded or
raw bytes) and the headers django-axes stores with a failed login (User-Agent, Accept) did not.
One check here covers every parameter and header of every page, typed or forged. Cookies are
different: a browser sends them back on its own, so one holding a NUL (``sessionid="\\000…"``
made every admin page, the login included, a 500) is ignored, as if absent, and the page answers
and replaces it. Uploaded files are left to their readers (the importer refuses a NUL with its
line number).
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

_NUL = "\x00"
_ENCODED_NUL = "%00"


def _parameter_with_nul(request) -> str | None:
    """The name of the first query or form parameter whose name or value holds a NUL."""
    candidates = []
    if _ENCODED_NUL in request.META.get("QUERY_STRING", ""):
        candidates.append(request.GET)
    if request.method == "POST" and (
        request.content_type == "multipart/form-data"
        or (
            request.content_type == "application/x-www-form-urlencoded"
            and _within_memory_limit(request)
            and (_ENCODED_NUL.encode() in request.body or _NUL.encode() in request.body)
        )
    ):
        candidates.append(request.POST)
    for parameters in candidates:
        for name, values in parameters.lists():
            if _NUL in name or any(_NUL in value for value in values):
                return name.replace(_NUL, "")
    return None


def _header_with_nul(request) -> str | None:
    """The name of the first header (cookies aside) holding a NUL, as the client wrote it."""
    for key, value in request.META.items():
        if key.startswith("HTTP_") and key != "HTTP_COOKIE" and _NUL in str(value):
            return key.removeprefix("HTTP_").replace("_", "-").title()
    return None


def _ignore_cookies_with_nul(request) -> None:
    """Drop the cookies whose name or value holds a NUL, so nothing looks them up."""
    cookies = request.COOKIES
    if any(_NUL in name or _NUL in value for name, value in cookies.items()):
        request.COOKIES = {
            name: value for name, value in cookies.items() if _NUL not in name and _NUL not in value
        }


def _within_memory_limit(request) -> bool:
    """A larger form body is left to the view, which refuses it with its own message."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is None or length <= limit


class RefuseNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _ignore_cookies_with_nul(request)
        header = _header_with_nul(request)
        parameter = None if header else _parameter_with_nul(request)
        if header is None and parameter is None:
            return self.get_response(request)
        context = {"parameter": parameter, "header": header}
        refusal = render(request, "400_nul_character.html", context, status=400)
        # Shared caches key reader pages on the path alone: a refusal must never stand for one.
        add_never_cache_headers(refusal)
        return refusal
