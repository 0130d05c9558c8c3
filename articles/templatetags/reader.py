"""Template tags of the reader site."""

from functools import cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@register.simple_tag
def site_url(name: str) -> str:
    """``{% url name %}`` for the site's fixed pages (no arguments), reversed once per process.

    Every page links to the same few pages; reversing them on each render was a fair share of
    the time an uncached article page took.
    """
    return _reversed(name, get_script_prefix())


@cache
def _reversed(name: str, script_prefix: str) -> str:
    return reverse(name)
