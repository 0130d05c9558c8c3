"""One command to see the whole product: the seed article, people in every role, a review going,
an approved article with its reviewers and review dates, a declared conflict of interest, reader
feedback in the editors' queue and a governance dashboard with data.

Idempotent: each step runs only if it has never happened — a user or an article that does not
exist, a wording never written, a reviewer never assigned, a review never started, an article
never published — judged from the rows and their history. So a second run creates only what is
missing and never undoes what someone did since (an edited or removed wording, a user taken out
of a group, an article withdrawn or sent back). Every change goes through the services, so the
demo's history reads like real work.
"""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.choices import (
    FeedbackKind,
    PublicationStatus,
    ReadingLevel,
    ReviewStatus,
)
from articles.interchange.read import read_article
from articles.models import Article, Claim, ClaimFeedback, Wording
from articles.outline import claim_numbers
from articles.services import (
    article_import,
    article_publish,
    article_set_next_review,
    article_start_review,
    changes_answering,
    feedback_accept,
    feedback_submit,
    wording_set,
)
from desk.selectors import governance_dashboard
from editorial.exceptions import EditorialError
from editorial.history import save_with_history
from reviewers.choices import AssignmentStatus, ConflictStatus, InterestKind
from reviewers.models import DeclarationOfInterest, ReviewerProfile
from reviewers.roles import APPROVERS, BOARD, EDITORS, ensure_roles
from reviewers.services import (
    article_approve,
    assignment_accept,
    assignment_complete,
    assignment_create,
    claims_decide,
    declaration_add,
)

SEED_PATH = Path(settings.EDITORIAL_DEMO_ARTICLE)
SEED_SLUG = "calcium-deposits-in-tissues"
APPROVED_PATH = Path(settings.BASE_DIR) / "articles" / "demo" / "coronary-calcium-score.md"
APPROVED_SLUG = "coronary-artery-calcium-score"
# The approved article's next review falls due within the editors' reminder window, so the
# desk and the dashboard list it (an editor moves the date, with a reason, as editors may).
APPROVED_NEXT_REVIEW_IN = timedelta(days=21)
SITE = settings.SITE_URL.rstrip("/")
REASON = "Demo data (seed_demo)"

# username, password, role, first name, last name, groups, reviewer credentials and specialty
DEMO_USERS = [
    ("admin", "demo-admin-pass", "administrator", "Ada", "Admin", (), None),
    ("editor", "demo-editor-pass", "editor", "Elena", "Marsh", (EDITORS,), None),
    (
        "dr.okafor",
        "demo-reviewer-pass",
        "board reviewer",
        "Chidi",
        "Okafor",
        (BOARD,),
        ("MD, FASN", "Nephrology"),
    ),
    (
        "dr.lindqvist",
        "demo-reviewer-pass",
        "board reviewer",
        "Maja",
        "Lindqvist",
        (BOARD,),
        ("MD, PhD", "Cardiology"),
    ),
    (
        "dr.reyes",
        "demo-approver-pass",
        "approver (board member who approves articles)",
        "Sofia",
        "Reyes",
        (BOARD, APPROVERS),
        ("MD, FACP", "Internal medicine"),
    ),
]

