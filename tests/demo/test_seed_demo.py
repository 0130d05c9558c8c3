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


def _demo_claim(start: str) -> Claim:
    return next(
        claim
        for claim in Claim.objects.prefetch_related("wordings")
        if claim.wording_text(ReadingLevel.CLINICIAN).startswith(start)
    )


def test_seed_demo_again_keeps_an_editors_edited_wording():
    from django.contrib.auth import get_user_model

    from articles.services import wording_set

    seed_demo()
    editor = get_user_model().objects.get(username="editor")
    claim = _demo_claim("Occurs in damaged or devitalized tissues")
    wording_set(
        claim=claim,
        level=ReadingLevel.PATIENT,
        text="It forms in hurt tissue.",
        actor=editor,
        reason="Simpler",
    )
    before = history_rows()

    output = seed_demo()

    assert "nothing changed" in output
    assert history_rows() == before
    assert _demo_claim("Occurs in damaged").wording_text(ReadingLevel.PATIENT) == (
        "It forms in hurt tissue."
    )


def test_seed_demo_again_does_not_bring_back_a_removed_wording():
    from django.contrib.auth import get_user_model

    from articles.services import wording_set

    seed_demo()
    editor = get_user_model().objects.get(username="editor")
    claim = _demo_claim("Asymptomatic CPPD requires no treatment")
    wording_set(claim=claim, level=ReadingLevel.PATIENT, text="", actor=editor, reason="Unneeded")

    seed_demo()

    claim = _demo_claim("Asymptomatic CPPD requires no treatment")
    assert ReadingLevel.PATIENT not in claim.texts_by_level()


def test_seed_demo_again_leaves_a_withdrawn_article_and_a_regrouped_user_alone():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from articles.services import article_withdraw

    seed_demo()
    users = get_user_model().objects
    article = Article.objects.get()
    article_withdraw(article=article, actor=users.get(username="editor"), reason="Outdated")
    okafor = users.get(username="dr.okafor")
    okafor.groups.remove(Group.objects.get(name="Medical Advisory Board"))

    output = seed_demo()

    assert "nothing changed" in output
    assert Article.objects.get().publication_status == PublicationStatus.WITHDRAWN
    assert not okafor.groups.filter(name="Medical Advisory Board").exists()


def test_seed_demo_again_does_not_restart_a_review_sent_back_and_resubmitted():
    from django.contrib.auth import get_user_model

    from articles.services import article_request_changes, article_resubmit

    seed_demo()
    users = get_user_model().objects
    article = article_request_changes(
        article=Article.objects.get(), actor=users.get(username="dr.okafor"), note="Redo"
    )
    article_resubmit(article=article, actor=users.get(username="editor"))

    output = seed_demo()

    assert "nothing changed" in output
    article = Article.objects.get()
    assert (article.review_status, article.round) == (ReviewStatus.SUBMITTED, 2)
    assert ReviewAssignment.objects.filter(round=2).count() == 2


def test_seed_demo_creates_only_what_is_missing():
    from tests.factories import EditorFactory

    EditorFactory(username="editor", first_name="Edith")

    output = seed_demo()

    assert "created the editor editor" not in output
    assert "created the board reviewer dr.okafor" in output
    article = Article.objects.get()
    assert article.created_by.first_name == "Edith"
    assert article.review_status == ReviewStatus.UNDER_REVIEW
