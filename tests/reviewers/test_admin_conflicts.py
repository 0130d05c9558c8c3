"""Conflicts of interest in the admin: the accept action asks for a declaration, approvers
override with a reason, board members keep their own declarations (docs/governance.md)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from reviewers.choices import AssignmentStatus, ConflictStatus, InterestKind
from reviewers.models import DeclarationOfInterest, ReviewAssignment
from tests.factories import ApproverFactory, BoardReviewerFactory, article_with_claims
from tests.workflow import assign_and_start

pytestmark = pytest.mark.django_db

ASSIGNMENTS_URL = reverse("admin:reviewers_reviewassignment_changelist")
DECLARATIONS_URL = reverse("admin:reviewers_declarationofinterest_changelist")


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def assignment(editor, reviewer):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    return article.assignments.get()


def _act(client, assignment, action, **data):
    return client.post(
        ASSIGNMENTS_URL,
        {"action": action, ACTION_CHECKBOX_NAME: [assignment.pk], "index": 0, **data},
        follow=True,
    )


def test_accept_action_asks_for_a_declaration_first(client, reviewer, assignment):
    client.force_login(reviewer)

    form = _act(client, assignment, "accept")

    assert "I have no conflict of interest with this article" in form.text
    assert "I have a conflict of interest with this article" in form.text
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.ASSIGNED


def test_reviewer_accepts_naming_a_conflict_in_the_admin(client, reviewer, assignment):
    client.force_login(reviewer)

    response = _act(
        client,
        assignment,
        "accept",
        declaration="conflict",
        conflict_kind=InterestKind.RESEARCH,
        conflict="Grant from the trial's sponsor, 2025.",
    )

    accepted = ReviewAssignment.objects.get(pk=assignment.pk)
    assert (accepted.status, accepted.conflict_status) == (
        AssignmentStatus.ACCEPTED,
        ConflictStatus.DECLARED,
    )
    assert accepted.declared_conflict.text == "Grant from the trial's sponsor, 2025."
    assert "1 assignment accepted." in _messages(response)


def test_a_conflict_must_be_described(client, reviewer, assignment):
    client.force_login(reviewer)

    response = _act(client, assignment, "accept", declaration="conflict", conflict="  ")

    assert "Describe your conflict of interest." in response.text
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == AssignmentStatus.ASSIGNED


def test_approver_overrides_a_declared_conflict_in_the_admin(client, reviewer, assignment):
    client.force_login(reviewer)
    _act(client, assignment, "accept", declaration="conflict", conflict="Fees from the maker.")
    approver = ApproverFactory()
    client.force_login(approver)

    assert assignment.article.title in client.get(ASSIGNMENTS_URL).text
    form = _act(client, assignment, "override_conflict")
    response = _act(client, assignment, "override_conflict", reason="Small and declared.")

    assert "Fees from the maker." in form.text
    overridden = ReviewAssignment.objects.get(pk=assignment.pk)
    assert overridden.conflict_status == ConflictStatus.OVERRIDDEN
    assert overridden.conflict_overridden_by == approver
    assert "1 assignment cleared to recommend approval." in _messages(response)


def test_the_reviewer_cannot_override_their_own_conflict(client, reviewer, assignment):
    client.force_login(reviewer)
    _act(client, assignment, "accept", declaration="conflict", conflict="Fees from the maker.")

    response = _act(client, assignment, "override_conflict", reason="I am impartial.")

    assert any("another approver must decide" in text for text in _messages(response))
    assert ReviewAssignment.objects.get(pk=assignment.pk).conflict_status == ConflictStatus.DECLARED


def test_board_member_declares_an_interest_on_their_own_profile(client, reviewer):
    client.force_login(reviewer)
    add_url = reverse("admin:reviewers_declarationofinterest_add")

    page = client.get(add_url)
    client.post(
        add_url,
        {
            "kind": InterestKind.PROFESSIONAL,
            "text": "Member of the KDIGO guideline panel.",
            "valid_from": "2024-01-01",
            "valid_to": "",
            "article": "",
            "reason": "Annual declaration",
        },
    )

    assert 'name="profile"' not in page.text
    declaration = DeclarationOfInterest.objects.get()
    assert declaration.profile.user == reviewer
    assert declaration.history.get().history_change_reason == "Annual declaration"


def test_board_member_sees_only_their_own_declarations(client, reviewer):
    other = BoardReviewerFactory()
    DeclarationOfInterest.objects.create(
        profile=other.reviewer_profile, kind=InterestKind.OTHER, text="Someone else's interest"
    )
    client.force_login(reviewer)

    assert "Someone else&#x27;s interest" not in client.get(DECLARATIONS_URL).text


def test_a_declaration_only_ends_in_the_admin(client, reviewer):
    declaration = DeclarationOfInterest.objects.create(
        profile=reviewer.reviewer_profile,
        kind=InterestKind.FINANCIAL,
        text="Shares in a dialysis provider.",
        valid_from="2020-01-01",
    )
    client.force_login(reviewer)
    url = reverse("admin:reviewers_declarationofinterest_change", args=[declaration.pk])
    today = timezone.localdate().isoformat()

    client.post(url, {"valid_to": today, "reason": "Sold the shares"})

    ended = DeclarationOfInterest.objects.get(pk=declaration.pk)
    assert (ended.text, str(ended.valid_to)) == ("Shares in a dialysis provider.", today)
    assert ended.history.latest("history_id").history_change_reason.endswith("Sold the shares")
    assert client.post(
        reverse("admin:reviewers_declarationofinterest_delete", args=[declaration.pk])
    ).status_code in (302, 403)
    assert DeclarationOfInterest.objects.filter(pk=declaration.pk).exists()
