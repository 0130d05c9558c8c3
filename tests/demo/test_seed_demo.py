"""``manage.py seed_demo``: the whole product in one command, and nothing more on a second run."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from articles.choices import FeedbackStatus, PublicationStatus, ReadingLevel, ReviewStatus
from articles.models import Article, Claim, ClaimFeedback, Reference, Wording
from desk.selectors import governance_dashboard
from reviewers.choices import AssignmentStatus, ConflictStatus
from reviewers.models import DeclarationOfInterest, ReviewAssignment

pytestmark = pytest.mark.django_db

# Each test runs the whole demo. The runs after a change by hand (``again``) are ``slow``: the
# quick loop keeps test_second_seed_demo_changes_nothing_and_says_so.


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


def _demo_claim(start: str) -> Claim:
    return next(
        claim
        for claim in Claim.objects.prefetch_related("wordings")
        if claim.wording_text(ReadingLevel.CLINICIAN).startswith(start)
    )


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_seed_demo_again_leaves_a_withdrawn_article_and_a_regrouped_user_alone():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from articles.services import article_withdraw

    seed_demo()
    users = get_user_model().objects
    article = Article.objects.get(slug="calcium-deposits-in-tissues")
    article_withdraw(article=article, actor=users.get(username="editor"), reason="Outdated")
    okafor = users.get(username="dr.okafor")
    okafor.groups.remove(Group.objects.get(name="Medical Advisory Board"))

    output = seed_demo()

    assert "nothing changed" in output
    assert (
        Article.objects.get(slug="calcium-deposits-in-tissues").publication_status
        == PublicationStatus.WITHDRAWN
    )
    assert not okafor.groups.filter(name="Medical Advisory Board").exists()


@pytest.mark.slow
def test_seed_demo_again_does_not_restart_a_review_sent_back_and_resubmitted():
    from django.contrib.auth import get_user_model

    from articles.services import article_request_changes
    from reviewers.services import article_resubmit

    seed_demo()
    users = get_user_model().objects
    article = article_request_changes(
        article=Article.objects.get(slug="calcium-deposits-in-tissues"),
        actor=users.get(username="dr.okafor"),
        note="Redo",
    )
    article_resubmit(article=article, actor=users.get(username="editor"))

    output = seed_demo()

    assert "nothing changed" in output
    article = Article.objects.get(slug="calcium-deposits-in-tissues")
    assert (article.review_status, article.round) == (ReviewStatus.SUBMITTED, 2)
    assert ReviewAssignment.objects.filter(round=2).count() == 2


@pytest.mark.slow
def test_seed_demo_creates_only_what_is_missing():
    from tests.factories import EditorFactory

    EditorFactory(username="editor", first_name="Edith")

    output = seed_demo()

    assert "created the editor editor" not in output
    assert "created the board reviewer dr.okafor" in output
    article = Article.objects.get(slug="calcium-deposits-in-tissues")
    assert article.created_by.first_name == "Edith"
    assert article.review_status == ReviewStatus.UNDER_REVIEW
