"""The public reader site (DESIGN §4).

An article page is cached per (article, reading level, content version). Every request first
asks the database for the article's header, so drafts and withdrawn articles answer 404 even
when a copy of their page is still cached (DESIGN §3 I6), and any change that bumps the content
version is seen by the very next request. The cached page holds a placeholder for the CSRF token
of the reading-level form, filled in per request.
"""

import os

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_safe

from ..choices import ReadingLevel
from .governance import governance_context, report_link_maker
from .page_cache import cached_page
from .rendering import (
    article_body_html,
    reading_level_choices_html,
    references_html,
    review_stepper_html,
)
from .selectors import (
    REVIEW_STEPS,
    ArticleHeader,
    article_for_reader,
    known_reading_level,
    published_article_header,
    published_articles,
)

READING_LEVEL_COOKIE = "reading_level"
READING_LEVEL_COOKIE_AGE = 365 * 24 * 60 * 60

READING_LEVEL_CHOICES = [
    (level, ReadingLevel(level).label)
    for level in (ReadingLevel.PATIENT, ReadingLevel.STUDENT, ReadingLevel.CLINICIAN)
]
"""The personalize box, in the order the seed page offers them."""

_CSRF_PLACEHOLDER = b"__editorial_csrf_token__"
_CSRF_UNBIASED_BYTES = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _new_csrf_secret() -> str:
    """A CSRF secret like Django's, drawn from one read of the OS random source.

    Django's ``get_token`` makes one system call per character (64 a page); on the article page,
    served from cache in well under a millisecond, those calls were a third of the time.
    Rejection sampling keeps every character uniform over Django's alphabet.
    """
    characters: list[str] = []
    while len(characters) < CSRF_SECRET_LENGTH:
        characters.extend(
            CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)]
            for byte in os.urandom(2 * CSRF_SECRET_LENGTH)
            if byte < _CSRF_UNBIASED_BYTES
        )
    return "".join(characters[:CSRF_SECRET_LENGTH])


def reading_form_csrf_token(request) -> str:
    """The token of the reading-level form: the reader's CSRF secret itself.

    Django's CSRF middleware accepts the unmasked secret as a form token (as it does for the
    cookie value in AJAX headers). Masking guards against BREACH on compressed responses that
    reflect attacker input; this page is neither compressed by the app nor reflects input. A
    first visit gets a new secret, which the middleware sets as the cookie, as ``get_token``
    would have it.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        secret = _new_csrf_secret()
        request.META["CSRF_COOKIE"] = secret
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return secret


def reading_level_of(request) -> str:
    """``?level=`` for shared links, else the reader's cookie, else clinician."""
    shared_level = request.GET.get("level") if request.META.get("QUERY_STRING") else None
    return (
        known_reading_level(shared_level)
        or known_reading_level(request.COOKIES.get(READING_LEVEL_COOKIE))
        or ReadingLevel.CLINICIAN
    )


@require_safe
def article_list(request):
    articles = [(article, REVIEW_STEPS[article.review_step]) for article in published_articles()]
    return render(request, "articles/article_list.html", {"articles": articles})


@require_http_methods(["GET", "HEAD", "POST"])
def article_detail(request, slug):
    header = published_article_header(slug=slug)
    if header is None:
        raise Http404("No published article has this address.")
    if request.method == "POST":
        return _choose_reading_level(request)
    page = cached_page(header, reading_level_of(request), render=_render_article_page)
    response = HttpResponse(
        page.replace(_CSRF_PLACEHOLDER, reading_form_csrf_token(request).encode())
    )
    # The page depends on the reading-level cookie and carries a CSRF token: never share it.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    return response


def _choose_reading_level(request) -> HttpResponse:
    """The personalize form: remember the level in a cookie, then show the page again."""
    level = known_reading_level(request.POST.get("level")) or ReadingLevel.CLINICIAN
    response = HttpResponseRedirect(request.path, status=303)
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
            "csrf_token": _CSRF_PLACEHOLDER.decode(),
            **governance_context(
                header=header, references=article.references, level=article.reading_level
            ),
        },
    ).encode()


@require_safe
def editorial_policy(request):
    return render(request, "articles/editorial_policy.html")
