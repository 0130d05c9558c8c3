"""A rate limit per client for anonymous forms, counted in Django's cache.

Fixed windows: each client gets ``limit`` attempts per window, counted under a key naming the
window, which expires with it. A client may squeeze up to twice the limit across a window's
edge; that is the price of one cache operation per attempt. With the per-process memory cache
each process counts alone: set ``CACHE_URL`` to a shared cache (Redis) when several serve.
"""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone


def allow_attempt(
    scope: str, client: str, *, limit: int, window: timedelta, now: datetime | None = None
) -> bool:
    """Count one attempt by ``client``; False once it is over ``limit`` in this window."""
    seconds = int(window.total_seconds())
    moment = now or timezone.now()
    key = f"throttle:{scope}:{client}:{int(moment.timestamp()) // seconds}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count <= limit
