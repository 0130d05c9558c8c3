"""The board reviewer's review screen (docs/workflows.md#the-back-office): one assignment, the
article in reading order, each claim beside the references it cites, decided in place.

Every action is a plain form POST answered by a redirect back to the same place on the page
(``#claim-7``), so the screen works without JavaScript; ``static/desk/review.js`` sends the same
forms with ``fetch`` and swaps the page's main part in, so nothing reloads. The rules — who may
decide, when a recommendation may approve — are the models' transitions', asked through
``reviewers.services``; this module only collects input and shows what the services said.

The page is ``ReviewPageView``; each action is a view of its own (decide a claim, approve a
section's unchanged claims, complete the review, accept or decline the assignment) whose input is
checked by its form in ``desk/review_forms.py`` before the service is called.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View

from articles.choices import ClaimStatus, ReadingLevel
from articles.models import Claim, ReferenceChange, may_decide_claim
from articles.outline import claim_numbers
from articles.readability import readability
from desk.admin.bases import names_a_row
from editorial.exceptions import EditorialError, EditorialPermissionDenied
from editorial.workflow import declared_transition
from reviewers import services
from reviewers.choices import Decision, InterestKind, Recommendation
from reviewers.models import ReviewAssignment
from reviewers.selectors import ClaimInReview, review_for_assignment

from .review_forms import (
    FILTERS,
    AnswerAssignmentForm,
    ApproveSectionForm,
    CompleteReviewForm,
    DecideClaimForm,
    UndoDecisionForm,
    filter_named,
)


def _shown_by(name: str, item: ClaimInReview) -> bool:
    if name == "undecided":
        return item.is_undecided
    if name == "changed":
        return item.changed or (item.is_new and not item.carried_over)
    if name == "sent_back":
        return item.is_sent_back
    return True


@dataclass
class WordingLine:
    label: str
    text: str
    diff: str | None
    grade: object  # articles.readability.Readability, or None under ten words


@dataclass
class ClaimCard:
    """What the template shows of one claim, and which buttons it offers now."""

    item: ClaimInReview
    wordings: list[WordingLine]
    removed_levels: list[str]
    citations_changed: bool
    digest: str
    may_approve: bool
    may_request_changes: bool
    in_section_batch: bool
    notes: list = field(default_factory=list)
    may_change_to: str = ""
    """“approve” or “request_changes”: the reviewer may decide again on their own decision."""
    may_undo: bool = False
    back_to_confirm: object = None
    """The ``ReferenceChange`` that sent the claim back to confirm since its last decision."""
    back_to_confirm_number: int | None = None

    @property
    def claim(self) -> Claim:
        return self.item.claim

    @property
    def number(self) -> int:
        return self.item.number

    @property
    def anchor(self) -> str:
        return f"claim-{self.item.number}"


@dataclass
class SectionCard:
    heading: str
    level: int
    anchor: str
    pk: int
    cards: list[ClaimCard]
    batch: list[ClaimCard]
    notes: list = field(default_factory=list)


def _wording_lines(item: ClaimInReview) -> tuple[list[WordingLine], list[str], bool]:
    """The claim's wordings, each with its difference from ``item.change`` (the one rule of
    what changed since the reviewer's last decision, ``reviewers.selectors.claim_change``)."""
    current = item.claim.texts_by_level()
    lines = []
    for level in ReadingLevel.values:
        if level not in current:
            continue
        text = current[level]
        grade = readability(level=level, text=text)
        lines.append(
            WordingLine(
                label=ReadingLevel(level).label,
                text=text,
                diff=item.change.diff_of(level),
                grade=grade if grade.shown else None,
            )
        )
    removed = [ReadingLevel(level).label for level in item.change.removed_levels]
    return lines, removed, item.change.citations_changed


