"""The board reviewer's review screen: reading the article claim by claim, deciding in place,
completing at the end; only the reviewer holding the assignment can act
(docs/invariants.md#i4-separation-of-duties, docs/workflows.md#the-back-office)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from articles import services as article_services
from articles.choices import ClaimStatus, ReviewStatus
from articles.models import Article, Claim
from reviewers import services as reviewer_services
from reviewers.choices import AssignmentStatus
from reviewers.models import ClaimDecision, ReviewAssignment
from tests.factories import (
    BoardReviewerFactory,
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    article_with_claims,
)
from tests.workflow import approve_everything, assign_and_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(editor, reviewer):
    reference = ReferenceFactory(
        title="Vascular calcification in chronic kidney disease", doi="10.1000/ckd.1"
    )
    return assign_and_start(
        article_with_claims(claims=3, editor=editor, references=[reference]),
        editor=editor,
        reviewer=reviewer,
    )


@pytest.fixture
def assignment(article, reviewer):
    return article.assignments.get(reviewer=reviewer)


def screen(assignment, action: str = "") -> str:
    name = "admin:desk_review" + (f"_{action}" if action else "")
    return reverse(name, args=[assignment.pk])


def claims_of(article) -> list[Claim]:
    return sorted(
        Claim.objects.of_article(article).prefetch_related("wordings", "citations"),
        key=lambda claim: (claim.section.order, claim.order),
    )


def accept(client, assignment, **declaration):
    """Accept from the screen, declaring no conflict of interest unless told otherwise."""
    data = {"answer": "accept", **(declaration or {"declaration": "none"})}
    return client.post(screen(assignment, "answer"), data)


def seen(claim) -> str:
    return reviewer_services.snapshot_digest(claim.snapshot())


def decide(client, assignment, claim, decision="approve", comment="", show="all"):
    return client.post(
        screen(assignment, "decide"),
        {
            "claim": claim.pk,
            "seen": seen(claim),
            "decision": decision,
            "comment": comment,
            "show": show,
        },
    )


def notes(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def state(article) -> tuple:
    """Everything a decision or a completion could change."""
    return (
        sorted(Claim.objects.of_article(article).values_list("pk", "review_status")),
        ClaimDecision.objects.count(),
        sorted(ReviewAssignment.objects.values_list("pk", "status", "recommendation")),
        Article.objects.get(pk=article.pk).review_status,
    )


class TestTheScreen:
    def test_shows_the_article_in_reading_order_with_numbers_not_ids(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        response = client.get(screen(assignment))
        assert response.status_code == 200
        page = response.text
        positions = [page.index(f'id="claim-{number}"') for number in (1, 2, 3)]
        assert positions == sorted(positions)
        for claim in claims_of(article):
            assert f"Claim {claim.pk}:" not in page

    def test_shows_the_cited_reference_beside_each_claim(self, client, reviewer, assignment):
        client.force_login(reviewer)
        page = client.get(screen(assignment)).text
        assert page.count("Vascular calcification in chronic kidney disease") == 3
        assert "https://doi.org/10.1000/ckd.1" in page
        assert "References cited by claim 1" in page

    def test_shows_progress_and_the_keys(self, client, reviewer, assignment):
        client.force_login(reviewer)
        page = client.get(screen(assignment)).text
        assert "0 of 3 decided" in page
        assert "<kbd>j</kbd>" in page and "<kbd>a</kbd>" in page and "<kbd>r</kbd>" in page

    def test_my_assignments_and_the_email_link_land_on_it(self, client, reviewer, assignment):
        client.force_login(reviewer)
        page = client.get(reverse("admin:reviewers_reviewassignment_changelist")).text
        assert screen(assignment) in page


class TestDeciding:
    def test_approve_is_one_post_that_returns_to_the_claim(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        claim = claims_of(article)[1]
        response = decide(client, assignment, claim)
        assert response.status_code == 302
        assert response.url.endswith("#claim-2")
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.APPROVED
        assert ClaimDecision.objects.get().assignment == assignment
        assert "1 of 3 decided" in client.get(screen(assignment)).text

    def test_under_a_filter_it_returns_to_the_next_claim_shown(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        response = decide(client, assignment, claims_of(article)[0], show="undecided")
        assert response.url.endswith("?show=undecided#claim-2")

    def test_under_a_filter_that_hides_the_claim_its_confirmation_is_still_shown(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        decide(client, assignment, claims_of(article)[0], show="undecided")
        page = client.get(screen(assignment) + "?show=undecided").text
        assert 'id="claim-1"' not in page
        assert "Claim 1 approved." in page

    def test_request_changes_needs_a_comment_and_changes_nothing_without(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        before = state(article)
        response = decide(client, assignment, claims_of(article)[0], "request_changes")
        assert state(article) == before
        assert any("comment is required" in note for note in notes(response))

    def test_request_changes_with_a_comment_sends_the_claim_back(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        claim = claims_of(article)[2]
        decide(client, assignment, claim, "request_changes", "Cite the 2021 guideline.")
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.CHANGES_REQUESTED
        page = client.get(screen(assignment) + "?show=sent_back").text
        assert 'id="claim-3"' in page and 'id="claim-1"' not in page
        assert "Cite the 2021 guideline." in page

    def test_a_claim_changed_since_the_page_was_read_is_not_decided(
        self, client, reviewer, editor, assignment, article
    ):
        client.force_login(reviewer)
        claim = claims_of(article)[0]
        stale = seen(claim)
        article_services.wording_set(
            claim=claim, level="clinician", text="A new wording.", actor=editor, reason="Edit"
        )
        before = state(article)
        response = client.post(
            screen(assignment, "decide"),
            {"claim": claim.pk, "seen": stale, "decision": "approve"},
        )
        assert state(article) == before
        assert any("changed while you were reading" in note for note in notes(response))

    def test_approve_all_unchanged_claims_of_a_section(
        self, client, reviewer, editor, assignment, article
    ):
        client.force_login(reviewer)
        first, second, third = claims_of(article)
        decide(client, assignment, first)
        article_services.wording_set(
            claim=first,
            level="clinician",
            text="Reworded after approval.",
            actor=editor,
            reason="Clarity",
        )
        page = client.get(screen(assignment)).text
        assert "Approve all 2 unchanged claims of this section" in page
        response = client.post(
            screen(assignment, "approve_section"),
            {
                "claim": [second.pk, third.pk],
                "seen": [seen(second), seen(third)],
                "section": f"section-{second.section.order}",
            },
        )
        assert response.url.endswith(f"#section-{second.section.order}")
        statuses = dict(Claim.objects.of_article(article).values_list("pk", "review_status"))
        assert statuses == {
            first.pk: ClaimStatus.PENDING,
            second.pk: ClaimStatus.APPROVED,
            third.pk: ClaimStatus.APPROVED,
        }

    def test_a_changed_claim_shows_the_word_diff_and_the_flag(
        self, client, reviewer, editor, assignment, article
    ):
        client.force_login(reviewer)
        claim = claims_of(article)[0]
        decide(client, assignment, claim)
        old = claim.wording_text("clinician")
        article_services.wording_set(
            claim=claim,
            level="clinician",
            text=old + " Mostly in adults.",
            actor=editor,
            reason="Clarity",
        )
        page = client.get(screen(assignment) + "?show=changed").text
        assert 'class="flag flag-changed"' in page
        assert '<ins class="diff-added">Mostly in adults.</ins>' in page
        assert "Your last decision:" in page


class TestPermissions:
    def test_another_reviewer_gets_403_and_changes_nothing(self, client, assignment, article):
        other = BoardReviewerFactory()
        reviewer_services.assignment_create(
            article=article,
            reviewer=other,
            due_at=assignment.due_at,
            actor=article.created_by,
        )
        client.force_login(other)
        before = state(article)
        assert client.get(screen(assignment)).status_code == 403
        assert decide(client, assignment, claims_of(article)[0]).status_code == 403
        response = client.post(
            screen(assignment, "complete"), {"recommendation": "request_changes", "note": "No"}
        )
        assert response.status_code == 403
        assert state(article) == before

    def test_an_editor_gets_403_and_changes_nothing(self, client, editor, assignment, article):
        client.force_login(editor)
        before = state(article)
        assert client.get(screen(assignment)).status_code == 403
        assert decide(client, assignment, claims_of(article)[0]).status_code == 403
        assert client.post(screen(assignment, "answer"), {"answer": "decline"}).status_code == 403
        assert state(article) == before

    def test_a_forged_claim_of_another_article_is_refused(
        self, client, editor, reviewer, assignment, article
    ):
        elsewhere = ClaimFactory(section=SectionFactory())
        client.force_login(reviewer)
        before = state(article)
        response = client.post(
            screen(assignment, "decide"),
            {"claim": elsewhere.pk, "seen": "x", "decision": "approve"},
        )
        assert response.status_code == 400
        assert "not in" in response.text
        assert state(article) == before
        assert Claim.objects.get(pk=elsewhere.pk).review_status == ClaimStatus.PENDING

    @pytest.mark.parametrize("bad", ["²", "9" * 30])
    def test_a_claim_id_that_names_no_row_is_refused(
        self, client, reviewer, assignment, article, bad
    ):
        client.force_login(reviewer)
        before = state(article)
        response = client.post(
            screen(assignment, "decide"), {"claim": bad, "seen": "x", "decision": "approve"}
        )
        assert response.status_code == 400
        assert state(article) == before

    @pytest.mark.parametrize("bad", ["abc", "99999999", "1.5", "-1", "²", "9" * 30])
    def test_bad_assignment_ids_answer_404_with_a_message(self, client, reviewer, bad):
        client.force_login(reviewer)
        response = client.get(f"/admin/review/{bad}/")
        assert response.status_code == 404
        assert "assignment" in response.text

    def test_a_get_to_an_action_is_not_allowed(self, client, reviewer, assignment):
        client.force_login(reviewer)
        assert client.get(screen(assignment, "decide")).status_code == 405

    def test_a_completed_assignment_is_read_only(self, client, reviewer, assignment, article):
        client.force_login(reviewer)
        for claim in claims_of(article):
            decide(client, assignment, claim)
        accept(client, assignment)
        client.post(screen(assignment, "complete"), {"recommendation": "approve"})
        page = client.get(screen(assignment)).text
        assert "You completed this review" in page
        assert "data-approve" not in page
        claim = claims_of(article)[0]
        before = state(article)
        decide(client, assignment, claim, "request_changes", "Late thought")
        assert state(article) == before

    def test_a_decision_that_loses_the_race_to_a_send_back_gets_the_refusal_sentence(
        self, client, reviewer, assignment, article
    ):
        """Issue 17: the reviewer's screen was open while the article left review; their
        decision got a bare “403 Forbidden”. (Since issue 20 an approval also ends the round's
        assignments: the next test.)"""
        client.force_login(reviewer)
        accept(client, assignment)
        other = BoardReviewerFactory()
        reviewer_services.assignment_create(
            article=article, reviewer=other, due_at=assignment.due_at, actor=article.created_by
        )
        claim = claims_of(article)[0]
        article_services.article_request_changes(
            article=article, actor=other, note="Claim 2 overstates the risk."
        )
        before = state(article)

        response = decide(client, assignment, claim, "request_changes", comment="Cite the trial.")

        assert response.status_code == 403
        assert f"“{article.title}” is not under review, so its claims cannot be decided now." in (
            response.text
        )
        assert state(article) == before

    def test_a_decision_after_the_approval_ended_the_round_changes_nothing_and_says_so(
        self, client, reviewer, approver, assignment, article
    ):
        """The reviewer's screen was open while another reviewer's recommendation let the
        article be approved, which cancelled this assignment (docs/workflows.md#assignments)."""
        client.force_login(reviewer)
        accept(client, assignment)
        other = BoardReviewerFactory()
        reviewer_services.assignment_create(
            article=article, reviewer=other, due_at=assignment.due_at, actor=article.created_by
        )
        claim = claims_of(article)[0]
        approve_everything(article, reviewer=other, approver=approver)
        before = state(article)

        response = decide(client, assignment, claim, "request_changes", comment="Cite the trial.")

        assert response.status_code == 302
        assert "This assignment is cancelled (round 1); nothing was changed." in notes(response)
        assert state(article) == before


class TestCompleting:
    def test_approving_is_refused_while_claims_are_undecided(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        decide(client, assignment, claims_of(article)[0])
        before = state(article)
        response = client.post(screen(assignment, "complete"), {"recommendation": "approve"})
        assert response.url.endswith("#review-complete")
        assert state(article) == before
        (message,) = [note for note in notes(response) if "cannot recommend" in note]
        assert "2 claims are still undecided" in message
        assert '<a href="#claim-2">2</a>' in message and '<a href="#claim-3">3</a>' in message

    def test_approving_is_refused_while_a_claim_i_sent_back_is_unchanged(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        first, second, third = claims_of(article)
        decide(client, assignment, first)
        decide(client, assignment, second)
        decide(client, assignment, third, "request_changes", "Wrong dose.")
        before = state(article)
        response = client.post(screen(assignment, "complete"), {"recommendation": "approve"})
        assert state(article) == before
        (message,) = [note for note in notes(response) if "cannot recommend" in note]
        assert "1 claim was sent back for changes" in message
        assert '<a href="#claim-3">3</a>' in message

    def test_a_refused_completion_keeps_the_recommendation_and_the_note(
        self, client, reviewer, assignment
    ):
        client.force_login(reviewer)
        note = "Sound overall; see claim 2."
        client.post(screen(assignment, "complete"), {"recommendation": "approve", "note": note})
        page = client.get(screen(assignment)).text
        assert "cannot recommend approving" in page
        assert 'value="approve" required checked' in page
        assert f">\n{note}</textarea>" in page

    def test_request_changes_needs_a_note_then_sends_the_article_back(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        decide(client, assignment, claims_of(article)[0], "request_changes", "Wrong dose.")
        before = state(article)
        response = client.post(
            screen(assignment, "complete"), {"recommendation": "request_changes"}
        )
        assert state(article) == before
        assert any("note for the editor is required" in note for note in notes(response))

        client.post(
            screen(assignment, "complete"),
            {"recommendation": "request_changes", "note": "Fix the dose in claim 1."},
        )
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.COMPLETED
        assert assignment.recommendation == "request_changes"
        article.refresh_from_db()
        assert article.review_status == ReviewStatus.CHANGES_REQUESTED
        assert article.history.first().history_change_reason.endswith("Fix the dose in claim 1.")

    def test_approving_once_every_claim_is_decided(self, client, reviewer, assignment, article):
        client.force_login(reviewer)
        for claim in claims_of(article):
            decide(client, assignment, claim)
        accept(client, assignment)
        response = client.post(screen(assignment, "complete"), {"recommendation": "approve"})
        assert any("Review completed" in note for note in notes(response))
        assignment.refresh_from_db()
        assert (assignment.status, assignment.recommendation) == ("completed", "approve")

    def test_the_stock_admin_action_obeys_the_same_rule(self, client, reviewer, assignment):
        client.force_login(reviewer)
        client.post(
            reverse("admin:reviewers_reviewassignment_changelist"),
            {
                "action": "complete",
                "_selected_action": [assignment.pk],
                "recommendation": "approve",
            },
        )
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.ASSIGNED


class TestAnswering:
    def test_accept_from_the_screen(self, client, reviewer, assignment):
        client.force_login(reviewer)
        assert "Will you review this article?" in client.get(screen(assignment)).text
        accept(client, assignment)
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.ACCEPTED
        assert assignment.conflict_status == "none"
        page = client.get(screen(assignment)).text
        assert "You accepted this review" in page
        assert 'value="accept"' not in page

    def test_accepting_from_the_screen_asks_for_a_declaration(self, client, reviewer, assignment):
        client.force_login(reviewer)
        page = client.get(screen(assignment)).text
        response = client.post(screen(assignment, "answer"), {"answer": "accept"}, follow=True)

        assert "I have no conflict of interest with this article" in page
        assert "no conflict with this article" in response.text
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.ASSIGNED

    def test_accept_from_the_screen_naming_a_conflict(self, client, reviewer, assignment):
        client.force_login(reviewer)
        accept(
            client,
            assignment,
            declaration="conflict",
            conflict_kind="financial",
            conflict="Speaker fees from the binder's maker.",
        )
        assignment.refresh_from_db()
        assert (assignment.status, assignment.conflict_status) == ("accepted", "declared")
        assert assignment.declared_conflict.text == "Speaker fees from the binder's maker."

    def test_decline_from_the_screen_with_a_reason(self, client, reviewer, assignment):
        client.force_login(reviewer)
        client.post(screen(assignment, "answer"), {"answer": "decline", "reason": "Away"})
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.DECLINED
        assert assignment.history.first().history_change_reason == "decline: Away"


class TestRoundTwo:
    @pytest.fixture
    def round_two(self, client, editor, reviewer, assignment, article):
        """Round 1: claims 1 and 2 approved, claim 3 sent back; the editor rewrites claim 3."""
        client.force_login(reviewer)
        first, second, third = claims_of(article)
        decide(client, assignment, first)
        decide(client, assignment, second)
        decide(client, assignment, third, "request_changes", "Say which tissue.")
        client.post(
            screen(assignment, "complete"),
            {"recommendation": "request_changes", "note": "Claim 3 needs work."},
        )
        article_services.wording_set(
            claim=third,
            level="clinician",
            text="Deposits form in injured heart tissue.",
            actor=editor,
            reason="As the board asked",
        )
        reviewer_services.article_resubmit(article=Article.objects.get(pk=article.pk), actor=editor)
        article_services.article_start_review(
            article=Article.objects.get(pk=article.pk), actor=editor
        )
        return ReviewAssignment.objects.get(article=article, reviewer=reviewer, round=2)

    def test_only_changed_claims_need_a_decision(self, client, round_two):
        page = client.get(screen(round_two)).text
        assert "0 of 1 decided" in page
        assert "2 claims carried over, approved" in page
        assert page.count('<details class="carried-over">') == 2
        assert page.count("data-approve") == 1
        assert '<ins class="diff-added">' in page

    def test_approving_the_changed_claim_is_enough_to_recommend_approval(
        self, client, round_two, article
    ):
        third = claims_of(article)[2]
        decide(client, round_two, third)
        accept(client, round_two)
        client.post(screen(round_two, "complete"), {"recommendation": "approve"})
        round_two.refresh_from_db()
        assert round_two.status == AssignmentStatus.COMPLETED


class TestPeriodicReview:
    @pytest.fixture
    def periodic(self, editor, reviewer, approver, article):
        approve_everything(article, reviewer=reviewer, approver=approver)
        reviewer_services.article_start_periodic_review(
            article=Article.objects.get(pk=article.pk), actor=editor
        )
        return ReviewAssignment.objects.get(article=article, reviewer=reviewer, round=2)

    def test_every_claim_needs_a_decision_again(self, client, reviewer, periodic):
        client.force_login(reviewer)

        page = client.get(screen(periodic)).text

        assert "0 of 3 decided" in page
        assert "carried over" not in page
        assert page.count("data-approve") == 3

    def test_the_reviewer_confirms_claims_and_recommends_approval_again(
        self, client, reviewer, periodic, article
    ):
        client.force_login(reviewer)
        for claim in claims_of(article):
            decide(client, periodic, claim)
        accept(client, periodic)
        client.post(screen(periodic, "complete"), {"recommendation": "approve"})

        periodic.refresh_from_db()
        assert (periodic.status, periodic.recommendation) == ("completed", "approve")
        assert Article.objects.get(pk=article.pk).review_status == ReviewStatus.PERIODIC_REVIEW

    def test_recommending_changes_ends_the_approval(self, client, reviewer, periodic, article):
        client.force_login(reviewer)
        client.post(
            screen(periodic, "complete"),
            {"recommendation": "request_changes", "note": "Superseded by the 2025 guideline."},
        )

        article.refresh_from_db()
        assert article.review_status == ReviewStatus.CHANGES_REQUESTED
        assert not article.has_standing_approval


class TestChangingYourMind:
    """Issue 20: a decided claim offers “Change decision” and Undo, as plain forms."""

    def test_an_approved_claim_offers_to_send_it_back_instead(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        claim = claims_of(article)[0]
        decide(client, assignment, claim)
        page = client.get(screen(assignment)).text
        assert "Change decision…" in page
        assert "Send claim 1 back instead" in page
        assert "Undo my decision" in page

        response = decide(client, assignment, claim, "request_changes", "Cite the RCT")

        assert response.status_code == 302
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.CHANGES_REQUESTED
        assert ClaimDecision.objects.filter(claim=claim).count() == 2

    def test_a_claim_i_sent_back_can_be_approved_instead_but_not_by_the_a_key(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        claim = claims_of(article)[0]
        decide(client, assignment, claim, "request_changes", "Cite the RCT")
        page = client.get(screen(assignment)).text
        card = page.split('id="claim-1"')[1].split("</article>")[0]
        assert "Approve claim 1 instead" in card
        assert "data-approve" not in card  # a stray “a” never changes a decision

        decide(client, assignment, claim, "approve")

        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.APPROVED

    def test_undo_without_javascript_takes_the_claim_back_to_undecided(
        self, client, reviewer, assignment, article
    ):
        client.force_login(reviewer)
        claim = claims_of(article)[0]
        decide(client, assignment, claim)

        response = client.post(screen(assignment, "undo"), {"claim": claim.pk, "show": "all"})

        assert response.status_code == 302 and response.url.endswith("#claim-1")
        assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.PENDING
        assert "Claim 1: your decision was undone; it is pending review again." in notes(response)

    def test_another_reviewers_decision_offers_no_change(
        self, client, reviewer, assignment, article
    ):
        other = BoardReviewerFactory()
        reviewer_services.assignment_create(
            article=article, reviewer=other, due_at=assignment.due_at, actor=article.created_by
        )
        claim = claims_of(article)[0]
        reviewer_services.claims_decide(
            claims=[claim], actor=other, decision="request_changes", comment="Cite the RCT"
        )
        client.force_login(reviewer)
        card = client.get(screen(assignment)).text.split('id="claim-1"')[1].split("</article>")[0]
        assert "Change decision" not in card
        before = state(article)
        assert decide(client, assignment, claim, "approve").status_code == 403
        assert client.post(screen(assignment, "undo"), {"claim": claim.pk}).status_code == 403
        assert state(article) == before

    def test_a_claim_back_because_its_reference_was_completed_says_which_and_how(
        self, client, reviewer, editor, assignment, article
    ):
        client.force_login(reviewer)
        claim = claims_of(article)[0]
        decide(client, assignment, claim)
        reference = claim.citations.get().reference
        article_services.reference_update(
            reference=reference, actor=editor, reason="Completed", is_complete=False
        )
        decide(client, assignment, claims_of(article)[0])
        article_services.reference_update(
            reference=reference, actor=editor, reason="Completed", is_complete=True, year=2021
        )

        card = client.get(screen(assignment)).text.split('id="claim-1"')[1].split("</article>")[0]

        assert "Back to confirm: reference [1] “Vascular calcification in chronic kidney" in card
        assert "was completed (fields: year) on" in card
        assert f"by {editor.get_full_name() or editor.username}." in card
