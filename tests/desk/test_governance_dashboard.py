"""The governance dashboard (docs/governance.md) on known data: compliance, articles past their
review date, open feedback, review turnaround per reviewer and per month, overdue assignments; its
charts and its CSV; only for editors."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from articles.choices import ClaimStatus, FeedbackKind, FeedbackStatus, PublicationStatus
from articles.models import ClaimFeedback
from desk.selectors import governance_counts, governance_dashboard
from reviewers.choices import AssignmentStatus
from tests.factories import (
    ArticleFactory,
    BoardReviewerFactory,
    ClaimFactory,
    ReviewAssignmentFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DASHBOARD_URL = reverse("admin:desk_governance")
CSV_URL = reverse("admin:desk_governance_csv")


def article(title, *, review_status, claims, published=True, **fields):
    made = ArticleFactory(
        title=title,
        review_status=review_status,
        publication_status=PublicationStatus.PUBLISHED if published else PublicationStatus.DRAFT,
        **fields,
    )
    section = SectionFactory(article=made)
    made.claims = [ClaimFactory(section=section, review_status=status) for status in claims]
    return made


def completed(reviewer, *, assigned, days):
    return ReviewAssignmentFactory(
        reviewer=reviewer,
        status=AssignmentStatus.COMPLETED,
        recommendation="approve",
        assigned_at=assigned,
        due_at=assigned + timedelta(days=14),
        completed_at=assigned + timedelta(days=days),
    )


@pytest.fixture
def known_data():
    approved = ClaimStatus.APPROVED
    pending = ClaimStatus.PENDING
    overdue_review = article(
        "Is calcium in the aorta dangerous?",
        review_status="approved",
        claims=[approved] * 4,
        approved_at=datetime(2023, 1, 10, tzinfo=UTC),
        next_review_due=date(2026, 1, 10),
    )
    article(
        "What is calciphylaxis?",
        review_status="periodic_review",
        claims=[pending, pending, approved],
        approved_at=datetime(2023, 5, 1, tzinfo=UTC),
        next_review_due=date(2026, 3, 20),
    )
    article("What causes gout?", review_status="under_review", claims=[pending, approved])
    article("A draft", review_status="submitted", claims=[pending] * 5, published=False)
    chidi = BoardReviewerFactory(first_name="Chidi", last_name="Okafor")
    chidi.reviewer_profile.credentials = "MD, FASN"
    chidi.reviewer_profile.save()
    maja = BoardReviewerFactory(first_name="Maja", last_name="Lindqvist")
    completed(chidi, assigned=datetime(2026, 1, 5, tzinfo=UTC), days=2)
    completed(chidi, assigned=datetime(2026, 1, 12, tzinfo=UTC), days=4)
    completed(maja, assigned=datetime(2026, 2, 1, tzinfo=UTC), days=10)
    late = ReviewAssignmentFactory(
        reviewer=maja,
        article=overdue_review,
        due_at=datetime(2026, 2, 25, 12, 0, tzinfo=UTC),
    )
    claim = overdue_review.claims[0]
    for kind, status in [
        (FeedbackKind.OUTDATED, FeedbackStatus.NEW),
        (FeedbackKind.UNCLEAR, FeedbackStatus.NEW),
        (FeedbackKind.OTHER, FeedbackStatus.DISMISSED),
    ]:
        ClaimFeedback.objects.create(
            claim=claim,
            kind=kind,
            note="A note",
            wording="A wording",
            reading_level="clinician",
            article_version=1,
            status=status,
            resolution="" if status == FeedbackStatus.NEW else "Spam",
        )
    return {"overdue_review": overdue_review, "late": late, "chidi": chidi, "maja": maja}


def test_compliance_counts_published_claims_approved_in_their_current_wording(known_data):
    figures = governance_dashboard(now=NOW).compliance

    assert (figures.claims, figures.approved) == (9, 8)
    assert [(row.article.title, row.approved, row.claims) for row in figures.by_article] == [
        ("Is calcium in the aorta dangerous?", 4, 4),
        ("What causes gout?", 1, 2),
        ("What is calciphylaxis?", 3, 3),
    ]


def test_articles_past_and_due_for_their_review_date(known_data):
    dashboard = governance_dashboard(now=NOW)

    assert [a.title for a in dashboard.past_review_date] == ["Is calcium in the aorta dangerous?"]
    assert [a.title for a in dashboard.due_for_review] == ["What is calciphylaxis?"]


def test_open_feedback_counts_only_new_reports(known_data):
    dashboard = governance_dashboard(now=NOW)

    assert dashboard.open_feedback == 2
    assert dashboard.open_feedback_by_kind == [
        ("It is inaccurate", 0),
        ("It is out of date", 1),
        ("It is hard to understand", 1),
        ("Something else", 0),
    ]


def test_median_turnaround_per_reviewer_and_per_month(known_data):
    dashboard = governance_dashboard(now=NOW)

    assert [(r.label, r.median_days, r.count) for r in dashboard.turnaround_by_reviewer] == [
        ("Maja Lindqvist, MD", 10.0, 1),
        ("Chidi Okafor, MD, FASN", 3.0, 2),
    ]
    assert [(r.label, r.median_days, r.count) for r in dashboard.turnaround_by_month] == [
        ("2026-01", 3.0, 2),
        ("2026-02", 10.0, 1),
    ]


def test_overdue_assignments(known_data):
    assert governance_dashboard(now=NOW).overdue_assignments == [known_data["late"]]


def test_desk_counts_for_the_to_do_panel(known_data):
    counts = governance_counts(today=NOW.date())
    assert (counts.open_feedback, counts.past_review_date, counts.due_for_review) == (2, 1, 1)


def test_dashboard_page_shows_the_figures_and_svg_charts(client, editor, known_data):
    client.force_login(editor)

    with time_machine.travel(NOW, tick=False):
        page = client.get(DASHBOARD_URL).text

    assert "89 %" in page
    assert "of published claims approved in their current wording (8 of 9)" in page
    assert "Is calcium in the aorta dangerous?" in page
    assert page.count('<svg class="chart" role="img"') == 4
    assert "Chidi Okafor, MD, FASN: 3.0 days (n=2)" in page
    assert " style=" not in page.split('<div id="content-main"')[1]


def test_the_desk_lists_open_feedback_and_articles_due_for_periodic_review(
    client, editor, known_data
):
    client.force_login(editor)

    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("admin:index")).text

    assert DASHBOARD_URL in page
    assert 'Open reader feedback <span class="count">(2)</span>' in page
    assert "It is out of date: “A note”" in page
    assert 'Due for periodic review <span class="count">(2)</span>' in page
    assert "was due 10 Jan 2026" in page
    assert "due 20 Mar 2026 · periodic review in progress" in page


def test_csv_export_has_every_figure(client, editor, known_data):
    client.force_login(editor)

    with time_machine.travel(NOW, tick=False):
        response = client.get(CSV_URL)
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="governance-2026-03-02.csv"'
    assert rows[0] == ["figure", "subject", "value", "detail"]
    assert ["compliance", "published claims", "9", ""] in rows
    assert ["compliance", "approved in current wording", "8", ""] in rows
    assert ["compliance", "share", "0.8889", ""] in rows
    assert ["open_feedback", "total", "2", ""] in rows
    assert ["turnaround_by_reviewer", "Chidi Okafor, MD, FASN", "3.0", "n=2"] in rows
    assert ["turnaround_by_month", "2026-02", "10.0", "n=1"] in rows
    assert [
        "past_review_date",
        "Is calcium in the aorta dangerous?",
        "2026-01-10",
        "51 days past",
    ] in rows
    assert ["due_for_review", "What is calciphylaxis?", "2026-03-20", "in 18 days"] in rows
    assert [
        "overdue_assignment",
        "Maja Lindqvist, MD on Is calcium in the aorta dangerous?",
        "2026-02-25",
        "5 days overdue",
    ] in rows


def test_csv_cells_never_start_a_formula(client, editor):
    article(
        '=HYPERLINK("http://evil")',
        review_status="approved",
        claims=[ClaimStatus.APPROVED],
    )
    client.force_login(editor)

    text = client.get(CSV_URL).content.decode()

    assert "'=HYPERLINK" in text


def test_board_reviewers_do_not_see_the_dashboard(client, reviewer):
    client.force_login(reviewer)

    assert client.get(DASHBOARD_URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403
    assert DASHBOARD_URL not in client.get(reverse("admin:index")).text
