"""``manage.py seed_demo``: the whole product in one command, and nothing more on a second run."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from articles.choices import PublicationStatus, ReadingLevel, ReviewStatus
from articles.models import Article, Claim, Reference, Wording
from reviewers.models import ReviewAssignment

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def log_in(*, username: str, password: str):
    """The admin login's check, request included (django-axes refuses authenticate() without)."""
    request = RequestFactory().post("/admin/login/")
    return authenticate(request, username=username, password=password)


def history_rows() -> list[int]:
    return [
        model.history.count() for model in (Article, Claim, Wording, Reference, ReviewAssignment)
    ]


def test_seed_demo_publishes_the_seed_article_under_review():
    seed_demo()

    article = Article.objects.get(slug="calcium-deposits-in-tissues")
    assert article.review_status == ReviewStatus.UNDER_REVIEW
    assert article.publication_status == PublicationStatus.PUBLISHED
    assert Claim.objects.of_article(article).count() == 43
    assert article.incomplete_references().count() == 3
    assert article.created_by.username == "editor"


def test_seed_demo_gives_some_claims_patient_and_student_wordings():
    seed_demo()

    article = Article.objects.get()
    claim = Claim.objects.of_article(article).get(order=1, section__order=1)
    assert claim.wording_text(ReadingLevel.PATIENT) != claim.wording_text(ReadingLevel.CLINICIAN)
    assert claim.wording_text(ReadingLevel.STUDENT) != claim.wording_text(ReadingLevel.CLINICIAN)
    assert Wording.objects.filter(level=ReadingLevel.PATIENT).count() == 5
    assert Wording.objects.filter(level=ReadingLevel.STUDENT).count() == 3


def test_seed_demo_creates_a_user_for_every_role_with_the_printed_password():
    output = seed_demo()

    for username, password in [
        ("admin", "demo-admin-pass"),
        ("editor", "demo-editor-pass"),
        ("dr.okafor", "demo-reviewer-pass"),
        ("dr.lindqvist", "demo-reviewer-pass"),
        ("dr.reyes", "demo-approver-pass"),
    ]:
        assert f"{username:<15} {password}" in output
        assert log_in(username=username, password=password) is not None
    admin = log_in(username="admin", password="demo-admin-pass")
    assert admin.is_superuser
    approver = log_in(username="dr.reyes", password="demo-approver-pass")
    assert approver.has_perm("articles.approve_article")
    assert approver.reviewer_profile.credentials == "MD, FACP"
    editor = log_in(username="editor", password="demo-editor-pass")
    assert editor.has_perm("articles.publish_article")
    assert not editor.has_perm("articles.approve_article")
    assert "http://127.0.0.1:8000/admin/" in output
    assert "http://127.0.0.1:8000/articles/calcium-deposits-in-tissues/" in output


def test_seed_demo_assigns_two_reviewers_one_due_within_48_hours():
    seed_demo()

    assignments = ReviewAssignment.objects.filter(article__slug="calcium-deposits-in-tissues")
    assert sorted(assignments.values_list("reviewer__username", flat=True)) == [
        "dr.lindqvist",
        "dr.okafor",
    ]
    soon = assignments.get(reviewer__username="dr.okafor")
    assert soon.due_at - timezone.now() < timedelta(hours=48)
    assert assignments.get(reviewer__username="dr.lindqvist").due_at - timezone.now() > timedelta(
        hours=48
    )


def test_second_seed_demo_changes_nothing_and_says_so():
    seed_demo()
    before = history_rows()

    output = seed_demo()

    assert "nothing changed" in output
    assert history_rows() == before
    assert Article.objects.count() == 1
    assert ReviewAssignment.objects.count() == 2