def review_urls(site) -> list:
    """The review screen's URL patterns under /admin/, each view wrapped by ``site.admin_view``."""

    def view(view_class):
        return site.admin_view(view_class.as_view(site=site))

    return [
        path("review/<str:assignment_id>/", view(ReviewPageView), name="desk_review"),
        path(
            "review/<str:assignment_id>/decide/", view(DecideClaimView), name="desk_review_decide"
        ),
        path("review/<str:assignment_id>/undo/", view(UndoDecisionView), name="desk_review_undo"),
        path(
            "review/<str:assignment_id>/approve-section/",
            view(ApproveSectionView),
            name="desk_review_approve_section",
        ),
        path(
            "review/<str:assignment_id>/complete/",
            view(CompleteReviewView),
            name="desk_review_complete",
        ),
        path(
            "review/<str:assignment_id>/answer/",
            view(AnswerAssignmentView),
            name="desk_review_answer",
        ),
    ]


class ReviewScreenView(View):
    """What the page and its actions share: finding the reviewer's own assignment, refusing
    politely, and the way back to the page."""

    site = None
    """The admin site whose ``each_context`` frames the page (given by ``review_urls``)."""

    def _refused(self, request, status: int, message: str):
        context = {**self.site.each_context(request), "title": message, "message": message}
        return TemplateResponse(request, "desk/refused.html", context, status=status)

    def _assignment(self, request, assignment_id: str):
        """(assignment, None) or (None, a 4xx response that says why)."""
        if not names_a_row(ReviewAssignment, assignment_id):
            return None, self._refused(
                request, 404, f"“{assignment_id}” is not a review assignment."
            )
        assignment = (
            ReviewAssignment.objects.select_related("article", "reviewer", "assigned_by")
            .filter(pk=int(assignment_id))
            .first()
        )
        if assignment is None:
            return None, self._refused(
                request, 404, f"Review assignment {assignment_id} does not exist."
            )
        if assignment.reviewer_id != request.user.pk:
            return None, self._refused(
                request,
                403,
                f"This review of “{assignment.article}” is {assignment.reviewer}'s; only they "
                "can open it.",
            )
        return assignment, None

    def _may_act(self, assignment: ReviewAssignment) -> bool:
        """This screen is the one that can act: the assignment is open in the current round."""
        article = assignment.article
        return assignment.is_active and assignment.round == article.round

    def _back(self, assignment, show: str, anchor: str = "") -> HttpResponseRedirect:
        url = reverse("admin:desk_review", args=[assignment.pk])
        if show != "all":
            url += f"?show={show}"
        return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


