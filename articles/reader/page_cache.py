"""The origin's cache of rendered article pages, one entry per (article, reading level,
content version): any change readers could see bumps the version, so a stale page is never
found; old versions simply age out."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from .selectors import ArticleHeader

PAGE_CACHE_SECONDS = 24 * 60 * 60


def cached_page(
    header: ArticleHeader, level: str, *, render: Callable[[ArticleHeader, str], bytes]
) -> bytes:
    """The page of ``header`` in ``level``, rendered once per content version."""
    if not settings.EDITORIAL_PAGE_CACHE:
        return render(header, level)
    key = f"articles:page:{header.id}:{level}:{header.content_version}"
    page = cache.get(key)
    if page is None:
        page = render(header, level)
        cache.set(key, page, PAGE_CACHE_SECONDS)
    return page
