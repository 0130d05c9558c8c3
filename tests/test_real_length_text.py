"""What people really write goes in whole (docs/invariants.md#i3-audit): comments and notes of
thousands of characters, unicode, long file names — through the admin, on the production database.

A 100-character change-reason column made each of these a server error on PostgreSQL.
"""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article, Claim
from reviewers.models import ClaimDecision
from tests.articles.test_admin import _claim_form_data

pytestmark = pytest.mark.django_db

PARAGRAPH = (
    "The cited cohort (n = 1 204, median follow-up 3·2 years) measured serum phosphate "
    "≥ 1·5 mmol/L in stage 4–5 CKD, not in dialysis patients; the claim generalises beyond it. "
    "Kuro-o’s klotho data and the KDIGO 2017 update (§4.1.1) point the other way for "
    "calciphylaxis — please reword, and cite Nigwekar et al. for warfarin (HR ≈ 11). "
)


def long_text(length: int = 5000) -> str:
    text = ""
    while len(text) < length:
        text += PARAGRAPH
    return text[:length].rstrip()


def test_a_5000_character_change_request_is_kept_whole(client, reviewer, article_under_review):
    claim = Claim.objects.of_article(article_under_review).first()
    comment = long_text()
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:reviewers_claimawaitingreview_changelist"),
        {
            "action": "request_changes",
            ACTION_CHECKBOX_NAME: [claim.pk],
            "index": 0,
            "comment": comment,
        },
    )
    assert response.status_code == 302
    assert ClaimDecision.objects.get(claim=claim).comment == comment
    reason = Claim.objects.get(pk=claim.pk).history.latest("history_id").history_change_reason
    assert reason.endswith(comment)


def test_a_5000_character_article_note_is_kept_whole(client, reviewer, article_under_review):
    note = long_text()
    client.force_login(reviewer)
    url = reverse(
        "admin:articles_article_transition", args=[article_under_review.pk, "request_changes"]
    )
    response = client.post(url, {"note": note})
    assert response.status_code == 302
    row = Article.objects.get(pk=article_under_review.pk).history.latest("history_id")
    assert row.history_change_reason == f"request_changes: {note}"


def test_a_5000_character_why_this_change_is_kept_whole(client, editor, article_under_review):
    claim = Claim.objects.of_article(article_under_review).first()
    reason = long_text()
    client.force_login(editor)
    url = reverse("admin:articles_claim_change", args=[claim.pk])
    response = client.post(
        url,
        _claim_form_data(
            claim,
            section=claim.section_id,
            kind=claim.kind,
            clinician="Calcium deposits form in damaged tissue — “dystrophic” calcification.",
            reason=reason,
        ),
    )
    assert response.status_code == 302
    wording = claim.wordings.get(level="clinician")
    assert wording.history.latest("history_id").history_change_reason == reason


def test_an_import_under_a_long_file_name_is_recorded_under_it(client, editor):
    name = ("Révision du comité — calcifications vasculaires et calciphylaxie " * 4)[:240] + ".md"
    text = (
        "---\ntitle: Why do arteries calcify?\nslug: why-do-arteries-calcify\n"
        "references:\n  1:\n    kind: review\n    title: Vascular calcification in CKD\n"
        "    source: Kidney International\n    year: 2019\n---\n\n## Causes\n\n"
        "- Phosphate drives smooth-muscle cells toward bone-like cells [1]\n"
    )
    client.force_login(editor)
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/markdown")
    response = client.post(reverse("admin:articles_article_import"), {"file": upload})
    assert response.status_code == 302
    article = Article.objects.get(slug="why-do-arteries-calcify")
    reason = article.history.earliest("history_id").history_change_reason
    assert reason == f"Imported from {name}"