class ReviewPageView(ReviewScreenView):
    """The page: the article in reading order, each claim with its buttons, under a filter."""

    template = "desk/review.html"

    def get(self, request, assignment_id):
        assignment, refusal = self._assignment(request, assignment_id)
        if refusal:
            return refusal
        show = filter_named(request.GET.get("show"))
        context = self.context(request, assignment, show)
        context["complete_draft"] = request.session.pop(_complete_draft_key(assignment), {})
        return TemplateResponse(request, self.template, context)

    def context(self, request, assignment: ReviewAssignment, show: str) -> dict:
        review = review_for_assignment(assignment)
        article = assignment.article
        may_act = self._may_act(assignment) and article.is_under_review
        first = next(iter(review.claims()), None)
        may_decide = may_act and first is not None and may_decide_claim(first.claim, request.user)
        notes = _split_messages(request)
        reference_changes = ReferenceChange.objects.sending_back_claims_of(article)
        sections = []
        for row in review.sections:
            cards = []
            for item in row.claims:
                if not _shown_by(show, item):
                    continue
                card = self._card(item, may_decide, notes, assignment)
                _note_back_to_confirm(card, reference_changes.get(item.claim.pk, []))
                cards.append(card)
            if not cards:
                continue
            section = row.section.section
            sections.append(
                SectionCard(
                    heading=section.heading,
                    level=section.level,
                    anchor=f"section-{section.order}",
                    pk=section.pk,
                    cards=cards,
                    batch=[card for card in cards if card.in_section_batch],
                    notes=notes.get(f"section-{section.order}", []),
                )
            )
        # A note about a claim or section this filter hides (just approved under "Undecided")
        # goes to the top of the page rather than nowhere.
        shown = {section.anchor for section in sections} | {
            card.anchor for section in sections for card in section.cards
        }
        page_notes = [
            message
            for place, placed in notes.items()
            if place not in shown and place not in ("complete", "answer")
            for message in placed
        ]
        to_decide = review.to_decide()
        decided = review.decided_count()
        counts = {
            name: sum(1 for item in review.claims() if _shown_by(name, item)) for name in FILTERS
        }
        transitions = {
            name
            for name in ("accept", "decline", "complete")
            if declared_transition(assignment, name)[1] is not None
        }
        return {
            **self.site.each_context(request),
            "title": _("Review: %(article)s") % {"article": article},
            "is_nav_sidebar_enabled": False,
            "assignment": assignment,
            "article": article,
            "review": review,
            "sections": sections,
            "show": show,
            "filters": [
                (name, label, counts[name], show == name) for name, label in FILTERS.items()
            ],
            "decided": decided,
            "to_decide": len(to_decide),
            "carried_over": len(review.claims()) - len(to_decide),
            "undecided": review.undecided(),
            "sent_back_by_me": review.sent_back_by_me(),
            "may_act": may_act,
            "may_decide": may_decide,
            "may_answer": self._may_act(assignment) and "accept" in transitions,
            "may_complete": self._may_act(assignment) and "complete" in transitions,
            "is_overdue": assignment.is_overdue(),
            "recommendations": Recommendation.choices,
            "interest_kinds": InterestKind.choices,
            "page_notes": page_notes,
            "complete_notes": notes.get("complete", []),
            "answer_notes": notes.get("answer", []),
            "current_assignment": self._current_assignment(assignment),
        }

    def _current_assignment(self, assignment):
        if assignment.round == assignment.article.round:
            return None
        return (
            ReviewAssignment.objects.standing()
            .in_round(assignment.article.round)
            .filter(article=assignment.article, reviewer=assignment.reviewer)
            .first()
        )

    def _card(self, item: ClaimInReview, may_decide: bool, notes: dict, assignment) -> ClaimCard:
        available = {t.name for t in item.claim.get_available_review_status_transitions()}
        lines, removed, citations_changed = _wording_lines(item)
        # Mine the latest decision, in this assignment: I may decide again, or undo it.
        latest = item.latest
        mine_last = may_decide and latest is not None and latest.assignment_id == assignment.pk
        status = item.claim.review_status
        may_change_to = ""
        if mine_last and status == ClaimStatus.APPROVED:
            may_change_to = Decision.REQUEST_CHANGES
        elif mine_last and status == ClaimStatus.CHANGES_REQUESTED:
            may_change_to = Decision.APPROVE
        may_approve = may_decide and "approve" in available and status == ClaimStatus.PENDING
        return ClaimCard(
            may_change_to=may_change_to,
            may_undo=mine_last and latest.is_undoable_on(item.claim),
            item=item,
            wordings=lines,
            removed_levels=removed,
            citations_changed=citations_changed,
            digest=services.snapshot_digest(item.claim.snapshot()),
            may_approve=may_approve,
            may_request_changes=may_decide and "request_changes" in available and not may_change_to,
            in_section_batch=may_approve
            and item.is_undecided
            and not item.changed
            and not item.is_new,
            notes=notes.get(f"claim-{item.number}", []),
        )


class ReviewActionView(ReviewScreenView):
    """One action of the screen: a POST of ``form_class`` answered by a redirect back to the
    page (``#claim-7``), so it works without JavaScript; ``act`` calls the service."""

    http_method_names = ["post"]
    form_class = None

    def refusal(self, assignment) -> str:
        """The sentence of a 400 when the form names what is not there to act on."""
        return f"That is not an answer to “{assignment.article}”; nothing was changed."

    def post(self, request, assignment_id):
        assignment, refusal = self._assignment(request, assignment_id)
        if refusal:
            return refusal
        if not self._may_act(assignment):
            messages.error(
                request,
                f"This assignment is {assignment.get_status_display().lower()} (round "
                f"{assignment.round}); nothing was changed.",
            )
            return self._back(assignment, filter_named(request.POST.get("show")))
        form = self.form_class(request.POST, **self.form_kwargs(assignment))
        if not form.is_valid():
            return self._refused(request, 400, self.refusal(assignment))
        try:
            return self.act(request, assignment, form.cleaned_data)
        except EditorialPermissionDenied as error:
            return self._refused(request, 403, error.message)

    def form_kwargs(self, assignment) -> dict:
        return {}

    def act(self, request, assignment, data: dict):
        raise NotImplementedError


