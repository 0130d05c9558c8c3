"""“Report a problem with this statement” (docs/governance.md): a link per claim on the cached page,
a form on its own uncached address, without an account or JavaScript; abuse limits (CSRF, a
rate limit per client, size limits, a honeypot); reports are never shown publicly."""

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles import services
from articles.choices import FeedbackKind, ReadingLevel
from articles.models import Article, Claim, ClaimFeedback
from tests.factories import article_with_claims

pytestmark = pytest.mark.django_db

NOTE = "The dose changed in the 2025 guideline."


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def article(editor):
    return services.article_publish(
        article=article_with_claims(claims=2, editor=editor), actor=editor
    )


@pytest.fixture
def claim(article, editor):
    claim = Claim.objects.of_article(article).order_by("order").first()
    services.wording_set(
        claim=claim,
        level=ReadingLevel.PATIENT,
        text="Calcium can build up where tissue is hurt.",
        actor=editor,
        reason="Patient wording",
    )
    return claim


def report_url(claim, **query):
    url = reverse(
        "articles:report_problem",
        kwargs={"slug": claim.section.article.slug, "claim_id": claim.pk},
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def send(client, claim, *, level="patient", version=None, **fields):
    """Post the form as a browser does: URL-encoded, every non-ASCII byte as ``%XX``."""
    version = version or Article.objects.get(pk=claim.section.article_id).content_version
    data = {"kind": FeedbackKind.OUTDATED, "note": NOTE, "level": level, "v": version}
    data.update(fields)
    return client.post(
        report_url(claim), urlencode(data), content_type="application/x-www-form-urlencoded"
    )


def test_each_statement_on_the_page_links_to_its_report_form(client, article, claim):
    html = client.get(article.get_absolute_url(), {"level": "patient"}, follow=True).text
    version = Article.objects.get(pk=article.pk).content_version

    links = re.findall(r'<a class="claim-report" href="([^"]+)" rel="nofollow">Report', html)
    assert len(links) == 2
    assert links[0] == report_url(claim, level="patient", v=version).replace("&", "&amp;")
    assert html.count('<span class="visually-hidden"> a problem with this statement</span>') == 2


def test_form_shows_the_statement_as_the_reader_saw_it_and_is_never_cached(client, claim):
    response = client.get(report_url(claim, level="patient", v=3))

    assert response.status_code == 200
    assert "Calcium can build up where tissue is hurt." in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert "no-store" in response["Cache-Control"]
    assert 'name="v" value="3"' in response.text


@pytest.mark.parametrize("version", ["%C2%B2", "9" * 5000, "abc"])
def test_a_link_with_a_version_that_is_no_number_shows_the_current_version(client, claim, version):
    response = client.get(report_url(claim, level="patient", v=version))

    assert response.status_code == 200
    current = Article.objects.get(pk=claim.section.article_id).content_version
    assert f'name="v" value="{current}"' in response.text


def test_reader_reports_a_problem_without_an_account(client, claim):
    response = send(client, claim)

    assert response.status_code == 303
    assert response["Location"].endswith("/report/sent/")
    feedback = ClaimFeedback.objects.get()
    assert (feedback.claim, feedback.kind, feedback.note) == (claim, "outdated", NOTE)
    assert feedback.wording == "Calcium can build up where tissue is hurt."
    assert feedback.reading_level == "patient"
    assert "Thank you for your report" in client.get(response["Location"]).text


def test_reports_are_never_shown_publicly(client, article, claim):
    send(client, claim)

    for url in (article.get_absolute_url(), "/", "/board/", report_url(claim)):
        assert NOTE not in client.get(url, follow=True).text


def test_a_report_without_a_csrf_token_is_refused(claim):
    strict = Client(enforce_csrf_checks=True)

    response = send(strict, claim)

    assert response.status_code == 403
    assert not ClaimFeedback.objects.exists()


def test_a_report_with_the_forms_csrf_token_is_accepted(claim):
    strict = Client(enforce_csrf_checks=True)
    form = strict.get(report_url(claim)).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = send(strict, claim, csrfmiddlewaretoken=token)

    assert response.status_code == 303
    assert ClaimFeedback.objects.count() == 1


def test_rate_limit_per_client(client, claim, settings):
    settings.EDITORIAL_FEEDBACK_PER_HOUR = 3
    for _ in range(3):
        assert send(client, claim).status_code == 303

    refused = send(client, claim)
    elsewhere = send(Client(REMOTE_ADDR="203.0.113.9"), claim)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "several reports from your connection" in refused.text
    assert elsewhere.status_code == 303
    assert ClaimFeedback.objects.count() == 4


def test_forged_forwarded_for_headers_do_not_buy_more_reports(client, claim, settings):
    settings.EDITORIAL_FEEDBACK_PER_HOUR = 1
    send(client, claim, HTTP_X_FORWARDED_FOR="198.51.100.1")

    response = client.post(
        report_url(claim),
        {"kind": "other", "note": NOTE, "level": "clinician"},
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )

    assert response.status_code == 429


def test_a_filled_honeypot_is_thanked_and_stores_nothing(client, claim):
    response = send(client, claim, website="http://spam.example")

    assert response.status_code == 303
    assert not ClaimFeedback.objects.exists()


def test_a_note_over_2000_characters_is_refused_with_a_message(client, claim):
    response = send(client, claim, note="x" * 2001)

    assert response.status_code == 400
    assert "Please keep your note to 2,000 characters: it has 2001." in response.text
    assert not ClaimFeedback.objects.exists()


@pytest.mark.parametrize(
    "character", ["我", "한", "😀", "𠀋"], ids=["Chinese", "Korean", "emoji", "CJK extension B"]
)
def test_a_note_of_2000_characters_in_any_script_is_accepted(client, claim, character):
    """Issue 17: a 16 KB cap refused 1,400 Chinese characters as “over 2,000 characters”."""
    response = send(client, claim, note=character * 2000)

    assert response.status_code == 303
    assert ClaimFeedback.objects.get().note == character * 2000


def test_line_breaks_count_as_one_character_each(client, claim):
    """Browsers send a textarea's line breaks as CRLF but count them as one, as readers do."""
    response = send(client, claim, note="ab\r\n" * 666 + "ab")

    assert response.status_code == 303
    assert len(ClaimFeedback.objects.get().note) == 2000


def test_an_oversized_request_is_refused_before_it_is_read(client, claim):
    response = send(client, claim, padding="y" * 40_000)

    assert response.status_code == 413
    assert "too large to be a report" in response.text
    assert not ClaimFeedback.objects.exists()


def test_a_report_needs_a_kind_and_a_note(client, claim):
    response = client.post(report_url(claim), {"note": "", "level": "clinician"})

    assert response.status_code == 400
    assert "Choose what is wrong with the statement." in response.text
    assert "Tell us what is wrong, in a few words." in response.text


def test_no_form_for_a_statement_not_on_a_published_page(client, claim, editor):
    other = services.article_publish(article=article_with_claims(editor=editor), actor=editor)
    elsewhere = reverse(
        "articles:report_problem", kwargs={"slug": other.slug, "claim_id": claim.pk}
    )
    assert client.get(elsewhere).status_code == 404
    services.claim_remove(claim=claim, actor=editor, reason="Out of scope")
    assert client.get(report_url(claim)).status_code == 404
    services.article_withdraw(article=other, actor=editor)
    assert (
        client.get(
            reverse("articles:report_problem", kwargs={"slug": other.slug, "claim_id": 1})
        ).status_code
        == 404
    )
