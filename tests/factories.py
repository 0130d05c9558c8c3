"""factory_boy factories shared by the app test packages (one place, so the apps agree)."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.choices import ClaimKind, ReadingLevel, ReferenceKind
from articles.models import Article, Citation, Claim, Reference, Section, Wording
from reviewers.models import ReviewAssignment, ReviewerProfile
from reviewers.roles import APPROVERS, BOARD, EDITORS, ensure_roles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        _join(self, create, extracted or ())


def _join(user, create, group_names) -> None:
    """Also saves the password set by the post-generation hook above."""
    if not create:
        return
    if group_names:
        groups = list(Group.objects.filter(name__in=group_names))
        if len(groups) < len(group_names):
            # A transactional test flushed the groups that the data migration created.
            ensure_roles()
            groups = list(Group.objects.filter(name__in=group_names))
        user.groups.add(*groups)
    user.save()


class EditorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        _join(self, create, extracted or (EDITORS,))


class BoardReviewerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"reviewer{n}")
    profile = factory.RelatedFactory(
        "tests.factories.ReviewerProfileFactory", factory_related_name="user"
    )

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        _join(self, create, extracted or (BOARD,))


class ApproverFactory(BoardReviewerFactory):
    username = factory.Sequence(lambda n: f"approver{n}")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        _join(self, create, extracted or (BOARD, APPROVERS))


class ReviewerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerProfile

    user = factory.SubFactory(UserFactory)
    credentials = "MD"
    specialty = "Nephrology"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"What does finding number {n} mean?")
    slug = factory.Sequence(lambda n: f"finding-{n}")
    created_by = factory.SubFactory(EditorFactory)
    last_material_change_at = factory.LazyFunction(timezone.now)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    article = factory.SubFactory(ArticleFactory)
    heading = factory.Sequence(lambda n: f"Section {n}")
    level = 2
    order = factory.Sequence(lambda n: n + 1)


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    kind = ReferenceKind.RESEARCH
    title = factory.Sequence(lambda n: f"A study of soft tissue calcification, part {n}")
    source = "Journal of Examples"
    year = 2020


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim
        skip_postgeneration_save = True

    section = factory.SubFactory(SectionFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = ClaimKind.BULLET
    clinician = factory.RelatedFactory(
        "tests.factories.WordingFactory",
        factory_related_name="claim",
        level=ReadingLevel.CLINICIAN,
        text=factory.Sequence(lambda n: f"Calcium deposits occur in damaged tissue ({n})."),
    )

    @factory.post_generation
    def cites(self, create, extracted, **kwargs):
        for order, reference in enumerate(extracted or (), start=1):
            Citation.objects.create(claim=self, reference=reference, order=order)


class WordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wording

    claim = factory.SubFactory(ClaimFactory, clinician=None)
    level = ReadingLevel.CLINICIAN
    text = "Calcium deposits occur in damaged tissue."


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    article = factory.SubFactory(ArticleFactory)
    reviewer = factory.SubFactory(BoardReviewerFactory)
    round = factory.LazyAttribute(lambda assignment: assignment.article.round)
    assigned_by = factory.LazyAttribute(lambda assignment: assignment.article.created_by)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def article_with_claims(*, claims: int = 2, editor=None, references=None) -> Article:
    """An article with one section and ``claims`` claims, each citing the given references."""
    article = ArticleFactory(**({"created_by": editor} if editor else {}))
    section = SectionFactory(article=article)
    references = references if references is not None else [ReferenceFactory()]
    for _ in range(claims):
        ClaimFactory(section=section, cites=references)
    return article