class DecideClaimView(ReviewActionView):
    """Approve a claim, or request changes with a comment; land on it or the next one shown."""

    form_class = DecideClaimForm

    def form_kwargs(self, assignment) -> dict:
        return {"assignment": assignment}

    def refusal(self, assignment) -> str:
        return f"That claim is not in “{assignment.article}”; nothing was changed."

    def act(self, request, assignment, data: dict):
        claims, decision = data["claims"], data["decision"]
        number = claim_numbers([assignment.article_id]).get(claims[0].pk)
        try:
            services.claims_decide(
                claims=claims,
                actor=request.user,
                decision=decision,
                comment=data["comment"],
                seen=data["seen"],
            )
        except EditorialPermissionDenied:
            raise
        except EditorialError as error:
            messages.error(request, error.message, extra_tags=f"claim-{number}")
        else:
            done = _("approved") if decision == Decision.APPROVE else _("sent back for changes")
            messages.success(
                request,
                _("Claim %(number)s %(done)s.") % {"number": number, "done": done},
                extra_tags=f"claim-{number}",
            )
        return self._back(assignment, data["show"], self._landing(assignment, number, data["show"]))

    def _landing(self, assignment, number: int, show: str) -> str:
        """The claim to land on after a decision: itself, or the next one the filter shows."""
        for item in review_for_assignment(assignment).claims():
            if item.number >= number and _shown_by(show, item):
                return f"claim-{item.number}"
        return "review-complete"


class UndoDecisionView(ReviewActionView):
    """Take back the reviewer's latest decision on a claim (the toast's Undo, or the button)."""

    form_class = UndoDecisionForm

    def form_kwargs(self, assignment) -> dict:
        return {"assignment": assignment}

    def refusal(self, assignment) -> str:
        return f"That claim is not in “{assignment.article}”; nothing was changed."

    def act(self, request, assignment, data: dict):
        claim = data["claim"]
        number = claim_numbers([assignment.article_id]).get(claim.pk)
        try:
            services.claim_decision_undo(claim=claim, actor=request.user)
        except EditorialPermissionDenied:
            raise
        except EditorialError as error:
            messages.error(request, error.message, extra_tags=f"claim-{number}")
        else:
            status = Claim.objects.get(pk=claim.pk).get_review_status_display().lower()
            messages.success(
                request,
                _("Claim %(number)s: your decision was undone; it is %(status)s again.")
                % {"number": number, "status": status},
                extra_tags=f"claim-{number}",
            )
        return self._back(assignment, data["show"], f"claim-{number}")


class ApproveSectionView(ReviewActionView):
    """Approve a section's undecided, unchanged claims in one POST."""

    form_class = ApproveSectionForm

    def form_kwargs(self, assignment) -> dict:
        return {"assignment": assignment}

    def refusal(self, assignment) -> str:
        return f"Those claims are not all in “{assignment.article}”; nothing was changed."

    def act(self, request, assignment, data: dict):
        anchor = data["section"]
        try:
            decided = services.claims_decide(
                claims=data["claims"],
                actor=request.user,
                decision=Decision.APPROVE,
                seen=data["seen"],
            )
        except EditorialPermissionDenied:
            raise
        except EditorialError as error:
            messages.error(request, error.message, extra_tags=anchor)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d claim of the section approved.",
                    "%(n)d claims of the section approved.",
                    len(decided),
                )
                % {"n": len(decided)},
                extra_tags=anchor,
            )
        return self._back(assignment, data["show"], anchor)


