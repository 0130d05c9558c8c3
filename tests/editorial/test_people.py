"""How Editorial names a person (``editorial/people.py``): one rule for Python and templates."""

from pathlib import Path

import pytest
from django.template import Context, Template

from editorial.people import display_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def rendered(user) -> str:
    return Template("{% load people %}{{ user|display_name }}").render(Context({"user": user}))


def test_display_name_is_the_full_name():
    user = UserFactory(username="emarsh", first_name="Elena", last_name="Marsh")

    assert display_name(user) == rendered(user) == "Elena Marsh"


def test_display_name_falls_back_to_the_username_of_someone_with_no_name():
    user = UserFactory(username="emarsh", first_name="", last_name=" ")

    assert display_name(user) == rendered(user) == "emarsh"


def test_display_name_of_nobody_is_empty():
    assert rendered(None) == ""


def test_templates_name_people_only_through_the_filter():
    spelled = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.is_file() and "get_full_name" in path.read_text(encoding="utf-8")
    ]

    assert spelled == []
