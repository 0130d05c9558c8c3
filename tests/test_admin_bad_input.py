"""A refusal is a message, never a 500: every admin page, fed ids and parameters that name
nothing, answers 4xx or a redirect with a message (issue 9)."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import NoReverseMatch, reverse

from articles.models import Article, Claim

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "-1", "99999999999999999999", "1.5", "%00", "'; drop table x; --"]


def _admin_url(model_admin, name, *args) -> str | None:
    opts = model_admin.model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
    except NoReverseMatch:
        return None


def _registered():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()]


def _foreign_key_names(model):
    return [field.name for field in model._meta.fields if field.is_relation]


def _is_answered(response) -> bool:
    return response.status_code < 500


@pytest.mark.slow
def test_every_admin_page_answers_bad_ids_without_a_server_error(
    client, superuser, approved_article
):
    client.force_login(superuser)
    client.raise_request_exception = False
    failures = []
    for model, model_admin in _registered():
        real = model._default_manager.order_by("pk").first()
        urls = []
        changelist = _admin_url(model_admin, "changelist")
        for bad in BAD_IDS:
            for name in ("change", "history", "delete"):
                url = _admin_url(model_admin, name, bad)
                if url:
                    urls.append(url)
            if real is not None:
                url = _admin_url(model_admin, "history", real.pk)
                if url:
                    urls.append(f"{url}{bad}/")
            add = _admin_url(model_admin, "add")
            if add:
                urls += [f"{add}?{name}={bad}" for name in _foreign_key_names(model)]
            if changelist:
                urls += [f"{changelist}?{name}={bad}" for name in _foreign_key_names(model)]
                urls.append(f"{changelist}?p={bad}")
                urls.append(f"{changelist}?o={bad}")
        for url in urls:
            response = client.get(url)
            if not _is_answered(response):
                failures.append(f"GET {url}: {response.status_code}")
        if changelist:
            for action in model_admin.get_actions(_request_for(client, changelist)):
                for bad in BAD_IDS:
                    response = client.post(
                        changelist, {"action": action, "_selected_action": [bad], "index": 0}
                    )
                    if not _is_answered(response):
                        failures.append(f"POST {changelist} {action}={bad}: {response.status_code}")
    assert failures == []


def _request_for(client, url):
    response = client.get(url)
    return response.wsgi_request


def test_article_history_version_page_shows_the_past_version(client, superuser, approved_article):
    client.force_login(superuser)
    version = approved_article.history.order_by("history_id").first()
    url = reverse("admin:articles_article_simple_history", args=[approved_article.pk, version.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert approved_article.title in response.text


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("admin:articles_article_transition", ["abc", "approve"]),
        ("admin:articles_article_transition", ["99999999", "approve"]),
    ],
)
def test_transition_of_an_unknown_article_is_a_404(client, superuser, url_name, args):
    client.force_login(superuser)
    assert client.post(reverse(url_name, args=args)).status_code == 404


def test_transition_with_an_unknown_name_is_a_404(client, superuser, approved_article):
    client.force_login(superuser)
    url = reverse("admin:articles_article_transition", args=[approved_article.pk, "obliterate"])
    assert client.post(url).status_code == 404


def test_claim_add_with_a_bad_section_id_shows_the_empty_form(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:articles_claim_add") + "?section=abc&parent=xyz")
    assert response.status_code == 200


def test_approve_of_an_unknown_claim_is_refused_with_a_message(client, reviewer, approved_article):
    client.force_login(reviewer)
    url = reverse("admin:reviewers_claimawaitingreview_approve", args=[999999])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert any(
        "no longer" in str(m) or "removed" in str(m) for m in get_messages(response.wsgi_request)
    )
    assert Article.objects.get(pk=approved_article.pk).has_standing_approval
    assert Claim.objects.filter(pk=999999).count() == 0
