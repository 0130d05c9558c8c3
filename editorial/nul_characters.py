"""Requests carrying the NUL character are refused with a message before any view sees them.

PostgreSQL cannot store NUL in a text column: a query filtering on one, or a comment, reason or
history row holding one, fails with a ``DataError``, a server error. Django's form fields refuse
it already; admin filters and searches, and the review screen's plain form posts, did not. One
check here covers every parameter of every page, typed or forged. Uploaded files are left to
their readers (the importer refuses a NUL with its line number).
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

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
            and _ENCODED_NUL.encode() in request.body
        )
    ):
        candidates.append(request.POST)
    for parameters in candidates:
        for name, values in parameters.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "")
    return None


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
        parameter = _parameter_with_nul(request)
        if parameter is None:
            return self.get_response(request)
        refusal = render(request, "400_nul_character.html", {"parameter": parameter}, status=400)
        # Shared caches key reader pages on the path alone: a refusal must never stand for one.
        add_never_cache_headers(refusal)
        return refusal
