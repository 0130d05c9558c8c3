"""Lists editors and reviewers read: claims numbered per article (never by id), an article
filter, grades only where they mean something, no delete button that would only refuse."""

import pytest
from django.urls import reverse

from articles import services
from articles.models import Claim, Reference
from articles.readability import readability
from tests.factories import ClaimFactory, ReferenceFactory, SectionFactory, article_with_claims

pytestmark = pytest.mark.django_db


def test_claims_list_numbers_claims_per_article_in_reading_order(client, editor):
    first = article_with_claims(claims=2, editor=editor)
    second = article_with_claims(claims=3, editor=editor)
    client.force_login(editor)

    page = client.get(reverse("admin:articles_claim_changelist")).text

    assert page.count("<strong>Claim 1</strong>") == 2
    assert page.count("<strong>Claim 3</strong>") == 1
    for claim in Claim.objects.all():
        assert f"Claim {claim.pk}:" not in page
    assert first.title in page and second.title in page


def test_claims_list_filters_by_article(client, editor):
    first = article_with_claims(claims=2, editor=editor)
    second = article_with_claims(claims=1, editor=editor)
    client.force_login(editor)

    url = reverse("admin:articles_claim_changelist")
    page = client.get(url, {"section__article__id__exact": second.pk}).text

    assert f"?section__article__id__exact={first.pk}" in page
    assert second.title in page
    assert page.count("<strong>Claim") == 1


def test_a_claims_page_is_titled_with_its_number_in_the_article(client, editor):
    article = article_with_claims(claims=3, editor=editor)
    last = Claim.objects.of_article(article).order_by("order").last()
    client.force_login(editor)

    page = client.get(reverse("admin:articles_claim_change", args=[last.pk])).text

    assert f"Claim 3 of “{article.title}”" in page


def test_sub_claims_are_numbered_after_their_parent(editor):
    from articles.outline import article_outline, claim_numbers

    section = SectionFactory()
    top = ClaimFactory(section=section, order=1)
    ClaimFactory(section=section, order=2)
    sub = ClaimFactory(section=section, order=3, parent=top)

    numbers = claim_numbers([section.article_id])

    assert numbers[sub.pk] == 2
    outline = article_outline(section.article)
    assert {entry.claim.pk: entry.number for entry in outline.claims()} == numbers


def test_long_text_is_cut_with_the_whole_of_it_on_hover(client, editor):
    title = "What does it mean " + "to have very many calcium deposits " * 6 + "in tissues?"
    article = article_with_claims(claims=1, editor=editor)
    services.article_retitle(article=article, title=title, actor=editor, reason="Longer")
    client.force_login(editor)

    page = client.get(reverse("admin:articles_article_changelist")).text

    assert f'title="{title}"' in page


@pytest.mark.parametrize(
    "text, shown",
    [
        ("Calcium builds up.", False),
        ("Calcium deposits can build up in the skin, vessels and joints.", True),
    ],
)
def test_reading_grade_only_for_wordings_of_ten_words_or_more(text, shown):
    result = readability(level="patient", text=text)
    assert result.shown is shown
    if not shown:
        assert not result.too_hard


def test_no_delete_button_for_a_cited_reference(client, editor):
    cited = ReferenceFactory()
    article_with_claims(claims=1, editor=editor, references=[cited])
    unused = ReferenceFactory()
    client.force_login(editor)

    cited_page = client.get(reverse("admin:articles_reference_change", args=[cited.pk])).text
    unused_page = client.get(reverse("admin:articles_reference_change", args=[unused.pk])).text

    delete = reverse("admin:articles_reference_delete", args=[cited.pk])
    assert delete not in cited_page
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Reference.objects.filter(pk=cited.pk).exists()
    assert reverse("admin:articles_reference_delete", args=[unused.pk]) in unused_page