# Clinician wording starts → the patient and student wordings shown by the level picker.
DEMO_WORDINGS = {
    "Calcium deposits in tissues represent abnormal accumulation": {
        ReadingLevel.PATIENT: (
            "Calcium deposits are hard bits of calcium that build up in soft parts of the body, "
            "such as the skin, blood vessels or joints, instead of in the bones. Doctors sort "
            "them into three types by what caused them."
        ),
        ReadingLevel.STUDENT: (
            "Calcium deposits in tissues are calcium salts that collect outside the skeleton. "
            "They form in three ways: dystrophic calcification (damaged tissue, normal calcium "
            "levels), metastatic calcification (high blood calcium or phosphate settling in "
            "healthy tissue) and calcinosis (normal metabolism, deposits in skin and "
            "connective tissue)."
        ),
    },
    "Occurs in damaged or devitalized tissues": {
        ReadingLevel.PATIENT: (
            "This type forms in tissue that has been hurt or has died, even when the calcium "
            "in your blood is normal."
        ),
        ReadingLevel.STUDENT: (
            "Dystrophic calcification happens in damaged or dead tissue even though blood "
            "calcium and phosphate are normal."
        ),
    },
    "Results from elevated calcium and/or phosphate levels": {
        ReadingLevel.PATIENT: (
            "This type happens when there is too much calcium or phosphate in the blood, so it "
            "settles in healthy tissue."
        ),
    },
    "Asymptomatic CPPD requires no treatment": {
        ReadingLevel.PATIENT: (
            "If calcium crystals in a joint cause no symptoms, they need no treatment."
        ),
    },
    "Avoid vitamin K antagonists in patients with end-stage renal disease": {
        ReadingLevel.PATIENT: (
            "If your kidneys have failed, blood thinners like warfarin can make a serious skin "
            "problem called calciphylaxis up to 11 times more likely. Ask your doctor about "
            "other choices."
        ),
        ReadingLevel.STUDENT: (
            "In end-stage kidney disease, avoid vitamin K antagonists such as warfarin: they "
            "raise the risk of calciphylaxis up to 11-fold."
        ),
    },
}

APPROVED_WORDINGS = {
    "The coronary artery calcium score is the amount of calcified plaque": {
        ReadingLevel.PATIENT: (
            "The calcium score tells how much hard, calcium-filled plaque is in the arteries "
            "of your heart. It comes from a quick CT scan without dye."
        ),
    },
    "In adults without known heart disease, a higher score predicts": {
        ReadingLevel.PATIENT: (
            "If you have no known heart disease, a higher score means a higher chance of a "
            "heart attack, even after your other risk factors are counted."
        ),
    },
}

# Conflicts of interest and reader feedback the demo shows (docs/governance.md).
LINDQVIST_CONFLICT = (
    "Paid consultancy (2024–2025) for a company that makes phosphate binders, which the "
    "article's treatment section discusses."
)
OKAFOR_DECLARATION = (
    "Research grant from the National Kidney Foundation for a study of vascular calcification "
    "in dialysis (2024–2026)."
)
DEMO_FEEDBACK = [
    # (article slug, claim wording start, kind, reading level, note)
    (
        APPROVED_SLUG,
        "In adults without known heart disease, a higher score predicts",
        FeedbackKind.OUTDATED,
        ReadingLevel.CLINICIAN,
        "Newer cohorts (for example CAC Consortium, 2020) could be cited alongside MESA.",
    ),
    (
        APPROVED_SLUG,
        "The coronary artery calcium score is the amount of calcified plaque",
        FeedbackKind.UNCLEAR,
        ReadingLevel.PATIENT,
        "What is a good score? I got 120 and do not know if that is high.",
    ),
]
ANSWERED_FEEDBACK = (
    "Asymptomatic CPPD requires no treatment",
    "What is CPPD? The page does not say what the letters mean.",
    "If calcium crystals in a joint (a condition called CPPD, calcium pyrophosphate deposition) "
    "cause no symptoms, they need no treatment.",
)