class CompleteReviewView(ReviewActionView):
    """Complete the review with a recommendation; a refusal keeps what was sent for the page."""

    form_class = CompleteReviewForm

    def act(self, request, assignment, data: dict):
        recommendation, note = data["recommendation"], data["note"]
        try:
            services.review_complete(
                assignment=assignment,
                actor=request.user,
                recommendation=recommendation,
                note=note,
            )
        except EditorialPermissionDenied:
            raise
        except EditorialError as error:
            messages.error(
                request, self._explained(error.message, assignment), extra_tags="complete"
            )
            # The form comes back as it was sent, so a refusal costs no retyping.
            request.session[_complete_draft_key(assignment)] = {
                "recommendation": recommendation if recommendation in Recommendation.values else "",
                "note": note,
            }
        else:
            messages.success(
                request,
                _("Review completed: you recommended “%(recommendation)s”. Thank you.")
                % {"recommendation": Recommendation(recommendation).label},
                extra_tags="complete",
            )
        return self._back(assignment, data["show"], "review-complete")

    def _explained(self, message: str, assignment):
        """The service's refusal, with links to the claims that hold back an approval."""
        review = review_for_assignment(assignment)
        holding = review.undecided() + review.sent_back_by_me()
        if not holding:
            return message
        shown = sorted(holding, key=lambda item: item.number)
        links = format_html_join(
            ", ",
            '<a href="#claim-{}">{}</a>',
            ((item.number, item.number) for item in shown[:12]),
        )
        more = len(shown) - 12
        return format_html(
            "{} {} {}{}",
            message,
            ngettext("Claim:", "Claims:", len(shown)),
            links,
            f" and {more} more" if more > 0 else "",
        )


class AnswerAssignmentView(ReviewActionView):
    """Accept the assignment, declaring interests, or decline it with a reason."""

    form_class = AnswerAssignmentForm

    def refusal(self, assignment) -> str:
        return "Accept or decline: nothing else is an answer."

    def act(self, request, assignment, data: dict):
        try:
            if data["answer"] == "accept":
                declared = data["declaration"]
                services.assignment_accept(
                    assignment=assignment,
                    actor=request.user,
                    no_conflict=declared == "none",
                    conflict=data["conflict"] if declared == "conflict" else "",
                    conflict_kind=data["conflict_kind"] or InterestKind.OTHER,
                )
                done = _("You accepted this review. Thank you.")
            else:
                services.assignment_decline(
                    assignment=assignment, actor=request.user, reason=data["reason"]
                )
                done = _("You declined this review; the editor is told on the desk.")
        except EditorialPermissionDenied:
            raise
        except EditorialError as error:
            messages.error(request, error.message, extra_tags="answer")
        else:
            messages.success(request, done, extra_tags="answer")
        return self._back(assignment, data["show"])


def _note_back_to_confirm(card: ClaimCard, changes: list) -> None:
    """A pending claim a reference change sent back since its last decision says which and how
    (from the ``ReferenceChange`` rows ``reference_update`` wrote, never from history text)."""
    latest = card.item.latest
    if card.claim.review_status != ClaimStatus.PENDING or latest is None:
        return
    change = next((c for c in changes if c.changed_at > latest.created_at), None)
    if change is None:
        return
    card.back_to_confirm = change
    card.back_to_confirm_number = next(
        (number for number, ref in card.item.entry.citations if ref.pk == change.reference_id),
        None,
    )


def _complete_draft_key(assignment: ReviewAssignment) -> str:
    """Where a refused completion's recommendation and note wait for the page's next showing."""
    return f"desk-review-complete-{assignment.pk}"


def _split_messages(request) -> dict[str, list]:
    """The request's messages by where they belong on the page: a claim (``claim-7``), the
    completion, the answer to the assignment, or the top (``""``)."""
    placed: dict[str, list] = {}
    for message in messages.get_messages(request):
        tags = (message.extra_tags or "").split()
        place = next(
            (
                tag
                for tag in tags
                if tag.startswith(("claim-", "section-")) or tag in ("complete", "answer")
            ),
            "",
        )
        placed.setdefault(place, []).append(message)
    return placed
