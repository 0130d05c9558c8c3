"""A baseline for the reader benchmark: the cheapest page the project can serve."""

from django.http import HttpResponse

TRIVIAL_PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>Trivial</title></head><body>"
    + "<p>A static paragraph of seven kilobytes, the size of a small article page.</p>" * 88
    + "</body></html>"
)
"""About 7 KB, built once at import."""


def trivial(request):
    """Returns the same static string every time: no database, no template."""
    return HttpResponse(TRIVIAL_PAGE)
