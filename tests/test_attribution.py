"""docs/invariants.md#i3-audit: no deletion erases who did what; every history row says who or what
wrote it."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse
from simple_history.models import registered_models

from articles.models import Claim
from editorial.history import SYSTEM_PREFIX
from reviewers.choices import AssignmentStatus
from reviewers.models import ReviewerProfile
from reviewers.services import assignment_accept, assignment_complete, assignment_create
from tests.factories import BoardReviewerFactory, EditorFactory, UserFactory, article_with_claims
from tests.workflow import assign_and_approve

pytestmark = pytest.mark.django_db

DUE = datetime(2030, 5, 17, 12, 0, tzinfo=UTC)


def test_i3_deleting_a_user_who_acted_offers_deactivation_and_keeps_their_name(
    client, superuser, editor, reviewer, approver
):
    article = assign_and_approve(
        article_with_claims(editor=editor), editor=editor, reviewer=reviewer, approver=approver
    )
    client.force_login(superuser)
    url = reverse("admin:auth_user_delete", args=[reviewer.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "cannot be deleted" in page.text
    response = client.post(url, {"reason": "Left the board in November."})

    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert not reviewer.is_active
    assert not ReviewerProfile.objects.get(user=reviewer).active
    claim = Claim.objects.of_article(article).first()
    assert claim.history.filter(history_user=reviewer).exists()
    assert article.assignments.get().reviewer == reviewer


def test_deactivating_a_reviewer_cancels_their_open_assignments_for_reassignment(
    client, superuser, editor, reviewer
):
    finished = article_with_claims(editor=editor)
    done = assignment_create(article=finished, reviewer=reviewer, due_at=DUE, actor=editor)
    assignment_accept(assignment=done, actor=reviewer, no_conflict=True)
    assignment_complete(
        assignment=done, actor=reviewer, recommendation="request_changes", reason="Cite a trial."
    )
    open_one = assignment_create(
        article=article_with_claims(editor=editor), reviewer=reviewer, due_at=DUE, actor=editor
    )
    client.force_login(superuser)
    url = reverse("admin:auth_user_delete", args=[reviewer.pk])

    page = client.get(url)
    assert "open review assignment is cancelled" in page.text
    assert str(open_one) in page.text
    response = client.post(url, {"reason": "Left the board in November."}, follow=True)

    assert "open review assignments were cancelled" in response.text
    open_one.refresh_from_db()
    done.refresh_from_db()
    assert open_one.status == AssignmentStatus.CANCELLED
    assert done.status == AssignmentStatus.COMPLETED
    row = open_one.history.latest("history_id")
    assert row.history_user == superuser
    assert row.history_change_reason == (
        f"cancel: {reviewer} was deactivated: Left the board in November."
    )


def test_unticking_active_on_the_user_page_deactivates_the_same_way(client, superuser, reviewer):
    editor = EditorFactory()
    assignment = assignment_create(
        article=article_with_claims(editor=editor),
        reviewer=reviewer,
        due_at=DUE,
        actor=editor,
    )
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[reviewer.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("is_active", "groups", "user_permissions")
    }
    data.update(
        {
            "date_joined_0": reviewer.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": reviewer.date_joined.strftime("%H:%M:%S"),
            "groups": list(reviewer.groups.values_list("pk", flat=True)),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "open review assignments were cancelled" in response.text
    reviewer.refresh_from_db()
    assignment.refresh_from_db()
    assert not reviewer.is_active
    assert not ReviewerProfile.objects.get(user=reviewer).active
    assert assignment.status == AssignmentStatus.CANCELLED


def test_i3_a_user_who_never_acted_can_be_deleted(client, superuser):
    newcomer = UserFactory()
    client.force_login(superuser)
    url = reverse("admin:auth_user_delete", args=[newcomer.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=newcomer.pk).exists()


def test_i3_deleting_a_user_who_acted_is_refused_outside_the_admin_too(editor):
    """Their only trace is a history row, whose user column would otherwise be blanked."""
    from articles.services import wording_set
    from tests.factories import EditorFactory

    article = article_with_claims()
    occasional = EditorFactory()
    claim = Claim.objects.of_article(article).first()
    wording_set(claim=claim, level="patient", text="Plain words.", actor=occasional, reason="Why")
    with pytest.raises(ProtectedError, match="deactivate them instead"), transaction.atomic():
        occasional.delete()
    assert claim.wordings.get(level="patient").history.latest().history_user == occasional


def test_i3_reviewer_profile_edit_records_who_and_why(client, superuser):
    member = BoardReviewerFactory()
    profile = member.reviewer_profile
    client.force_login(superuser)
    url = reverse("admin:reviewers_reviewerprofile_change", args=[profile.pk])
    response = client.post(
        url,
        {
            "user": member.pk,
            "credentials": "MD, PhD",
            "specialty": "Cardiology",
            "active": "on",
            "reason": "Completed her doctorate.",
        },
    )
    assert response.status_code == 302
    row = profile.history.latest("history_id")
    assert (row.history_user, row.history_change_reason) == (superuser, "Completed her doctorate.")


def test_i3_every_history_row_of_the_demo_names_a_person_or_the_process():
    call_command("seed_demo", stdout=StringIO())
    unattributed = []
    for model in registered_models.values():
        for row in model.history.all():
            if row.history_user_id is None and not (row.history_change_reason or "").startswith(
                SYSTEM_PREFIX
            ):
                unattributed.append(f"{model.__name__} {row.pk}: {row.history_change_reason}")
    assert unattributed == []
    processes = [
        row.history_change_reason
        for row in ReviewerProfile.history.all()
        if row.history_user_id is None
    ]
    assert processes
    assert all("seed_demo" in reason or "pytest" in reason for reason in processes)


@pytest.mark.parametrize(
    "argv, process",
    [
        (["/srv/manage.py", "seed_demo", "--seed", "x.md"], "manage.py seed_demo"),
        (["/venv/bin/celery", "-A", "editorial", "worker", "--beat"], "celery worker"),
        (["/venv/lib/python3.11/site-packages/pytest/__main__.py", "-q"], "pytest"),
    ],
)
def test_i3_a_row_no_person_wrote_names_the_process(monkeypatch, argv, process):
    from editorial.history import attributed_reason

    monkeypatch.setattr("sys.argv", argv)
    assert (
        attributed_reason(None, "Reminder sweep") == f"{SYSTEM_PREFIX} “{process}”: Reminder sweep"
    )
