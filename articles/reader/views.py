"""The public reader site (docs/reader.md), built to be served by shared caches (a CDN, or the
reference nginx in ``deploy/nginx/``) to readers in their millions.

- ``/articles/<slug>/<level>/`` is the article page at one reading level: the same bytes for
  everyone who asks for that article, level and content version. It is public for
  ``EDITORIAL_EDGE_MAX_AGE`` seconds in shared caches (browsers ask again every time), with a
  strong ``ETag`` and ``Last-Modified`` known from the article's published version, so a
  conditional request is answered 304 before anything is rendered. It reads no cookie, sets
  none and carries no CSRF token. A draft or withdrawn article is 404 there, cacheable too
  (publishing purges it), so a withdrawn article readers keep asking for does not reach the
  origin each time.
- ``/articles/<slug>/`` is each reader's own door, never cached: a GET redirects to the page in
  the level a shared link names (``?level=``), else the one remembered in the reader's cookie,
  else clinician. The "Which best describes you?" form posts there; it remembers the level in
  the cookie and redirects (303) to that level's page. Being on a shared page, the form carries
  no token; it is protected from other sites by the browser's word on where it comes from
  (``same_origin``).
- ``/`` lists the published articles; public too, purged with every change of an article.

Every request first asks which version of the article is published (``versions``: the database,
or on PostgreSQL what the connection remembers until a change is notified), so the origin never
serves a draft or withdrawn article, whatever is cached (docs/invariants.md#i6-privacy-of-drafts);
and every change readers could see purges the shared caches after commit (``edge``).

Whatever is added to the article page must keep it the same for every reader of its URL and
version: nothing taken from the request, the reader, a cookie or the clock (build absolute links
from ``SITE_URL``). Features for one reader (a form to report a problem) live on their own
uncached URLs; the page only links to them.
"""

import time
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from ..choices import ReadingLevel
from .governance import governance_context, report_link_maker
from .page_cache import cached_page, page_etag, published_article_header
from .rendering import (
    article_body_html,
    reading_level_choices_html,
    references_html,
    review_stepper_html,
)
from .same_origin import cross_origin_refusal
from .selectors import (
    REVIEW_STEPS,
    ArticleHeader,
    article_for_reader,
    known_reading_level,
    published_articles,
)
from .versions import published_version

READING_LEVEL_COOKIE = "reading_level"
READING_LEVEL_COOKIE_AGE = 365 * 24 * 60 * 60

READING_LEVEL_CHOICES = [
    (level, ReadingLevel(level).label)
    for level in (ReadingLevel.PATIENT, ReadingLevel.STUDENT, ReadingLevel.CLINICIAN)
]
"""The personalize box, in the order the seed page offers them."""


def article_page_url(slug: str, level: str) -> str:
    """The address of the article's page in one reading level: what shared caches hold."""
    return reverse("articles:page", kwargs={"slug": slug, "level": level})


def shared(response: HttpResponse) -> HttpResponse:
    """Let shared caches keep ``response`` for ``EDITORIAL_EDGE_MAX_AGE`` seconds; browsers
    ask again every time, and get a 304 from the nearest cache while it is unchanged."""
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.EDITORIAL_EDGE_MAX_AGE}"
    return response


def for_this_reader_only(response: HttpResponse) -> HttpResponse:
    """Keep ``response`` out of every cache: it depends on the reader's cookie."""
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response


def _shared_with_etag(request, response: HttpResponse) -> HttpResponse:
    """``shared`` for a page whose bytes are its only version: the ETag is their digest."""
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=shared(response))


_CONDITIONAL_HEADERS = frozenset(
    ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
)
"""The request headers that can make a page's answer conditional (RFC 9110 §13)."""


@lru_cache(maxsize=1024)
def _http_date(timestamp: int) -> str:
    """Last-Modified of a content version: the same for every request of that version."""
    return http_date(timestamp)


