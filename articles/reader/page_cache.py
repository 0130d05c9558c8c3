"""What names the bytes of an article page, and the origin's cache of rendered pages.

A page's bytes are fixed by the article, the reading level, the content version (it goes up
with every change readers could see) and the code that renders them. That tuple is the page's
strong ``ETag``, known from the article's published version before anything is rendered, so a
conditional request is answered 304 without rendering; it is also the key of the origin's
caches, so a stale page is never found there (old versions simply age out).

A version never changes once made (any change makes a new one), so what belongs to it is
remembered: its header, read by the first request that needs it, and its pages. Two caches: the
headers and pages this process used last, kept in its memory as they are, in front of Django's
cache (``CACHE_URL``: per process by default, shared with Redis), which renders each page once
for all processes.
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

from .selectors import ArticleHeader, PublishedVersion, published_header
from .versions import published_version

PAGE_CACHE_SECONDS = 24 * 60 * 60
RECENT_PAGES = 256
"""Pages a process keeps in its own memory: a few megabytes for articles of tens of kilobytes."""
RECENT_HEADERS = 1024

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
    """The strong ETag of the page of ``header`` in ``level``, quoted (digits, a reading level
    and hexadecimal digits need no escaping)."""
    return f'"{header.id}-{header.content_version}-{level}-{page_format()}"'


_recent_headers: OrderedDict[tuple[int, int], ArticleHeader] = OrderedDict()
_recent_pages: OrderedDict[str, bytes] = OrderedDict()
_recent_lock = threading.Lock()


def _remember(memory: OrderedDict, key, value, size: int) -> None:
    with _recent_lock:
        memory[key] = value
        if len(memory) > size:
            memory.popitem(last=False)


def version_header(version: PublishedVersion) -> ArticleHeader | None:
    """The header of ``version``, read once; None if the article changed or was withdrawn since
    ``version`` was read."""
    key = (version.id, version.content_version)
    header = _recent_headers.get(key) if settings.EDITORIAL_PAGE_CACHE else None
    if header is None:
        header = published_header(version)
        if header is not None and settings.EDITORIAL_PAGE_CACHE:
            _remember(_recent_headers, key, header, RECENT_HEADERS)
    return header


def published_article_header(slug: str) -> ArticleHeader | None:
    """The header of the published article at ``slug``, None if there is none (drafts and
    withdrawn, docs/invariants.md#i6-privacy-of-drafts). A version made between its two reads is
    read again."""
    for _attempt in range(3):
        version = published_version(slug=slug)
        if version is None:
            return None
        header = version_header(version)
        if header is not None:
            return header
    return None


def cached_page(
    header: ArticleHeader, level: str, *, render: Callable[[ArticleHeader, str], bytes]
) -> bytes:
    """The page of ``header``'s version in ``level``, rendered once."""
    if not settings.EDITORIAL_PAGE_CACHE:
        return render(header, level)
    key = f"articles:page:{header.id}:{level}:{header.content_version}:{page_format()}"
    page = _recent_pages.get(key)
    if page is not None:
        return page
    page = page_store.get(key)
    if page is None:
        page = render(header, level)
        page_store.set(key, page, PAGE_CACHE_SECONDS)
    _remember(_recent_pages, key, page, RECENT_PAGES)
    return page


def forget_recent_pages() -> None:
    """Empty this process's memory of headers and pages (tests that count queries)."""
    with _recent_lock:
        _recent_headers.clear()
        _recent_pages.clear()
