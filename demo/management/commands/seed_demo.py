"""One command to see the whole product: the seed article, people in every role, a review going.

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

from articles.choices import PublicationStatus, ReadingLevel, ReviewStatus
from articles.interchange.read import read_article
from articles.models import Article, Claim, Wording
from articles.outline import claim_numbers
from articles.services import article_import, article_publish, article_start_review, wording_set
from editorial.exceptions import EditorialError
from editorial.history import save_with_history
from reviewers.models import ReviewerProfile
from reviewers.roles import APPROVERS, BOARD, EDITORS, ensure_roles
from reviewers.services import assignment_create

SEED_PATH = Path(settings.EDITORIAL_DEMO_ARTICLE)
SEED_SLUG = "calcium-deposits-in-tissues"
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


class Command(BaseCommand):
    help = (
        "Load the demo: the seed article (with placeholders for references 3, 6 and 7), demo "
        "users for every role, reviewers assigned, review started and the article published. "
        "Safe to run again: it only adds what is missing."
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
                article = self.seed_article(Path(seed), editor=users["editor"])
                self.demo_wordings(article, editor=users["editor"])
                self.assign_reviewers(
                    article,
                    editor=users["editor"],
                    reviewers=[users["dr.okafor"], users["dr.lindqvist"]],
                )
                article = self.start_and_publish(article, editor=users["editor"])
        except EditorialError as exc:
            raise CommandError(str(exc)) from exc
        self.report(article)

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
        try:
            source_text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read the seed article {path}: {exc}") from exc
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

    def demo_wordings(self, article: Article, *, editor) -> None:
        """Write each demo wording where that claim never had one at that level: an editor's
        edit, or removal, of a wording made since is theirs to keep."""
        claims = Claim.objects.of_article(article).prefetch_related("wordings")
        numbers = claim_numbers([article.pk])
        for claim in claims:
            clinician = claim.wording_text(ReadingLevel.CLINICIAN)
            for start, wordings in DEMO_WORDINGS.items():
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

    def report(self, article: Article) -> None:
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
        write("  dr.reyes: approve the article once the claims and references are in order.")
        write("  admin: every change, with who and why, under History.")
        write("The demo passwords are for this machine only; change them anywhere else.")


def _missing_numbers(source_text: str) -> list[int]:
    return list(read_article(source_text, allow_missing_references=True).missing_references)


def _humane(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"