def _settled_at(changed_at: datetime) -> int:
    """The first whole second after a version's change: HTTP dates count whole seconds.

    Two versions changed within one second share that second, so a date naming it cannot tell
    them apart: ``If-Modified-Since`` alone gets a 304 only for a date from a later second
    (``get_conditional_response`` answers 304 when ``last_modified`` <= the date). Once the
    second is over, no other version can share it, so ``Last-Modified`` names the settled
    second and its echo revalidates; a page served within the second names that second
    (never a date after the response's own), and its echo gets the page again, never a
    stale 304.
    """
    return int(changed_at.timestamp()) + 1


def _not_found(request) -> HttpResponse:
    return render(request, "404.html", status=404)


@require_safe
def article_list(request):
    articles = [(article, REVIEW_STEPS[article.review_step]) for article in published_articles()]
    return _shared_with_etag(
        request, render(request, "articles/article_list.html", {"articles": articles})
    )


@require_safe
def article_page(request, slug: str, level: str):
    """The article in one reading level, for every reader alike (see the module docstring)."""
    header = published_article_header(slug)
    if header is None:
        return shared(_not_found(request))
    settled_at = _settled_at(header.content_changed_at)
    response = shared(HttpResponse())
    response["ETag"] = page_etag(header, level)
    response["Last-Modified"] = _http_date(min(settled_at, int(time.time())))
    if not _CONDITIONAL_HEADERS.isdisjoint(request.META):
        conditional = get_conditional_response(
            request, etag=response["ETag"], last_modified=settled_at, response=response
        )
        if conditional is not response:
            return conditional
    response.content = cached_page(header, level, render=_render_article_page)
    return response


@csrf_exempt  # The form is on a shared page and carries no token: see cross_origin_refusal.
@require_http_methods(["GET", "HEAD", "POST"])
def article_detail(request, slug: str):
    """The reader's own door to an article: off to the page in their reading level."""
    if published_version(slug=slug) is None:
        return for_this_reader_only(_not_found(request))
    if request.method == "POST":
        return for_this_reader_only(_choose_reading_level(request, slug))
    level = (
        known_reading_level(request.GET.get("level"))
        or known_reading_level(request.COOKIES.get(READING_LEVEL_COOKIE))
        or ReadingLevel.CLINICIAN
    )
    return for_this_reader_only(HttpResponseRedirect(article_page_url(slug, level)))


def _choose_reading_level(request, slug: str) -> HttpResponse:
    """The personalize form: remember the level in a cookie, then show the page in that level."""
    refusal = cross_origin_refusal(request)
    if refusal is not None:
        return render(
            request,
            "articles/reading_level_refused.html",
            {
                "header": published_article_header(slug),
                "reason": refusal,
                "pages": [
                    (label, article_page_url(slug, level)) for level, label in READING_LEVEL_CHOICES
                ],
            },
            status=403,
        )
    level = known_reading_level(request.POST.get("level")) or ReadingLevel.CLINICIAN
    response = HttpResponseRedirect(article_page_url(slug, level), status=303)
    response.set_cookie(
        READING_LEVEL_COOKIE,
        level,
        max_age=READING_LEVEL_COOKIE_AGE,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _render_article_page(header: ArticleHeader, level: str) -> bytes:
    article = article_for_reader(header=header, reading_level=level)
    report_link = report_link_maker(
        slug=header.slug, level=article.reading_level, version=header.content_version
    )
    return render_to_string(
        "articles/article_detail.html",
        {
            "article": article,
            "body": article_body_html(article.sections, after_claim=report_link),
            "references": references_html(article.references),
            "stepper": review_stepper_html(header.review_step),
            "level_choices": reading_level_choices_html(
                READING_LEVEL_CHOICES, article.reading_level
            ),
            **governance_context(
                header=header, references=article.references, level=article.reading_level
            ),
        },
    ).encode()


@require_safe
def editorial_policy(request):
    return _shared_with_etag(request, render(request, "articles/editorial_policy.html"))
