"""Reader feedback on claims, the services (docs/governance.md): a report keeps the claim, the
wording the reader saw and the article version; editors accept it (linked to the change that
answered it) or dismiss it, each with a reason, in history."""

import pytest

from articles import services
from articles.choices import FeedbackKind, FeedbackStatus, ReadingLevel
from articles.models import FEEDBACK_NOTE_MAX_CHARS, Article, Claim, ClaimFeedback
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from editorial.history import SYSTEM_PREFIX
from tests.factories import article_with_claims

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(editor):
    article = article_with_claims(claims=2, editor=editor)
    return services.article_publish(article=article, actor=editor)


@pytest.fixture
def claim(published, editor):
    claim = Claim.objects.of_article(published).order_by("order").first()
    services.wording_set(
        claim=claim,
        level=ReadingLevel.PATIENT,
        text="Calcium can build up in hurt tissue.",
        actor=editor,
        reason="Patient wording",
    )
    return claim


def report(claim, **overrides) -> ClaimFeedback:
    fields = {
        "claim": claim,
        "kind": FeedbackKind.OUTDATED,
        "note": "The 2024 guideline says otherwise.",
        "reading_level": ReadingLevel.PATIENT,
        "article_version": Article.objects.get(pk=claim.section.article_id).content_version,
    }
    return services.feedback_submit(**{**fields, **overrides})


class TestSubmit:
    def test_report_keeps_the_claim_its_wording_and_the_version_seen(self, claim):
        version = Article.objects.get(pk=claim.section.article_id).content_version

        feedback = report(claim)

        assert (feedback.claim, feedback.kind, feedback.status) == (
            claim,
            FeedbackKind.OUTDATED,
            FeedbackStatus.NEW,
        )
        assert feedback.wording == "Calcium can build up in hurt tissue."
        assert (feedback.reading_level, feedback.article_version) == ("patient", version)

    def test_report_history_names_the_site_process(self, claim):
        row = report(claim).history.get()
        assert row.history_user is None
        assert row.history_change_reason.startswith(SYSTEM_PREFIX)
        assert "Reported by a reader on the site (anonymous)" in row.history_change_reason

    def test_a_version_the_article_never_had_is_recorded_as_the_current_one(self, claim):
        current = Article.objects.get(pk=claim.section.article_id).content_version
        assert report(claim, article_version=current + 50).article_version == current
        assert report(claim, article_version=None).article_version == current

    def test_a_level_without_its_own_wording_records_the_clinician_text_shown(self, claim):
        feedback = report(claim, reading_level=ReadingLevel.STUDENT)
        assert feedback.wording == claim.wording_text(ReadingLevel.CLINICIAN)

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"kind": "rude"}, "Choose what is wrong"),
            ({"note": "   "}, "Tell us what is wrong"),
            ({"note": "x" * (FEEDBACK_NOTE_MAX_CHARS + 1)}, "keep your note to 2000"),
        ],
    )
    def test_report_is_refused_when_incomplete_or_too_long(self, claim, overrides, message):
        with pytest.raises(EditorialError, match=message):
            report(claim, **overrides)
        assert not ClaimFeedback.objects.exists()

    def test_no_report_on_a_removed_claim_or_an_unpublished_article(self, claim, editor):
        services.article_withdraw(article=claim.section.article, actor=editor)
        with pytest.raises(EditorialError, match="no longer on a published page"):
            report(claim)


class TestQueue:
    def test_editor_accepts_feedback_linking_the_change_that_answered_it(self, claim, editor):
        feedback = report(claim)
        services.wording_set(
            claim=claim,
            level=ReadingLevel.CLINICIAN,
            text="Updated to the 2024 guideline.",
            actor=editor,
            reason="Reader feedback: 2024 guideline",
        )
        change = services.changes_answering(feedback).first()

        accepted = services.feedback_accept(
            feedback=feedback, answered_by_change=change, actor=editor, reason="Right; updated."
        )

        assert accepted.status == FeedbackStatus.ACCEPTED
        assert accepted.answered_by_change.history_change_reason == (
            "Reader feedback: 2024 guideline"
        )
        assert (accepted.settled_by, accepted.resolution) == (editor, "Right; updated.")
        assert accepted.history.latest("history_id").history_change_reason == (
            "accepted: Right; updated."
        )
        assert list(ClaimFeedback.objects.open()) == []

    def test_accepting_needs_a_change_made_after_the_report(self, claim, editor):
        before = Article.history.filter(id=claim.section.article_id).latest("history_id")
        feedback = report(claim)
        with pytest.raises(EditorialError, match="Name the change"):
            services.feedback_accept(
                feedback=feedback, answered_by_change=before, actor=editor, reason="Done"
            )
        with pytest.raises(EditorialError, match="Name the change"):
            services.feedback_accept(
                feedback=feedback, answered_by_change=None, actor=editor, reason="Done"
            )
        assert ClaimFeedback.objects.get(pk=feedback.pk).status == FeedbackStatus.NEW

    def test_accepting_needs_a_change_to_the_same_article(self, claim, editor):
        feedback = report(claim)
        other = article_with_claims(editor=editor)
        services.article_publish(article=other, actor=editor)
        elsewhere = Article.history.filter(id=other.pk).latest("history_id")
        with pytest.raises(EditorialError, match="Name the change"):
            services.feedback_accept(
                feedback=feedback, answered_by_change=elsewhere, actor=editor, reason="Done"
            )

    def test_editor_dismisses_feedback_with_a_reason(self, claim, editor):
        dismissed = services.feedback_dismiss(
            feedback=report(claim), actor=editor, reason="The statement matches reference 2."
        )
        assert dismissed.status == FeedbackStatus.DISMISSED
        assert dismissed.answered_by_change is None

    def test_dismissing_needs_a_reason(self, claim, editor):
        feedback = report(claim)
        with pytest.raises(EditorialError, match="Say why"):
            services.feedback_dismiss(feedback=feedback, actor=editor, reason="")

    def test_board_reviewer_cannot_settle_feedback(self, claim, reviewer):
        with pytest.raises(EditorialPermissionDenied):
            services.feedback_dismiss(feedback=report(claim), actor=reviewer, reason="Spam")

    def test_settled_feedback_is_not_settled_again(self, claim, editor):
        feedback = services.feedback_dismiss(feedback=report(claim), actor=editor, reason="Spam")
        with pytest.raises(EditorialError, match="it is Dismissed"):
            services.feedback_dismiss(feedback=feedback, actor=editor, reason="Again")
