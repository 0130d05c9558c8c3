"""Removing a claim: editors can, in the admin, and nothing of the audit goes
(docs/invariants.md#i2-re-review-on-change, docs/invariants.md#i3-audit)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from articles import services
from articles.choices import ReviewStatus
from articles.models import Article, Citation, Claim, Wording
from reviewers.models import ClaimDecision
from tests.factories import UserFactory, article_with_claims

pytestmark = pytest.mark.django_db


def _claims(article):
    return list(Claim.objects.of_article(article).order_by("order"))


def _remove_url(claim):
    return reverse("admin:articles_claim_delete", args=[claim.pk])


def test_editor_removes_a_claim_in_the_admin_with_a_reason(client, editor, approved_article):
    claim = _claims(approved_article)[0]
    client.force_login(editor)
    page = client.get(_remove_url(claim))
    assert page.status_code == 200
    assert "goes back under review" in page.text

    response = client.post(_remove_url(claim), {"reason": "Duplicates the next claim."})

    assert response.status_code == 302
    assert response.url == reverse("admin:articles_article_change", args=[approved_article.pk])
    assert claim.pk not in [c.pk for c in _claims(approved_article)]
    article = Article.objects.get(pk=approved_article.pk)
    assert article.review_status == ReviewStatus.UNDER_REVIEW
    removal = Claim.history.filter(id=claim.pk).latest("history_id")
    assert removal.history_user == editor
    assert removal.history_change_reason == "removed: Duplicates the next claim."


def test_superuser_removes_a_claim_in_the_admin(client, approved_article):
    superuser = UserFactory(is_superuser=True)
    superuser.save()
    claim = _claims(approved_article)[1]
    client.force_login(superuser)
    response = client.post(_remove_url(claim), {"reason": "Out of scope."})
    assert response.status_code == 302
    assert Claim.with_removed.get(pk=claim.pk).is_removed


def test_removal_without_a_reason_asks_for_one_and_changes_nothing(
    client, editor, approved_article
):
    claim = _claims(approved_article)[0]
    client.force_login(editor)
    response = client.post(_remove_url(claim), {"reason": "  "})
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert not Claim.with_removed.get(pk=claim.pk).is_removed
    assert Article.objects.get(pk=approved_article.pk).has_standing_approval


def test_board_reviewer_cannot_remove_a_claim(client, reviewer, approved_article):
    claim = _claims(approved_article)[0]
    client.force_login(reviewer)
    assert client.post(_remove_url(claim), {"reason": "Forged"}).status_code == 403
    assert not Claim.with_removed.get(pk=claim.pk).is_removed


def test_i3_removed_claim_keeps_decisions_wordings_citations_and_history(
    client, editor, approved_article
):
    claim = _claims(approved_article)[0]
    decisions = ClaimDecision.objects.filter(claim=claim).count()
    assert decisions
    services.claim_remove(claim=claim, actor=editor, reason="Superseded")

    assert ClaimDecision.objects.filter(claim_id=claim.pk).count() == decisions
    assert Wording.objects.filter(claim_id=claim.pk).exists()
    assert Citation.objects.filter(claim_id=claim.pk).exists()
    client.force_login(editor)
    assert client.get(reverse("admin:articles_claim_change", args=[claim.pk])).status_code == 200
    history = client.get(reverse("admin:articles_claim_history", args=[claim.pk]))
    assert history.status_code == 200
    assert "Superseded" in history.text
    listing = client.get(reverse("admin:articles_claim_changelist") + "?removed=yes")
    assert claim.summary(40)[:30] in listing.text


def test_removed_claim_cannot_be_edited_or_removed_again(client, editor, approved_article):
    claim = _claims(approved_article)[0]
    services.claim_remove(claim=claim, actor=editor, reason="Superseded")
    client.force_login(editor)
    response = client.post(_remove_url(claim), {"reason": "Again"})
    assert response.status_code == 403
    assert (
        Claim.history.filter(id=claim.pk, history_change_reason__startswith="removed").count() == 1
    )


def test_removing_a_parent_removes_its_sub_claims(editor):
    article = article_with_claims(claims=1, editor=editor)
    parent = _claims(article)[0]
    child = services.claim_add(
        section=parent.section, text="A sub-claim.", parent=parent, actor=editor, reason="Added"
    )
    services.claim_remove(claim=parent, actor=editor, reason="Both go")
    assert Claim.with_removed.get(pk=child.pk).is_removed
    assert Claim.objects.of_article(article).count() == 0


def test_removed_claim_is_gone_from_the_reader_page(client, editor, approved_article):
    services.article_publish(article=approved_article, actor=editor)
    claim = _claims(approved_article)[0]
    text = claim.wording_text("clinician")
    assert text in client.get(approved_article.get_absolute_url(), follow=True).text
    services.claim_remove(claim=claim, actor=editor, reason="Superseded")
    assert text not in client.get(approved_article.get_absolute_url(), follow=True).text


def test_claim_list_hides_removed_claims_by_default(client, editor, approved_article):
    claim = _claims(approved_article)[0]
    services.claim_remove(claim=claim, actor=editor, reason="Superseded")
    client.force_login(editor)
    response = client.get(reverse("admin:articles_claim_changelist"))
    assert [message for message in get_messages(response.wsgi_request)] == []
    assert response.context["cl"].result_count == 2
