"""Data migrations of articles, run against the current models."""

import importlib

import pytest
from django.apps import apps

from articles import services
from articles.models import Article
from tests.factories import article_with_claims
from tests.workflow import assign_and_start

pytestmark = pytest.mark.django_db

send_back_notes = importlib.import_module("articles.migrations.0008_send_back_notes_from_history")


def test_send_back_notes_are_filled_from_the_last_request_for_changes_in_history(editor, reviewer):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    services.article_request_changes(article=article, actor=reviewer, note="Cite the trial.")
    Article.objects.filter(pk=article.pk).update(
        changes_requested_note="", changes_requested_by=None, changes_requested_at=None
    )

    send_back_notes.notes_from_history(apps, None)

    article.refresh_from_db()
    assert article.changes_requested_note == "Cite the trial."
    assert article.changes_requested_by == reviewer
    assert article.changes_requested_at == article.history.latest().history_date
