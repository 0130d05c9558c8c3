"""What names the bytes of an article page, and the origin's cache of rendered pages.

A page's bytes are fixed by the article, the reading level, the content version (it goes up
with every change readers could see) and the code that renders them. That tuple is the page's
strong ``ETag``, known from the article's header before anything is rendered, so a conditional
request is answered 304 without rendering; it is also the key of the origin's cache, so a stale
page is never found there (old versions simply age out).
"""

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache as page_store
from django.utils.http import quote_etag

from .selectors import ArticleHeader

PAGE_CACHE_SECONDS = 24 * 60 * 60

_RENDERING_SOURCES = (
    ("templates", "*.html"),
    ("articles/reader", "*.py"),
    ("articles/templatetags", "*.py"),
    ("articles/outline.py", ""),
)


@cache
def page_format() -> str:
    """A short fingerprint of everything besides the article that shapes its page's bytes: the
    templates, the rendering code, the static files' names (hashed in production) and the time
    zone of dates. A deployment that changes any of them changes every page's ETag and cache key,
    so no cache ever pairs an old ETag with new bytes."""
    digest = hashlib.sha256(settings.TIME_ZONE.encode())
    for place, pattern in _RENDERING_SOURCES:
        path = settings.BASE_DIR / place
        for source in sorted(path.rglob(pattern)) if pattern else [path]:
            digest.update(str(source.relative_to(settings.BASE_DIR)).encode())
            digest.update(source.read_bytes())
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and Path(staticfiles_storage.path(manifest)).exists():
        digest.update(Path(staticfiles_storage.path(manifest)).read_bytes())
    return digest.hexdigest()[:12]


def page_etag(header: ArticleHeader, level: str) -> str:
    """The strong ETag of the page of ``header`` in ``level``, quoted."""
    return quote_etag(f"{header.id}-{header.content_version}-{level}-{page_format()}")


def cached_page(
    header: ArticleHeader, level: str, *, render: Callable[[ArticleHeader, str], bytes]
) -> bytes:
    """The page of ``header`` in ``level``, rendered once per content version."""
    if not settings.EDITORIAL_PAGE_CACHE:
        return render(header, level)
    key = f"articles:page:{header.id}:{level}:{header.content_version}:{page_format()}"
    page = page_store.get(key)
    if page is None:
        page = render(header, level)
        page_store.set(key, page, PAGE_CACHE_SECONDS)
    return page
