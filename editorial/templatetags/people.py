"""``{% load people %}``: how templates name a person, by the one rule of ``editorial.people``."""

from django import template

from editorial import people

register = template.Library()


@register.filter
def display_name(user) -> str:
    """``{{ user|display_name }}``: full name, or the username of someone who has none."""
    if user is None or user == "":
        return ""
    return people.display_name(user)
