"""The admin login's brute-force protection (django-axes): whose attempt it is, and what a
locked-out person sees."""

import ipaddress

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext_lazy as _


def client_ip_address(request) -> str | None:
    """The client's address, as far as it can be trusted (``AXES_CLIENT_IP_CALLABLE``).

    With no proxy configured (``EDITORIAL_PROXY_COUNT`` 0) it is the connection's address and
    X-Forwarded-For is ignored: anyone can send that header, and a forged one would buy an
    attacker fresh login attempts with every request. Behind N proxies that each append the
    address they saw, the client is the Nth address from the right; those further left were
    written by the client itself. A request that did not pass all N proxies counts under the
    connection's address.
    """
    proxies = settings.EDITORIAL_PROXY_COUNT
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        addresses = [address.strip() for address in forwarded if address.strip()]
        if len(addresses) >= proxies and _is_ip_address(addresses[-proxies]):
            return addresses[-proxies]
    return request.META.get("REMOTE_ADDR")


def _is_ip_address(text: str) -> bool:
    """Axes stores the address in an ``inet`` column: anything else would be a DataError."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page (``AXES_LOCKOUT_CALLABLE``), in the admin login's look: what happened and
    what to do, with HTTP 429."""
    now = timezone.now()
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed login attempts"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff": timeuntil(now + settings.AXES_COOLOFF_TIME, now),
    }
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
