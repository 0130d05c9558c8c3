"""What names the bytes of an article page, and the origin's cache of rendered pages.

A page's bytes are fixed by the article, the reading level, the content version (it goes up
with every change readers could see) and the code that renders them. That tuple is the page's
strong ``ETag``, known from the article's published version before anything is rendered, so a
conditional request is answered 304 without rendering; it is also the key of the origin's
caches, so a stale page is never found there (old versions simply age out).

Two caches: the pages this process fetched last, kept in its memory as they are (no copy, no
lock held while rendering), in front of Django's cache (``CACHE_URL``: per process by default,
shared with Redis), which renders each page once for all processes.
"""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache as page_store

from .selectors import PublishedVersion

PAGE_CACHE_SECONDS = 24 * 60 * 60
RECENT_PAGES = 256
"""Pages a process keeps in its own memory: a few megabytes for articles of tens of kilobytes."""

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


def page_etag(version: PublishedVersion, level: str) -> str:
    """The strong ETag of the page of ``version`` in ``level``, quoted (digits, a reading level
    and hexadecimal digits need no escaping)."""
    return f'"{version.id}-{version.content_version}-{level}-{page_format()}"'


_recent_pages: OrderedDict[str, bytes] = OrderedDict()
_recent_pages_lock = threading.Lock()


def cached_page(
    version: PublishedVersion, level: str, *, render: Callable[[PublishedVersion, str], bytes]
) -> bytes:
    """The page of ``version`` in ``level``, rendered once."""
    if not settings.EDITORIAL_PAGE_CACHE:
        return render(version, level)
    key = f"articles:page:{version.id}:{level}:{version.content_version}:{page_format()}"
    page = _recent_pages.get(key)
    if page is not None:
        return page
    page = page_store.get(key)
    if page is None:
        page = render(version, level)
        page_store.set(key, page, PAGE_CACHE_SECONDS)
    with _recent_pages_lock:
        _recent_pages[key] = page
        if len(_recent_pages) > RECENT_PAGES:
            _recent_pages.popitem(last=False)
    return page


def forget_recent_pages() -> None:
    """Empty this process's memory of pages (tests that count renders)."""
    with _recent_pages_lock:
        _recent_pages.clear()
