"""docs/invariants.md (I1–I3, I7), each in a test that names it."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_fsm import ConcurrentTransition

from articles import services
from articles.choices import ClaimStatus, ReviewStatus
from articles.models import Article, Claim, Reference, Wording
from editorial.exceptions import EditorialError
from reviewers.models import ReviewAssignment
from reviewers.services import assignment_create, claims_decide
from tests.factories import ReferenceFactory, article_with_claims
from tests.workflow import assign_and_start

on_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks and concurrent transactions are checked on PostgreSQL (set DATABASE_URL)",
)


@pytest.mark.django_db
class TestI1TruthfulBadge:
    def test_i1_article_cannot_be_approved_with_open_claims(
        self, editor, reviewer, approver, settings
    ):
        # No quorum needed: only the open claim stands between the article and approval (an
        # approving recommendation itself needs every claim decided).
        settings.EDITORIAL_REVIEW_QUORUM = 0
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        claim = Claim.objects.of_article(article).first()
        claims_decide(claims=[claim], actor=reviewer, decision="approve")
        with pytest.raises(EditorialError, match="not approved in their current wording"):
            services.article_approve(article=article, actor=approver)
        assert not Article.objects.get(pk=article.pk).has_standing_approval

    def test_i1_approval_ends_when_a_claim_changes(self, approved_article, editor):
        claim = Claim.objects.of_article(approved_article).first()
        services.wording_set(
            claim=claim,
            level="patient",
            text="Calcium can build up.",
            actor=editor,
            reason="Patient wording added",
        )
        article = Article.objects.get(pk=approved_article.pk)
        assert not article.has_standing_approval
        assert article.approved_by is None


@pytest.mark.django_db
class TestI2ReReviewOnChange:
    def test_i2_typo_fix_returns_only_that_claim_and_reopens_the_article(
        self, approved_article, editor
    ):
        claims = list(Claim.objects.of_article(approved_article).order_by("order"))
        typo_claim = claims[1]
        text = typo_claim.wording_text("clinician")
        services.wording_set(
            claim=typo_claim,
            level="clinician",
            text=text.replace(".", "!"),
            actor=editor,
            reason="Typo: full stop",
        )
        statuses = dict(
            Claim.objects.of_article(approved_article).values_list("pk", "review_status")
        )
        assert statuses[typo_claim.pk] == ClaimStatus.PENDING
        assert [statuses[c.pk] for c in claims if c != typo_claim] == [ClaimStatus.APPROVED] * 2
        article = Article.objects.get(pk=approved_article.pk)
        assert article.review_status == ReviewStatus.UNDER_REVIEW
        assert article.round == approved_article.round + 1
        assert article.history.latest().history_change_reason == "reopen: Typo: full stop"
        assert typo_claim.history.latest().history_change_reason == (
            "return_to_pending: Typo: full stop"
        )

    def test_i2_reviewers_are_carried_into_the_new_round(self, approved_article, editor, reviewer):
        claim = Claim.objects.of_article(approved_article).first()
        services.wording_set(
            claim=claim, level="clinician", text="Reworded claim.", actor=editor, reason="Reworded"
        )
        assert (
            ReviewAssignment.objects.active()
            .filter(article=approved_article, reviewer=reviewer, round=approved_article.round + 1)
            .exists()
        )

    def test_i2_changed_citations_return_the_claim_to_pending(self, approved_article, editor):
        claim = Claim.objects.of_article(approved_article).first()
        services.claim_set_citations(
            claim=claim, references=[ReferenceFactory()], actor=editor, reason="Better source"
        )
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.PENDING
        assert (
            Article.objects.get(pk=approved_article.pk).review_status == ReviewStatus.UNDER_REVIEW
        )

    def test_i2_adding_a_claim_reopens_the_article(self, approved_article, editor):
        section = approved_article.sections.first()
        claim = services.claim_add(
            section=section, text="A new finding.", actor=editor, reason="New evidence"
        )
        assert claim.review_status == ClaimStatus.PENDING
        assert (
            Article.objects.get(pk=approved_article.pk).review_status == ReviewStatus.UNDER_REVIEW
        )

    def test_i2_removing_a_claim_reopens_the_article(self, approved_article, editor):
        services.claim_remove(
            claim=Claim.objects.of_article(approved_article).first(),
            actor=editor,
            reason="Unsupported",
        )
        assert Claim.objects.of_article(approved_article).count() == 2
        assert (
            Article.objects.get(pk=approved_article.pk).review_status == ReviewStatus.UNDER_REVIEW
        )

    def test_i2_removing_a_section_reopens_the_article(self, approved_article, editor):
        services.section_remove(
            section=approved_article.sections.get(), actor=editor, reason="Off topic"
        )
        assert not Claim.objects.of_article(approved_article).exists()
        article = Article.objects.get(pk=approved_article.pk)
        assert (article.review_status, article.round) == (
            ReviewStatus.UNDER_REVIEW,
            approved_article.round + 1,
        )

    def test_i2_reference_fields_return_citing_claims_to_pending(self, approved_article, editor):
        reference = Reference.objects.filter(
            citations__claim__section__article=approved_article
        ).first()
        services.reference_update(
            reference=reference, actor=editor, reason="Year corrected", year=2019
        )
        assert (
            not Claim.objects.of_article(approved_article).filter(review_status="approved").exists()
        )
        assert Article.objects.get(pk=approved_article.pk).round == approved_article.round + 1

    def test_i2_pending_changes_keep_the_round_while_under_review(self, editor, reviewer):
        article = assign_and_start(
            article_with_claims(editor=editor), editor=editor, reviewer=reviewer
        )
        claim = Claim.objects.of_article(article).first()
        services.wording_set(
            claim=claim, level="clinician", text="Edited.", actor=editor, reason="Edit"
        )
        article = Article.objects.get(pk=article.pk)
        assert (article.review_status, article.round) == (ReviewStatus.UNDER_REVIEW, 1)

    def test_i2_change_moves_last_updated(self, approved_article, editor):
        before = approved_article.last_material_change_at
        services.wording_set(
            claim=Claim.objects.of_article(approved_article).first(),
            level="student",
            text="Student words.",
            actor=editor,
            reason="Student wording",
        )
        assert Article.objects.get(pk=approved_article.pk).last_material_change_at > before


@pytest.mark.django_db
class TestI3Audit:
    def test_i3_every_history_row_names_who_and_why(self, approved_article, editor):
        claim = Claim.objects.of_article(approved_article).first()
        services.wording_set(
            claim=claim, level="clinician", text="Reworded.", actor=editor, reason="Clarity"
        )
        service_rows = [
            *Article.history.filter(id=approved_article.pk),
            *Claim.history.filter(id=claim.pk).exclude(history_type="+"),
            *Wording.history.filter(claim_id=claim.pk).exclude(history_type="+"),
            *ReviewAssignment.history.filter(article_id=approved_article.pk),
        ]
        transitions = [row for row in service_rows if row.history_type == "~"]
        assert transitions
        for row in transitions:
            assert row.history_user is not None, row
            assert row.history_change_reason, row

    def test_i3_transitions_are_named_in_history(self, approved_article):
        reasons = [
            row.history_change_reason for row in approved_article.history.order_by("history_id")
        ]
        assert [reason for reason in reasons if reason in ("start_review", "approve")] == [
            "start_review",
            "approve",
        ]

    def test_i3_wording_history_keeps_the_old_text(self, approved_article, editor):
        claim = Claim.objects.of_article(approved_article).first()
        old_text = claim.wording_text("clinician")
        services.wording_set(
            claim=claim, level="clinician", text="New text.", actor=editor, reason="Rewrite"
        )
        texts = list(
            Wording.history.filter(claim_id=claim.pk, level="clinician")
            .order_by("history_id")
            .values_list("text", flat=True)
        )
        assert texts[-2:] == [old_text, "New text."]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_i7_twenty_concurrent_start_reviews_one_wins(editor, reviewer):
    article = article_with_claims(editor=editor)
    assignment_create(
        article=article, reviewer=reviewer, due_at=timezone.now() + timedelta(days=3), actor=editor
    )
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def race():
        try:
            barrier.wait()
            services.article_start_review(article=Article.objects.get(pk=article.pk), actor=editor)
            outcomes.append("won")
        except EditorialError as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1
    assert all("it is Under review" in outcome for outcome in outcomes if outcome != "won")
    reasons = list(article.history.values_list("history_change_reason", flat=True))
    assert reasons.count("start_review") == 1


@pytest.mark.django_db
def test_i7_stale_instance_cannot_overwrite_a_transition(editor):
    article = article_with_claims(editor=editor)
    stale = Article.objects.get(pk=article.pk)
    services.article_publish(article=article, actor=editor)
    stale.publish(published_at=None)
    with pytest.raises(ConcurrentTransition):
        stale.save()
