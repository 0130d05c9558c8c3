"""The review cycle (docs/governance.md): approval sets the next review due, editors may move it
with a reason, and a periodic review asks the board about every claim again while the page stays
Approved until the board decides otherwise (docs/invariants.md#i1-truthful-badge)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from articles import services
from articles.choices import ClaimStatus, PublicationStatus, ReviewStatus
from articles.models import Article, Claim
from articles.review_cycle import add_months, review_date_key
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from reviewers import services as reviewer_services
from reviewers.choices import AssignmentStatus
from tests.factories import ApproverFactory, BoardReviewerFactory, article_with_claims
from tests.invariants import badge_violations
from tests.workflow import approve_everything, assign_and_approve

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def article_approved_at_t0(editor, reviewer, approver):
    """An article of three claims approved at ``T0`` (next review due 36 months on); not
    published."""
    with time_machine.travel(T0, tick=False):
        article = article_with_claims(claims=3, editor=editor)
        return assign_and_approve(article, editor=editor, reviewer=reviewer, approver=approver)


def periodic(article, editor) -> Article:
    with time_machine.travel(T0 + timedelta(days=1000), tick=False):
        return reviewer_services.article_start_periodic_review(
            article=article, actor=editor, reason="Due in a month"
        )


def claim_statuses(article) -> list[str]:
    return list(
        Claim.objects.of_article(article).order_by("order").values_list("review_status", flat=True)
    )


class TestReviewDates:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (date(2026, 3, 2), 36, date(2029, 3, 2)),
            (date(2026, 1, 31), 1, date(2026, 2, 28)),
            (date(2028, 2, 29), 12, date(2029, 2, 28)),
            (date(2026, 11, 15), 2, date(2027, 1, 15)),
        ],
    )
    def test_add_months_keeps_the_day_or_takes_the_last_of_a_short_month(
        self, day, months, expected
    ):
        assert add_months(day, months) == expected

    def test_review_date_key_is_the_date_as_yyyymmdd(self):
        assert review_date_key(date(2029, 3, 2)) == 20290302

    def test_approval_sets_the_next_review_due_36_months_on(self, article_approved_at_t0):
        assert article_approved_at_t0.approved_at == T0
        assert article_approved_at_t0.next_review_due == date(2029, 3, 2)

    def test_approval_follows_the_review_cycle_setting(self, settings, editor, reviewer, approver):
        settings.EDITORIAL_REVIEW_CYCLE_MONTHS = 12
        with time_machine.travel(T0, tick=False):
            article = assign_and_approve(
                article_with_claims(editor=editor),
                editor=editor,
                reviewer=reviewer,
                approver=approver,
            )
        assert article.next_review_due == date(2027, 3, 2)

    def test_editor_sets_another_review_date_with_a_reason(self, article_approved_at_t0, editor):
        version = article_approved_at_t0.content_version
        with time_machine.travel(T0 + timedelta(days=10), tick=False):
            changed = services.article_set_next_review(
                article=article_approved_at_t0,
                due_on=date(2027, 9, 1),
                actor=editor,
                reason="New KDIGO guideline expected in 2027",
            )
        assert changed.next_review_due == date(2027, 9, 1)
        assert changed.content_version == version + 1
        row = changed.history.latest("history_id")
        assert row.history_user == editor
        assert row.history_change_reason == (
            "next review due 2027-09-01: New KDIGO guideline expected in 2027"
        )

    def test_another_review_date_needs_a_reason(self, article_approved_at_t0, editor):
        with pytest.raises(EditorialError, match="Say why the next review"):
            services.article_set_next_review(
                article=article_approved_at_t0, due_on=date(2030, 1, 1), actor=editor, reason="  "
            )
        assert Article.objects.get(pk=article_approved_at_t0.pk).next_review_due == date(2029, 3, 2)

    def test_another_review_date_must_be_after_today(self, article_approved_at_t0, editor):
        with (
            time_machine.travel(T0, tick=False),
            pytest.raises(EditorialError, match="after today"),
        ):
            services.article_set_next_review(
                article=article_approved_at_t0, due_on=date(2026, 3, 2), actor=editor, reason="Soon"
            )

    def test_board_reviewer_cannot_set_the_review_date(self, article_approved_at_t0, reviewer):
        with pytest.raises(EditorialPermissionDenied):
            services.article_set_next_review(
                article=article_approved_at_t0,
                due_on=date(2030, 1, 1),
                actor=reviewer,
                reason="Later",
            )

    def test_an_article_not_approved_has_no_review_date_to_move(self, editor):
        article = article_with_claims(editor=editor)
        with pytest.raises(EditorialError, match="set when the board approves it"):
            services.article_set_next_review(
                article=article, due_on=date(2030, 1, 1), actor=editor, reason="Later"
            )

    def test_a_material_change_clears_the_approval_and_its_review_date(
        self, article_approved_at_t0, editor
    ):
        claim = Claim.objects.of_article(article_approved_at_t0).first()
        reopened_article = services.wording_set(
            claim=claim, level="clinician", text="Changed.", actor=editor, reason="Typo"
        ).section.article
        reopened_article.refresh_from_db()
        assert reopened_article.review_status == ReviewStatus.UNDER_REVIEW
        assert (reopened_article.approved_at, reopened_article.next_review_due) == (None, None)


class TestDueForReview:
    def test_desk_lists_articles_due_and_past_their_review_date(
        self, article_approved_at_t0, editor
    ):
        services.article_publish(article=article_approved_at_t0, actor=editor)
        due = date(2029, 3, 2)

        assert list(Article.objects.review_due_by(due - timedelta(days=1))) == []
        assert list(Article.objects.review_due_by(due)) == [article_approved_at_t0]
        assert list(Article.objects.past_review_date(today=due)) == []
        assert list(Article.objects.past_review_date(today=due + timedelta(days=1))) == [
            article_approved_at_t0
        ]

    def test_withdrawn_articles_are_not_due_for_review(self, article_approved_at_t0, editor):
        services.article_publish(article=article_approved_at_t0, actor=editor)
        services.article_withdraw(article=article_approved_at_t0, actor=editor)
        assert list(Article.objects.past_review_date(today=date(2030, 1, 1))) == []


class TestPeriodicReview:
    def test_start_periodic_review_asks_about_every_claim_again(
        self, article_approved_at_t0, editor, reviewer
    ):
        started = periodic(article_approved_at_t0, editor)

        assert started.review_status == ReviewStatus.PERIODIC_REVIEW
        assert started.round == 2
        assert claim_statuses(started) == [ClaimStatus.PENDING] * 3
        carried = started.assignments.get(round=2)
        assert (carried.reviewer, carried.status) == (reviewer, AssignmentStatus.ASSIGNED)
        reasons = {
            row.history_change_reason
            for claim in Claim.objects.of_article(started)
            for row in claim.history.filter(history_user=editor)
        }
        assert reasons == {"return_to_pending: periodic review, round 2"}

    def test_i1_page_stays_approved_on_the_standing_approval_during_a_periodic_review(
        self, article_approved_at_t0, editor
    ):
        started = periodic(article_approved_at_t0, editor)

        assert started.has_standing_approval
        assert (started.approved_at, started.next_review_due) == (T0, date(2029, 3, 2))
        assert badge_violations(started.pk) == []
        assert Claim.objects.of_article(started).approved_in_current_wording().count() == 3

    def test_only_an_editor_with_start_review_starts_a_periodic_review(
        self, article_approved_at_t0, reviewer
    ):
        with pytest.raises(EditorialPermissionDenied, match="start_review"):
            reviewer_services.article_start_periodic_review(
                article=article_approved_at_t0, actor=reviewer
            )
        assert (
            Article.objects.get(pk=article_approved_at_t0.pk).review_status == ReviewStatus.APPROVED
        )

    def test_periodic_review_starts_only_from_approved(self, editor):
        article = article_with_claims(editor=editor)
        with pytest.raises(EditorialError, match="it is Submitted"):
            reviewer_services.article_start_periodic_review(article=article, actor=editor)

    def test_board_approves_again_and_the_cycle_starts_anew(
        self, article_approved_at_t0, editor, reviewer
    ):
        started = periodic(article_approved_at_t0, editor)
        again = T0 + timedelta(days=1010)
        with time_machine.travel(again, tick=False):
            renewed = approve_everything(started, reviewer=reviewer, approver=ApproverFactory())

        assert renewed.review_status == ReviewStatus.APPROVED
        assert renewed.approved_at == again
        assert renewed.next_review_due == date(2031, 12, 6)  # 6 December 2028 + 36 months
        assert claim_statuses(renewed) == [ClaimStatus.APPROVED] * 3
        assert badge_violations(renewed.pk) == []

    def test_i1_a_claim_sent_back_in_a_periodic_review_ends_the_approval_at_once(
        self, article_approved_at_t0, editor, reviewer
    ):
        started = periodic(article_approved_at_t0, editor)
        first, second, _third = Claim.objects.of_article(started).order_by("order")
        reviewer_services.claims_decide(claims=[first], actor=reviewer, decision="approve")

        reviewer_services.claims_decide(
            claims=[second],
            actor=reviewer,
            decision="request_changes",
            comment="The 2025 trial changed this.",
        )

        article = Article.objects.get(pk=article_approved_at_t0.pk)
        assert article.review_status == ReviewStatus.UNDER_REVIEW
        assert not article.has_standing_approval
        assert (article.approved_at, article.next_review_due, article.round) == (None, None, 2)
        assert claim_statuses(article) == [
            ClaimStatus.APPROVED,
            ClaimStatus.CHANGES_REQUESTED,
            ClaimStatus.PENDING,
        ]
        row = article.history.latest("history_id")
        assert row.history_user == reviewer
        assert row.history_change_reason.startswith("suspend_approval: a claim was sent back")
        assert badge_violations(article.pk) == []

    def test_board_sends_the_article_back_during_a_periodic_review(
        self, article_approved_at_t0, editor, reviewer
    ):
        started = periodic(article_approved_at_t0, editor)
        sent_back = services.article_request_changes(
            article=started, actor=reviewer, note="Outdated: new guideline"
        )
        assert sent_back.review_status == ReviewStatus.CHANGES_REQUESTED
        assert not sent_back.has_standing_approval
        assert sent_back.approved_at is None

    def test_i2_a_change_during_a_periodic_review_reopens_it_in_a_new_round(
        self, article_approved_at_t0, editor
    ):
        started = periodic(article_approved_at_t0, editor)
        claim = Claim.objects.of_article(started).first()
        services.wording_set(
            claim=claim, level="clinician", text="Revised.", actor=editor, reason="Update"
        )
        article = Article.objects.get(pk=article_approved_at_t0.pk)
        assert (article.review_status, article.round) == (ReviewStatus.UNDER_REVIEW, 3)
        assert not article.has_standing_approval

    def test_publishing_requires_approval_accepts_a_periodic_review(
        self, settings, article_approved_at_t0, editor
    ):
        settings.EDITORIAL_PUBLISH_REQUIRES_APPROVAL = True
        started = periodic(article_approved_at_t0, editor)
        published = services.article_publish(article=started, actor=editor)
        assert published.publication_status == PublicationStatus.PUBLISHED

    def test_periodic_review_skips_reviewers_who_left_the_board(
        self, article_approved_at_t0, editor, reviewer, admin_user
    ):
        reviewer_services.user_deactivate(user=reviewer, actor=admin_user, reason="Retired")
        started = periodic(article_approved_at_t0, editor)
        assert not started.assignments.filter(round=2).exists()
        replacement = BoardReviewerFactory()
        reviewer_services.assignment_create(
            article=started,
            reviewer=replacement,
            due_at=datetime(2030, 1, 1, tzinfo=UTC),
            actor=editor,
        )
        assert started.assignments.get(round=2).reviewer == replacement
