"""A refusal is a message, never a 500: the NUL character, which PostgreSQL cannot store or
compare in a text column, is refused in any parameter of any page with a page that names it."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from articles.choices import ClaimStatus
from articles.models import Claim
from reviewers import services as reviewer_services
from tests.factories import article_with_claims
from tests.workflow import assign_and_start

pytestmark = pytest.mark.django_db


def _changelists():
    for model in admin.site._registry:
        opts = model._meta
        try:
            yield model, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue


def _refused(response, parameter: str) -> bool:
    return (
        response.status_code == 400
        and f"“{parameter}” contains a NUL character" in response.text
        and "no-cache" in response.get("Cache-Control", "")
    )


def test_every_admin_filter_and_search_refuses_nul_with_a_message(
    client, superuser, approved_article
):
    client.force_login(superuser)
    client.raise_request_exception = False
    failures = []
    for model, changelist in _changelists():
        names = ["q"] + [field.name for field in model._meta.fields if not field.is_relation]
        for name in names:
            for lookup in (name, f"{name}__exact", f"{name}__gte"):
                response = client.get(f"{changelist}?{lookup}=before%00after")
                if not _refused(response, lookup):
                    failures.append(f"{changelist}?{lookup}: {response.status_code}")
    autocomplete = client.get(reverse("admin:autocomplete") + "?term=%00&app_label=x")
    assert _refused(autocomplete, "term")
    assert failures == []


def test_a_review_comment_with_nul_is_refused_and_decides_nothing(client, editor, reviewer):
    article = assign_and_start(article_with_claims(editor=editor), editor=editor, reviewer=reviewer)
    assignment = article.assignments.get(reviewer=reviewer)
    claim = Claim.objects.of_article(article).first()
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:desk_review_decide", args=[assignment.pk]),
        {
            "claim": claim.pk,
            "seen": reviewer_services.snapshot_digest(claim.snapshot()),
            "decision": "request_changes",
            "comment": "Cite the trial.\x00",
        },
    )

    assert _refused(response, "comment")
    assert Claim.objects.get(pk=claim.pk).review_status == ClaimStatus.PENDING


def test_a_reader_page_with_nul_in_its_query_is_refused_and_never_cached(client, approved_article):
    response = client.get(f"/articles/{approved_article.slug}/?level=%00")
    assert _refused(response, "level")


def test_uploaded_files_are_left_to_their_reader():
    """Only form parameters are checked, never file contents (the importer names the line)."""
    from django.test import RequestFactory

    from editorial.nul_characters import _parameter_with_nul

    upload = RequestFactory().post(
        "/admin/articles/article/import/",
        {"reason": "New article", "file": _file_with_nul()},
    )
    assert _parameter_with_nul(upload) is None


def _file_with_nul():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("article.md", b"---\ntitle: A\x00B\n---\n", "text/markdown")
