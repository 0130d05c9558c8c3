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
from tests.factories import BoardReviewerFactory, UserFactory, article_with_claims
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


def _todo_list(page: str, key: str) -> str:
    """One to-do list's box, up to the next one."""
    start = page.index(f'id="todo-{key}"')
    return page[start : page.index("</div>", start)]


class TestReadyToApprove:
    """An approver's desk lists what the approve transition would let them approve now,
    whatever assignments of the round are still open (docs/workflows.md#the-back-office)."""

    def test_listed_while_a_conflicted_reviewers_assignment_is_still_open(
        self, client, approver, ready_article_with_open_assignments
    ):
        article = ready_article_with_open_assignments
        ready = _todo_list(desk(client, approver), "ready-to-approve")
        assert article.title in ready
        assert reverse("admin:articles_article_change", args=[article.pk]) in ready
        assert "2 assignments still open, closed by the approval" in ready

    def test_not_listed_once_approved(self, client, approver, ready_article_with_open_assignments):
        article = ready_article_with_open_assignments
        reviewer_services.article_approve(article=article, actor=approver)
        page = desk(client, approver)
        assert article.title not in _todo_list(page, "ready-to-approve")
        assert "No article is ready for your approval." in page

    def test_not_listed_for_the_articles_creator(self, client, ready_article_with_open_assignments):
        from django.contrib.auth.models import Group

        from reviewers.roles import APPROVERS

        creator = ready_article_with_open_assignments.created_by
        creator.groups.add(Group.objects.get(name=APPROVERS))
        page = desk(client, creator)
        assert ready_article_with_open_assignments.title not in _todo_list(page, "ready-to-approve")

    def test_not_listed_while_a_claim_awaits_a_decision(self, client, approver, article):
        assert article.title not in _todo_list(desk(client, approver), "ready-to-approve")

    def test_only_approvers_get_the_list(
        self, client, editor, approver, ready_article_with_open_assignments
    ):
        assert 'id="todo-ready-to-approve"' in desk(client, approver)
        assert 'id="todo-ready-to-approve"' not in desk(client, editor)

    def test_the_list_costs_the_same_statements_for_one_article_or_three(
        self, approver, editor, reviewer
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from desk.selectors import _ready_to_approve
        from tests.workflow import ready_with_open_assignments

        def ready_one():
            article = assign_and_start(
                article_with_claims(claims=2, editor=editor), editor=editor, reviewer=reviewer
            )
            ready_with_open_assignments(
                article, editor=editor, reviewer=reviewer, still_open=[BoardReviewerFactory()]
            )

        def statements() -> int:
            with CaptureQueriesContext(connection) as queries:
                todo = _ready_to_approve(approver)
            return len(queries), len(todo.items)

        ready_one()
        statements()  # the approver's permissions, read once and cached on the user
        one = statements()
        ready_one()
        ready_one()
        three = statements()
        assert (one[1], three[1]) == (1, 3)
        assert one[0] == three[0]


def test_my_assignments_no_longer_list_an_article_i_approved(
    client, approver, ready_article_with_open_assignments
):
    article = ready_article_with_open_assignments
    assert article.title in _todo_list(desk(client, approver), "assignments")
    reviewer_services.article_approve(article=article, actor=approver)
    assert article.title not in _todo_list(desk(client, approver), "assignments")
