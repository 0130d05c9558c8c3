"""Telling a form posted from this site from one another site made the reader's browser post,
without a per-reader token.

The article page is the same bytes for every reader, so that shared caches can serve it: it
cannot carry a CSRF token, which is a per-reader secret. Its one form, the reading-level choice,
is checked instead against what the browser itself says about where the request comes from,
headers that no page can set on a request it makes another site's way (the approach of the
OWASP CSRF cheat sheet's "Fetch Metadata" and "Verifying Origin" defences, and of Go's
``net/http.CrossOriginProtection``), in this order:

1. ``Sec-Fetch-Site``, which every current browser sends: ``same-origin`` (one of our pages)
   and ``none`` (the reader's own action, such as a bookmark) pass; from another site, only
   an ``Origin`` listed in ``CSRF_TRUSTED_ORIGINS`` does;
2. without it, ``Origin``, which browsers send with every POST since 2020: it must be this site;
3. without either, ``Referer``, which our pages send to us (``Referrer-Policy: same-origin``):
   it must be a page of this site;
4. with none of them, the request is refused.

Origins in ``CSRF_TRUSTED_ORIGINS`` count as this site throughout, as they do for Django's CSRF
checks.
"""

from urllib.parse import urlsplit

from django.conf import settings

_SAME_ORIGIN_FETCH_SITES = ("same-origin", "none")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _is_trusted(origin: str) -> bool:
    return origin.lower() in {_origin_of(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS}


def _is_this_site(request, origin: str) -> bool:
    if not origin or origin == "null":
        return False
    return origin.lower() == f"{request.scheme}://{request.get_host()}".lower() or _is_trusted(
        origin
    )


def cross_origin_refusal(request) -> str | None:
    """Why ``request`` is refused as coming from another site; None when it comes from ours."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None:
        if fetch_site in _SAME_ORIGIN_FETCH_SITES or _is_trusted(origin or ""):
            return None
        return "Your browser says this choice was sent from another site."
    if origin is not None:
        if _is_this_site(request, origin):
            return None
        return "Your browser says this choice was sent from another site."
    referer = request.headers.get("Referer")
    if referer is not None:
        if _is_this_site(request, _origin_of(referer)):
            return None
        return "Your browser says this choice was sent from a page of another site."
    return "Your browser did not say which site this choice was sent from."
