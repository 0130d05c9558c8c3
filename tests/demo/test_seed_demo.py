"""``manage.py seed_demo``: the whole product in one command, and nothing more on a second run."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from articles import services
from articles.choices import FeedbackStatus, PublicationStatus, ReadingLevel, ReviewStatus
from articles.models import Article, Claim, ClaimFeedback, Reference, Wording
from desk.selectors import governance_dashboard
from reviewers.choices import AssignmentStatus, ConflictStatus
from reviewers.models import DeclarationOfInterest, ReviewAssignment

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

    article = Article.objects.get(slug="calcium-deposits-in-tissues")
    claim = Claim.objects.of_article(article).get(order=1, section__order=1)
    assert claim.wording_text(ReadingLevel.PATIENT) != claim.wording_text(ReadingLevel.CLINICIAN)
    assert claim.wording_text(ReadingLevel.STUDENT) != claim.wording_text(ReadingLevel.CLINICIAN)
    wordings = Wording.objects.filter(claim__section__article=article)
    assert wordings.filter(level=ReadingLevel.PATIENT).count() == 5
    assert wordings.filter(level=ReadingLevel.STUDENT).count() == 3


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
    assert Article.objects.count() == 2
    assert ReviewAssignment.objects.count() == 3
    assert ClaimFeedback.objects.count() == 3


def test_seed_demo_approves_a_second_article_with_its_reviewer_and_dates():
    seed_demo()

    article = Article.objects.get(slug="coronary-artery-calcium-score")
    assert (article.review_status, article.publication_status) == (
        ReviewStatus.APPROVED,
        PublicationStatus.PUBLISHED,
    )
    assert article.approved_by.username == "dr.reyes"
    assert article.approved_at.date() == timezone.localdate()
    assert article.next_review_due == timezone.localdate() + timedelta(days=21)
    assignment = article.assignments.get()
    assert (assignment.reviewer.username, assignment.conflict_status) == (
        "dr.okafor",
        ConflictStatus.NONE,
    )
    assert assignment.status == AssignmentStatus.COMPLETED


def test_seed_demo_shows_a_declared_conflict_of_interest():
    seed_demo()

    assignment = ReviewAssignment.objects.get(
        reviewer__username="dr.lindqvist", article__slug="calcium-deposits-in-tissues"
    )
    assert assignment.conflict_status == ConflictStatus.DECLARED
    assert "phosphate binders" in assignment.declared_conflict.text
    assert DeclarationOfInterest.objects.filter(profile__user__username="dr.okafor").exists()


def test_seed_demo_puts_reader_feedback_in_the_queue():
    seed_demo()

    assert ClaimFeedback.objects.open().count() == 2
    answered = ClaimFeedback.objects.get(status=FeedbackStatus.ACCEPTED)
    assert answered.answered_by_change.history_change_reason == (
        "Reader feedback: say what CPPD stands for"
    )


def test_seed_demo_dashboard_has_data():
    output = seed_demo()

    dashboard = governance_dashboard()
    assert (dashboard.compliance.claims, dashboard.compliance.approved) == (50, 7)
    assert [a.slug for a in dashboard.due_for_review] == ["coronary-artery-calcium-score"]
    assert dashboard.open_feedback == 2
    assert [row.count for row in dashboard.turnaround_by_reviewer] == [1]
    assert "7 of 50 published claims approved in their current wording (14 %)" in output


def test_seed_demo_never_overwrites_an_edit():
    seed_demo()
    editor = log_in(username="editor", password="demo-editor-pass")
    article = Article.objects.get(slug="calcium-deposits-in-tissues")
    claim = Claim.objects.of_article(article).get(order=1, section__order=1)
    services.wording_set(
        claim=claim,
        level=ReadingLevel.PATIENT,
        text="Calcium deposits are hard spots of calcium in soft tissue.",
        actor=editor,
        reason="Simpler",
    )

    output = seed_demo()

    assert "nothing changed" in output
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.wording_text(ReadingLevel.PATIENT) == (
        "Calcium deposits are hard spots of calcium in soft tissue."
    )