class Command(BaseCommand):
    help = (
        "Load the demo: the seed article (with placeholders for references 3, 6 and 7), demo "
        "users for every role, reviewers assigned, review started and the article published; a "
        "second article reviewed, approved and published; a declared conflict of interest; "
        "reader feedback in the editors' queue. Safe to run again: it only adds what is "
        "missing and never overwrites a change made since."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", default=str(SEED_PATH), help="The seed article to import (Markdown)."
        )

    def handle(self, *args, seed, **options):
        self.done: list[str] = []
        try:
            with transaction.atomic():
                ensure_roles()
                users = self.demo_users()
                editor = users["editor"]
                article = self.seed_article(Path(seed), editor=editor)
                self.demo_wordings(article, DEMO_WORDINGS, editor=editor)
                self.assign_reviewers(
                    article,
                    editor=editor,
                    reviewers=[users["dr.okafor"], users["dr.lindqvist"]],
                )
                article = self.start_and_publish(article, editor=editor)
                approved = self.approved_article(users)
                self.declarations(article, users)
                self.reader_feedback(article, approved, editor=editor)
        except EditorialError as exc:
            raise CommandError(str(exc)) from exc
        self.report(article, approved)

    def demo_users(self) -> dict:
        user_model = get_user_model()
        users = {}
        for username, password, role, first, last, groups, profile in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "is_staff": True,
                    "is_superuser": role == "administrator",
                },
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
                self.done.append(f"created the {role} {username}")
                # Roles are given once, with the user: someone taken out of a group since
                # stays out.
                joined = list(Group.objects.filter(name__in=groups))
                if joined:
                    user.groups.add(*joined)
                    self.done.append(f"put {username} in {', '.join(g.name for g in joined)}")
            has_profile = ReviewerProfile.history.filter(user_id=user.pk).exists()
            if profile and not has_profile:
                save_with_history(
                    ReviewerProfile(user=user, credentials=profile[0], specialty=profile[1]),
                    actor=None,
                    reason=REASON,
                )
                self.done.append(f"gave {username} a board profile ({profile[0]})")
            users[username] = user
        return users

    def seed_article(self, path: Path, *, editor) -> Article:
        article = Article.objects.filter(slug=SEED_SLUG).first()
        if article is not None:
            return article
        source_text = _read(path)
        result = article_import(
            source_text=source_text,
            actor=editor,
            allow_missing_references=True,
            source_name=path.name,
        )
        self.done.append(
            f"imported “{result.article}” with placeholder references "
            f"{', '.join(str(n) for n in sorted(_missing_numbers(source_text)))}"
        )
        return result.article

    def demo_wordings(self, article: Article, demo_wordings: dict, *, editor) -> None:
        """Write each demo wording where that claim never had one at that level: an editor's
        edit, or removal, of a wording made since is theirs to keep."""
        claims = Claim.objects.of_article(article).prefetch_related("wordings")
        numbers = claim_numbers([article.pk])
        for claim in claims:
            clinician = claim.wording_text(ReadingLevel.CLINICIAN)
            for start, wordings in demo_wordings.items():
                if not clinician.startswith(start):
                    continue
                for level, text in wordings.items():
                    if Wording.history.filter(claim_id=claim.pk, level=level).exists():
                        continue
                    wording_set(claim=claim, level=level, text=text, actor=editor, reason=REASON)
                    self.done.append(f"added a {level} wording to claim {numbers[claim.pk]}")

    def assign_reviewers(self, article: Article, *, editor, reviewers) -> None:
        due = [timedelta(hours=36), timedelta(days=10)]
        for reviewer, due_in in zip(reviewers, due, strict=True):
            if article.assignments.filter(reviewer=reviewer).exists():
                continue  # assigned once, in some round: declined or cancelled stays so
            assignment_create(
                article=article,
                reviewer=reviewer,
                due_at=timezone.now() + due_in,
                actor=editor,
                reason=REASON,
            )
            self.done.append(f"assigned {reviewer.username}, due in {_humane(due_in)}")

    def start_and_publish(self, article: Article, *, editor) -> Article:
        """Start the review and publish, each only if it never happened to the article."""
        article.refresh_from_db()
        ever = article.history.all()
        if (
            article.review_status == ReviewStatus.SUBMITTED
            and not ever.exclude(review_status=ReviewStatus.SUBMITTED).exists()
        ):
            article = article_start_review(article=article, actor=editor, reason=REASON)
            self.done.append("started the review")
        if (
            article.publication_status == PublicationStatus.DRAFT
            and not ever.exclude(publication_status=PublicationStatus.DRAFT).exists()
        ):
            article = article_publish(article=article, actor=editor, reason=REASON)
            self.done.append("published the article (pending review, with the caution banner)")
        return article

    def approved_article(self, users) -> Article:
        """A second article, reviewed claim by claim by dr.okafor (no conflict of interest) and
        approved by dr.reyes, then published: the reader page shows who reviewed it and when,
        and its next review date. Like the seed's, each step runs only if it never happened to
        the article (judged from its history), so one changed, sent back or withdrawn since is
        left as it is."""
        editor, okafor, reyes = users["editor"], users["dr.okafor"], users["dr.reyes"]
        article = Article.objects.filter(slug=APPROVED_SLUG).first()
        if article is None:
            result = article_import(
                source_text=_read(APPROVED_PATH), actor=editor, source_name=APPROVED_PATH.name
            )
            article = result.article
            self.done.append(f"imported “{article}”")
            self.demo_wordings(article, APPROVED_WORDINGS, editor=editor)
        article.refresh_from_db()
        ever = article.history.all()
        if not ever.exclude(review_status=ReviewStatus.SUBMITTED).exists():
            if not article.assignments.exists():
                assignment_create(
                    article=article,
                    reviewer=okafor,
                    due_at=timezone.now() + timedelta(days=14),
                    actor=editor,
                    reason=REASON,
                )
            article = article_start_review(article=article, actor=editor, reason=REASON)
            self.done.append(f"started the review of “{article}” (dr.okafor)")
            assignment = article.assignments.get(reviewer=okafor, round=article.round)
            assignment_accept(assignment=assignment, actor=okafor, no_conflict=True)
            claims_decide(
                claims=list(Claim.objects.of_article(article)), actor=okafor, decision="approve"
            )
            assignment_complete(
                assignment=assignment,
                actor=okafor,
                recommendation="approve",
                reason="Every claim matches its sources.",
            )
            article = article_approve(article=article, actor=reyes, reason=REASON)
            self.done.append(f"approved “{article}” (dr.okafor reviewed, dr.reyes approved)")
            article = article_set_next_review(
                article=article,
                due_on=timezone.localdate() + APPROVED_NEXT_REVIEW_IN,
                actor=editor,
                reason=(
                    "Demo: an updated cardiology guideline is expected next month; review it "
                    "then rather than in three years."
                ),
            )
            self.done.append(f"set its next review due on {article.next_review_due}")
        if (
            article.publication_status == PublicationStatus.DRAFT
            and not ever.exclude(publication_status=PublicationStatus.DRAFT).exists()
        ):
            article = article_publish(article=article, actor=editor, reason=REASON)
            self.done.append(f"published “{article}”")
        return article

    def declarations(self, article: Article, users) -> None:
        """dr.lindqvist accepts the seed article's review naming a conflict of interest;
        dr.okafor has a research grant on his profile. Both show on /board/. Each only if that
        member never declared anything of the kind."""
        lindqvist, okafor = users["dr.lindqvist"], users["dr.okafor"]
        assignment = article.assignments.filter(reviewer=lindqvist, round=article.round).first()
        if (
            assignment is not None
            and assignment.status == AssignmentStatus.ASSIGNED
            and assignment.conflict_status == ConflictStatus.UNDECLARED
            and not DeclarationOfInterest.objects.filter(profile__user=lindqvist).exists()
        ):
            assignment_accept(
                assignment=assignment,
                actor=lindqvist,
                conflict=LINDQVIST_CONFLICT,
                conflict_kind=InterestKind.FINANCIAL,
            )
            self.done.append(
                "dr.lindqvist accepted the seed article's review, declaring a conflict"
            )
        profile = ReviewerProfile.objects.filter(user=okafor).first()
        if profile is not None and not profile.declarations.exists():
            declaration_add(
                profile=profile,
                kind=InterestKind.RESEARCH,
                text=OKAFOR_DECLARATION,
                valid_from=timezone.localdate().replace(month=1, day=1),
                actor=okafor,
                reason=REASON,
            )
            self.done.append("dr.okafor declared a research grant on his board profile")

    def reader_feedback(self, seed: Article, approved: Article, *, editor) -> None:
        """Two reports in the editors' queue, and one an editor answered with an edit."""
        if ClaimFeedback.objects.filter(claim__section__article__in=[seed, approved]).exists():
            return
        articles = {seed.slug: seed, approved.slug: approved}
        for slug, start, kind, level, note in DEMO_FEEDBACK:
            claim = _claim_starting(articles[slug], start)
            if claim is None or articles[slug].publication_status != PublicationStatus.PUBLISHED:
                continue
            feedback_submit(
                claim=claim,
                kind=kind,
                note=note,
                reading_level=level,
                article_version=articles[slug].content_version,
            )
            number = claim_numbers([claim.section.article_id])[claim.pk]
            self.done.append(f"a reader reported a problem with claim {number} of “{slug}”")
        start, note, answer = ANSWERED_FEEDBACK
        claim = _claim_starting(seed, start)
        if claim is None or seed.publication_status != PublicationStatus.PUBLISHED:
            return
        seed.refresh_from_db()
        feedback = feedback_submit(
            claim=claim,
            kind=FeedbackKind.UNCLEAR,
            note=note,
            reading_level=ReadingLevel.PATIENT,
            article_version=seed.content_version,
        )
        wording_set(
            claim=claim,
            level=ReadingLevel.PATIENT,
            text=answer,
            actor=editor,
            reason="Reader feedback: say what CPPD stands for",
        )
        feedback_accept(
            feedback=feedback,
            answered_by_change=changes_answering(feedback).first(),
            actor=editor,
            reason="Fair point: the patient wording now spells out CPPD.",
        )
        number = claim_numbers([seed.pk])[claim.pk]
        self.done.append(f"an editor answered a reader's report on claim {number} of the seed")

    def report(self, article: Article, approved: Article) -> None:
        write = self.stdout.write
        if self.done:
            for line in self.done:
                write(f"  {line}")
            write(self.style.SUCCESS(f"Demo data loaded ({len(self.done)} changes)."))
        else:
            write(self.style.SUCCESS("Demo data already in place: nothing changed."))
        write("")
        write(f"Read the article:  {SITE}{article.get_absolute_url()}")
        write("  Pick “Patient or caregiver” or “Student” under “Which best describes you?”;")
        write("  the page says the content is pending review (caution banner, stepper).")
        write(f"An approved one:   {SITE}{approved.get_absolute_url()}")
        write("  “Medically reviewed by”, “Page last reviewed · Next review due”; each statement")
        write("  has “Report a problem with this statement”.")
        write(f"The board and its declarations of interest: {SITE}/board/")
        write(f"Log in to the admin: {SITE}/admin/")
        write("  username        password             role")
        for username, password, role, *_ in DEMO_USERS:
            write(f"  {username:<15} {password:<20} {role}")
        write("What to look at:")
        write("  editor: the article's sections and claims, the placeholder references 3, 6 and 7")
        write("    that block approval until completed, and the review assignments.")
        write("  dr.okafor: the desk lists the assignment (due within 48 hours); its review screen")
        write("    shows each claim beside its references: approve (key a) or request changes (r),")
        write("    then complete the review at the end.")
        write("  dr.lindqvist: declared a conflict with the seed article; an approving")
        write("    recommendation from her counts only with dr.reyes's override, with a reason.")
        write("  dr.reyes: approve the article once the claims and references are in order.")
        write("  editor: Reader feedback (the queue), the governance dashboard and its CSV.")
        write("  admin: every change, with who and why, under History.")
        dashboard = governance_dashboard()
        share = dashboard.compliance.share
        write(
            f"Governance dashboard ({SITE}/admin/governance/): "
            f"{dashboard.compliance.approved} of {dashboard.compliance.claims} published claims "
            f"approved in their current wording ({0 if share is None else share * 100:.0f} %), "
            f"{len(dashboard.past_review_date)} past review date, "
            f"{len(dashboard.due_for_review)} due for review, "
            f"{dashboard.open_feedback} open feedback, "
            f"{len(dashboard.overdue_assignments)} overdue assignments."
        )
        write("The demo passwords are for this machine only; change them anywhere else.")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read the demo article {path}: {exc}") from exc


def _claim_starting(article: Article, start: str) -> Claim | None:
    for claim in Claim.objects.of_article(article).prefetch_related("wordings"):
        if claim.wording_text(ReadingLevel.CLINICIAN).startswith(start):
            return claim
    return None


def _missing_numbers(source_text: str) -> list[int]:
    return list(read_article(source_text, allow_missing_references=True).missing_references)


def _humane(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"
