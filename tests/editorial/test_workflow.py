"""The FSM glue: every condition carries its own refusal, read through django-fsm-2's API."""

import pytest

from articles.models import Article, Claim
from articles.services import article_approve
from editorial.exceptions import EditorialError
from reviewers.models import ReviewAssignment
from tests.factories import article_with_claims
from tests.workflow import assign_and_start


@pytest.mark.parametrize("model", [Article, Claim, ReviewAssignment])
def test_every_transition_condition_declares_its_refusal(model):
    """A condition without a sentence would refuse with a generic message; none may."""
    instance = model()
    fields = [field for field in model._meta.fields if hasattr(field, "transitions")]
    for field in fields:
        for transition in getattr(instance, f"get_all_{field.name}_transitions")():
            for predicate in transition.conditions:
                assert hasattr(predicate, "refusal"), f"{transition.name}: {predicate.__name__}"


@pytest.mark.django_db
def test_approve_refusal_names_the_open_claims(editor, reviewer, approver):
    article = assign_and_start(
        article_with_claims(claims=2, editor=editor), editor=editor, reviewer=reviewer
    )
    first = Claim.objects.of_article(article).first()
    with pytest.raises(EditorialError) as refusal:
        article_approve(article=article, actor=approver)
    assert first.summary() in str(refusal.value)
    assert "(Pending review)" in str(refusal.value)
