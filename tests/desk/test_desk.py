"""The editor's desk: the admin index says “Editorial” and lists what awaits each role."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles import services as article_services
from reviewers import services as reviewer_services
from reviewers.choices import ReminderKind
from reviewers.models import Reminder
from tests.factories import UserFactory, article_with_claims
from tests.workflow import assign_and_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(editor, reviewer):
    return assign_and_start(
        article_with_claims(claims=2, editor=editor), editor=editor, reviewer=reviewer
    )


def desk(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.text


def test_the_site_header_is_editorial(client, editor):
    page = desk(client, editor)
    assert "<title>Desk | Editorial</title>" in page
    assert "Django administration" not in page


def test_a_reviewer_sees_claims_awaiting_and_assignments_due(client, reviewer, article):
    assignment = article.assignments.get()
    page = desk(client, reviewer)
    assert "Claims awaiting my decision" in page
    assert "2 claims to decide" in page
    assert reverse("admin:desk_review", args=[assignment.pk]) + "?show=undecided" in page
    assert "My assignments due" in page and "not yet accepted" in page


def test_an_overdue_assignment_is_flagged_for_the_reviewer_and_the_editor(
    client, reviewer, editor, article
):
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert "overdue since" in desk(client, reviewer)
        page = desk(client, editor)
    assert "Reviews overdue" in page


def test_all_reviews_in_is_on_the_editors_desk_with_the_emailed_notice(
    client, editor, reviewer, article, django_capture_on_commit_callbacks
):
    reviewer_services.claims_decide(
        claims=list(article.sections.get().claims.all()), actor=reviewer, decision="approve"
    )
    reviewer_services.assignment_accept(
        assignment=article.assignments.get(), actor=reviewer, no_conflict=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_services.assignment_complete(
            assignment=article.assignments.get(), actor=reviewer, recommendation="approve"
        )
    assert Reminder.objects.filter(article=article, kind=ReminderKind.ALL_REVIEWS_IN).exists()
    Reminder.objects.filter(article=article, kind=ReminderKind.ALL_REVIEWS_IN).update(
        sent_at=timezone.now()
    )
    page = desk(client, editor)
    assert "All reviews in" in page
    assert f"{reviewer.get_full_name()}: approve" in page
    assert "emailed" in page


def test_all_reviews_in_says_which_recommendation_a_later_conflict_holds_back(
    client, editor, reviewer, article
):
    """The desk shows the approval's own rule (docs/invariants.md#i8-conflicts-hold-over-time): a
    conflict declared after the recommendation, for a period covering it, holds it back until an
    approver overrides it."""
    assignment = article.assignments.get()
    reviewer_services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
    reviewer_services.claims_decide(
        claims=list(article.sections.get().claims.all()), actor=reviewer, decision="approve"
    )
    reviewer_services.assignment_complete(
        assignment=assignment, actor=reviewer, recommendation="approve"
    )
    name = reviewer.get_full_name()
    assert f"{name}: approve (conflict" not in desk(client, editor)

    reviewer_services.declaration_add(
        profile=reviewer.reviewer_profile,
        kind="financial",
        text="Shares in the binder's maker.",
        article=article,
        valid_from=timezone.localdate() - timedelta(days=30),
        actor=reviewer,
    )
    assert f"{name}: approve (conflict of interest: counts once overridden)" in desk(client, editor)


def test_an_article_sent_back_is_on_the_editors_desk_with_the_note(
    client, editor, reviewer, article
):
    article_services.article_request_changes(
        article=article, actor=reviewer, note="Claim 2 overstates the risk."
    )
    page = desk(client, editor)
    assert "Sent back by the board" in page
    assert "Claim 2 overstates the risk." in page


def test_the_send_back_note_is_read_from_the_article_not_from_its_history(
    client, editor, reviewer, article
):
    article_services.article_request_changes(
        article=article, actor=reviewer, note="Claim 2 overstates the risk."
    )
    article.history.update(history_change_reason="request_changes: rewritten audit text")
    page = desk(client, editor)
    assert "Claim 2 overstates the risk." in page
    assert "rewritten audit text" not in page


def test_a_reviewer_does_not_get_the_editors_lists(client, reviewer, article):
    page = desk(client, reviewer)
    assert "Sent back by the board" not in page
    assert "All reviews in" not in page


def test_an_article_whose_only_reviewer_was_deactivated_waits_on_the_editors_desk(
    client, editor, reviewer, article
):
    admin = UserFactory(is_superuser=True)
    assert article.title not in _without_reviewer_list(desk(client, editor))

    reviewer_services.user_deactivate(user=reviewer, actor=admin, reason="Left the board")

    waiting = _without_reviewer_list(desk(client, editor))
    assert article.title in waiting
    assert "round 1: assign a board reviewer" in waiting


def _without_reviewer_list(page: str) -> str:
    """The to-do list's own box, up to the next one."""
    start = page.index('id="todo-without-reviewer"')
    return page[start : page.index("</div>", start)]
