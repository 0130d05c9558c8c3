"""The public article page (docs/reader.md): every element of the seed page, reading levels, pages
shared caches can hold, I1, I6."""

import re
from datetime import timedelta
from html import escape
from html.parser import HTMLParser
from itertools import pairwise

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.choices import ReadingLevel, ReferenceKind
from articles.interchange.export import article_as_markdown
from articles.models import Claim, Reference
from articles.outline import article_outline
from tests.articles.builders import SEED_PATIENT_WORDING, SEED_STUDENT_WORDING, seed_article
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    ReferenceFactory,
    SectionFactory,
    WordingFactory,
)
from tests.workflow import assign_and_approve, assign_and_start

SEED_FIRST_CLAIM = "Calcium deposits in tissues represent abnormal accumulation of calcium salts"
PROFESSIONAL_DISCLAIMER = "This information is intended for healthcare professionals."
PATIENT_DISCLAIMER = "This information is for general education only and is not medical advice."
STUDENT_DISCLAIMER = "This information is intended for students of medicine"
CAUTION = "Educational purpose only • Exercise caution as content is pending human review"


@pytest.fixture(autouse=True)
def _empty_page_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed(editor):
    article = seed_article(editor=editor)
    first_reference = Reference.objects.get(title="A review of soft tissue calcifications.")
    services.reference_update(
        reference=first_reference,
        actor=editor,
        reason="Bibliographic details",
        authors="Smith J, Doe A",
        doi="10.1000/foot.1985.001",
        pmid="3882996",
    )
    return services.article_publish(article=article, actor=editor)


def page_url(article, level: str = "clinician") -> str:
    return reverse("articles:page", kwargs={"slug": article.slug, "level": level})


def page(client, article, level: str = "clinician"):
    response = client.get(page_url(article, level))
    assert response.status_code == 200
    return response.content.decode()


FROM_OUR_PAGE = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
"""What a browser says when a page of this site posts a form to it."""


def choose(client, article, level: str, headers=FROM_OUR_PAGE):
    """The personalize form, posted as a browser posts it from the article page."""
    return client.post(article.get_absolute_url(), {"level": level}, headers=headers)


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, whitespace collapsed."""

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def current_step(html: str) -> str:
    match = re.search(r'<li class="stepper__step[^"]*" aria-current="step">([^<]+)', html)
    return match.group(1) if match else ""


# Every element of the seed page.


def test_seed_page_has_the_question_as_its_only_h1(client, seed):
    html = page(client, seed)
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == [
        "What does it mean to have calcium deposits in tissues?"
    ]


def test_seed_page_has_board_note_banner_stepper_and_last_updated(client, seed):
    html = page(client, seed)
    text = text_of(html)
    assert "Medical Advisory Board All articles are reviewed for accuracy by our" in text
    assert CAUTION in text
    assert "Article Review Status Submitted (current step) Under Review Approved" in text
    assert current_step(html) == "Submitted"
    assert re.search(r"Last updated: <time datetime=\"\d{4}-\d\d-\d\d\">", html)
    assert f'<a href="{reverse("articles:editorial_policy")}">View editorial policy</a>' in html


def test_seed_page_shows_last_updated_as_a_date_readers_know(client, editor):
    article = seed_article(editor=editor, extra_wordings=False)
    services.article_publish(article=article, actor=editor)
    # Publishing is not a content change: the seed's own date stays.
    assert "Last updated: December 11, 2025" in text_of(page(client, article))


def test_seed_page_has_a_labelled_personalize_form(client, seed):
    html = page(client, seed)
    assert "Which best describes you?" in html
    assert "Help us tailor your experience" in html
    radio = r'<label class="choice"><input type="radio" name="level" value="(\w+)"'
    labels = re.findall(radio, html)
    assert labels == ["patient", "student", "clinician"]
    for label in ("Patient or caregiver", "Student", "Healthcare professional"):
        assert f"<span>{label}</span></label>" in html
    assert '<form method="post" action="/articles/calcium-deposits-in-tissues/"' in html
    assert 'value="clinician" checked' in html


def test_seed_page_has_sections_paragraphs_and_nested_bullets(client, seed):
    html = page(client, seed)
    assert "<h2>What Calcium Deposits in Tissues Mean</h2>" in html
    assert "<h3>Dystrophic Calcification</h3>" in html
    assert re.search(r"<p>Calcium deposits in tissues represent abnormal", html)
    nested = re.search(
        r"<li>Common examples include:(?: <a class=\"claim-report\".*?</a>)?"
        r"\n<ul>\n(.*?)\n</ul></li>",
        html,
        re.S,
    )
    assert nested
    assert nested.group(1).count("<li>") == 3
    assert "Atherosclerotic plaques in blood vessels" in nested.group(1)


def test_seed_page_headings_are_in_order(client, seed):
    levels = [int(level) for level in re.findall(r"<h([1-6])", page(client, seed))]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in pairwise(levels))


def test_each_citation_is_a_superscript_linking_to_its_reference(client, seed):
    html = page(client, seed)
    assert re.search(
        r"normal serum calcium and phosphate levels<sup class=\"cite\">"
        r'<a href="#ref-1" aria-label="Reference 1">1</a>, '
        r'<a href="#ref-2" aria-label="Reference 2">2</a></sup>',
        html,
    )
    cited = set(re.findall(r'href="#ref-(\d+)"', html))
    listed = set(re.findall(r'<li id="ref-(\d+)" class="reference">', html))
    assert cited == listed == {"1", "2", "3", "4", "5", "6", "7"}


def test_references_show_kind_title_authors_source_year_and_links(client, seed):
    html = page(client, seed)
    first = re.search(r'<li id="ref-1" class="reference">(.*?)</li>', html, re.S).group(1)
    assert "Research" in first
    assert "A review of soft tissue calcifications." in first
    assert "Smith J, Doe A" in first
    assert "The Journal of foot surgery, 1985" in first
    assert '<a href="https://doi.org/10.1000/foot.1985.001">' in first
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/3882996/">' in first
    fourth = re.search(r'<li id="ref-4" class="reference">(.*?)</li>', html, re.S).group(1)
    assert "Guideline" in fourth
    assert "Dr.Oracle Medical Advisory Board &amp; Editors, 2025" in fourth


def test_placeholder_references_say_their_details_are_pending(client, seed):
    html = page(client, seed)
    third = re.search(r'<li id="ref-3" class="reference">(.*?)</li>', html, re.S).group(1)
    assert "being completed by our editors" in third


def test_seed_page_ends_with_the_professional_disclaimer(client, seed):
    text = text_of(page(client, seed))
    assert "Professional Medical Disclaimer " + PROFESSIONAL_DISCLAIMER in text


def test_page_has_landmarks_language_and_skip_link(client, seed):
    html = page(client, seed)
    assert '<html lang="en">' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer", "<aside"):
        assert landmark in html
    assert '<a class="skip-link" href="#main">' in html
    assets = re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', html)
    assert assets
    assert all(asset.startswith("/static/") for asset in assets)


# Review status (docs/invariants.md#i1-truthful-badge).


def test_stepper_marks_under_review(client, seed, editor, reviewer):
    assign_and_start(seed, editor=editor, reviewer=reviewer)
    assert current_step(page(client, seed)) == "Under Review"


def test_changes_requested_shows_as_under_review(client, seed, editor, reviewer):
    article = assign_and_start(seed, editor=editor, reviewer=reviewer)
    services.article_request_changes(article=article, actor=reviewer, note="Cite reference 3.")
    html = page(client, seed)
    assert current_step(html) == "Under Review"
    assert CAUTION in text_of(html)


def test_i1_approved_badge_only_while_approved(client, editor, reviewer, approver):
    article = ArticleFactory(created_by=editor)
    claim = ClaimFactory(section=SectionFactory(article=article), cites=[ReferenceFactory()])
    article = assign_and_approve(article, editor=editor, reviewer=reviewer, approver=approver)
    services.article_publish(article=article, actor=editor)

    html = page(client, article)
    assert current_step(html) == "Approved"
    assert CAUTION not in text_of(html)

    services.wording_set(
        claim=claim,
        level=ReadingLevel.CLINICIAN,
        text=claim.wording_text(ReadingLevel.CLINICIAN).replace("occur", "ocur"),
        actor=editor,
        reason="Typo",
    )
    html = page(client, article)
    assert current_step(html) == "Under Review"
    assert CAUTION in text_of(html)


# Reading levels: one address per level, the reader's door redirects to the remembered one.


def test_a_new_reader_is_sent_to_the_clinician_page(client, seed):
    response = client.get(seed.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == page_url(seed, "clinician")
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_each_level_has_its_own_page(client, seed):
    patient = text_of(page(client, seed, "patient"))
    assert SEED_PATIENT_WORDING in patient
    assert SEED_FIRST_CLAIM not in patient
    assert PATIENT_DISCLAIMER in patient
    assert 'value="patient" checked' in page(client, seed, "patient")
    student = text_of(page(client, seed, "student"))
    assert SEED_STUDENT_WORDING in student
    assert STUDENT_DISCLAIMER in student
    assert PROFESSIONAL_DISCLAIMER in text_of(page(client, seed, "clinician"))


def test_choosing_a_level_by_form_remembers_it_and_shows_its_page(seed):
    client = Client(enforce_csrf_checks=True)
    response = choose(client, seed, "patient")
    assert response.status_code == 303
    assert response["Location"] == page_url(seed, "patient")
    assert response.cookies["reading_level"].value == "patient"
    assert response.cookies["reading_level"]["httponly"]
    assert response.cookies["reading_level"]["samesite"] == "Lax"
    assert "private" in response["Cache-Control"]

    text = text_of(client.get(response["Location"]).content.decode())
    assert SEED_PATIENT_WORDING in text
    assert PATIENT_DISCLAIMER in text
    assert client.get(seed.get_absolute_url())["Location"] == page_url(seed, "patient")


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "same-origin", "origin": "http://testserver"},
        {"sec-fetch-site": "same-origin"},
        {"origin": "http://testserver"},
        {"referer": "http://testserver/articles/calcium-deposits-in-tissues/student/"},
    ],
    ids=["fetch-metadata-and-origin", "fetch-metadata", "origin", "referer"],
)
def test_a_choice_from_this_site_is_saved_without_any_token(seed, headers):
    client = Client(enforce_csrf_checks=True)
    response = choose(client, seed, "student", headers)
    assert response.status_code == 303
    assert response.cookies["reading_level"].value == "student"


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "origin": "https://attacker.example"},
        {"sec-fetch-site": "cross-site", "origin": "http://testserver"},
        {"sec-fetch-site": "same-site", "origin": "http://blog.testserver"},
        {"origin": "https://attacker.example"},
        {"origin": "null"},
        {"origin": "https://testserver"},
        {"referer": "https://attacker.example/page"},
        {},
    ],
    ids=[
        "cross-site",
        "cross-site-claiming-our-origin",
        "same-site-subdomain",
        "other-origin",
        "opaque-origin",
        "other-scheme",
        "other-referer",
        "no-word-at-all",
    ],
)
def test_a_choice_posted_by_another_site_is_refused(seed, headers):
    client = Client(enforce_csrf_checks=True)
    response = choose(client, seed, "patient", headers)
    assert response.status_code == 403
    assert "reading_level" not in response.cookies
    html = response.content.decode()
    assert "Your choice was not saved" in html
    assert f'<a href="{page_url(seed, "patient")}">Patient or caregiver</a>' in html


def test_a_choice_from_a_trusted_origin_is_saved(seed, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example.org"]
    client = Client(enforce_csrf_checks=True)
    response = choose(
        client,
        seed,
        "patient",
        {"sec-fetch-site": "same-site", "origin": "https://www.example.org"},
    )
    assert response.status_code == 303


def test_remembered_level_opens_its_page(client, seed):
    client.cookies["reading_level"] = "student"
    response = client.get(seed.get_absolute_url())
    assert response["Location"] == page_url(seed, "student")


def test_level_in_a_shared_link_overrides_the_remembered_one_without_replacing_it(client, seed):
    client.cookies["reading_level"] = "student"
    response = client.get(seed.get_absolute_url(), {"level": "patient"})
    assert response.status_code == 302
    assert response["Location"] == page_url(seed, "patient")
    assert "reading_level" not in response.cookies
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("level", ["surgeon", "", "<script>"])
def test_unknown_level_falls_back_to_clinician(client, seed, level):
    client.cookies["reading_level"] = level
    response = client.get(seed.get_absolute_url(), {"level": level})
    assert response["Location"] == page_url(seed, "clinician")


def test_unknown_level_in_the_address_is_not_found(client, seed):
    assert client.get(f"{seed.get_absolute_url()}surgeon/").status_code == 404


def test_unknown_level_posted_is_remembered_as_clinician(client, seed):
    response = choose(client, seed, "surgeon")
    assert response.status_code == 303
    assert response.cookies["reading_level"].value == "clinician"


def test_missing_wording_falls_back_to_clinician(client, seed):
    text = text_of(page(client, seed, "patient"))
    assert SEED_PATIENT_WORDING in text
    assert "Occurs in damaged or devitalized tissues" in text


# One page for everyone: what shared caches may hold (docs/reader.md).


def test_level_page_may_be_kept_by_shared_caches_and_is_revalidated_by_browsers(
    client, seed, settings
):
    settings.EDITORIAL_EDGE_MAX_AGE = 120
    response = client.get(page_url(seed, "patient"))
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=0", "s-maxage=120"}
    assert re.fullmatch(r'"[^"]+"', response["ETag"])  # strong: same bytes for every holder
    assert response["Last-Modified"].endswith(" GMT")
    assert "Vary" not in response
    assert not response.cookies


def test_level_page_is_the_same_bytes_for_every_reader(seed, editor):
    first_visit = Client(enforce_csrf_checks=True)
    returning = Client(enforce_csrf_checks=True)
    returning.cookies["reading_level"] = "student"
    returning.cookies["csrftoken"] = "x" * 32
    returning.force_login(editor)

    pages = [reader.get(page_url(seed, "patient")) for reader in (first_visit, returning)]

    assert pages[0].content == pages[1].content
    assert pages[0]["ETag"] == pages[1]["ETag"]
    assert not pages[0].cookies and not pages[1].cookies
    assert "csrf" not in pages[0].content.decode().lower()


def test_revalidation_is_answered_304_without_rendering(client, seed, settings):
    settings.EDITORIAL_PAGE_CACHE = False  # nothing remembered: every page would be rendered
    first = client.get(page_url(seed, "patient"))
    with CaptureQueriesContext(connection) as queries:
        again = client.get(page_url(seed, "patient"), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]
    assert not [query for query in queries if "articles_section" in query["sql"]]


def test_revalidation_by_date_is_answered_304(client, seed):
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):  # the change has settled
        first = client.get(page_url(seed))
        again = client.get(page_url(seed), headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


def test_two_versions_within_one_second_never_get_a_stale_304_by_date(client, seed, editor):
    """Issue 17: with only If-Modified-Since, the second of two edits within one second was
    answered 304, and the reader kept the first."""
    claim = Claim.objects.of_article(seed).filter(parent=None).first()

    def edit(text):
        services.wording_set(
            claim=claim, level=ReadingLevel.PATIENT, text=text, actor=editor, reason="Edit"
        )

    second = (timezone.now() + timedelta(seconds=10)).replace(microsecond=0)
    with time_machine.travel(second + timedelta(milliseconds=200), tick=False):
        edit("Calcium can collect in soft parts of the body.")
        first = client.get(page_url(seed, "patient"))
    with time_machine.travel(second + timedelta(milliseconds=700), tick=False):
        edit("Calcium can settle in soft tissue.")
        again = client.get(
            page_url(seed, "patient"), headers={"if-modified-since": first["Last-Modified"]}
        )
    with time_machine.travel(second + timedelta(seconds=3), tick=False):
        later = client.get(page_url(seed, "patient"))
        settled = client.get(
            page_url(seed, "patient"), headers={"if-modified-since": later["Last-Modified"]}
        )

    assert again.status_code == 200
    assert "Calcium can settle in soft tissue." in again.content.decode()
    assert settled.status_code == 304


def test_a_new_version_has_a_new_etag_and_date(client, seed, editor):
    first = client.get(page_url(seed, "patient"))
    claim = Claim.objects.of_article(seed).filter(parent=None).first()
    services.wording_set(
        claim=claim,
        level=ReadingLevel.PATIENT,
        text="Calcium can collect in soft parts of the body.",
        actor=editor,
        reason="Plainer",
    )
    again = client.get(page_url(seed, "patient"), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "Calcium can collect in soft parts of the body." in again.content.decode()
    assert again["Last-Modified"] >= first["Last-Modified"]


def test_each_level_has_its_own_etag(client, seed):
    etags = {client.get(page_url(seed, level))["ETag"] for level in ReadingLevel.values}
    assert len(etags) == 3


def test_article_list_may_be_kept_by_shared_caches(client, seed):
    first = client.get("/")
    assert "public" in first["Cache-Control"]
    assert "s-maxage=" in first["Cache-Control"]
    assert not first.cookies
    assert "Vary" not in first
    assert client.get("/", headers={"if-none-match": first["ETag"]}).status_code == 304


# Privacy of drafts (docs/invariants.md#i6-privacy-of-drafts), cache included.


def test_i6_draft_article_is_not_found(client, editor):
    article = ArticleFactory(created_by=editor)
    ClaimFactory(section=SectionFactory(article=article))
    assert client.get(article.get_absolute_url()).status_code == 404
    assert choose(client, article, "patient").status_code == 404
    for level in ReadingLevel.values:
        assert client.get(page_url(article, level)).status_code == 404


def test_i6_withdrawn_article_is_not_found_even_when_cached(client, seed, editor):
    etags = {level: client.get(page_url(seed, level))["ETag"] for level in ReadingLevel.values}
    services.article_withdraw(article=seed, actor=editor)
    assert client.get(seed.get_absolute_url()).status_code == 404
    for level, etag in etags.items():
        assert client.get(page_url(seed, level)).status_code == 404
        # A reader or a cache holding the withdrawn page does not get it confirmed either.
        assert client.get(page_url(seed, level), headers={"if-none-match": etag}).status_code == 404


def test_i6_not_found_page_of_a_level_may_be_cached_but_the_door_is_private(client, seed, editor):
    services.article_withdraw(article=seed, actor=editor)
    assert "public" in client.get(page_url(seed, "patient"))["Cache-Control"]
    assert "private" in client.get(seed.get_absolute_url())["Cache-Control"]


def test_i6_republished_article_is_served_again(client, seed, editor):
    page(client, seed)
    article = services.article_withdraw(article=seed, actor=editor)
    services.article_publish(article=article, actor=editor)
    assert client.get(page_url(seed)).status_code == 200
    assert client.get(seed.get_absolute_url()).status_code == 302


def test_unknown_slug_is_not_found(client, db):
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    assert "There is no published article at this address." in response.content.decode()


# The page cache.


def test_warm_request_makes_one_query(client, seed, django_assert_num_queries):
    page(client, seed)
    with django_assert_num_queries(1):
        page(client, seed)


def test_content_change_is_shown_on_the_next_request(client, seed, editor):
    page(client, seed)
    claim = Claim.objects.of_article(seed).filter(parent=None).first()
    services.wording_set(
        claim=claim,
        level=ReadingLevel.CLINICIAN,
        text="Calcium deposits are calcium salts outside the skeleton.",
        actor=editor,
        reason="Plainer",
    )
    assert "Calcium deposits are calcium salts outside the skeleton." in page(client, seed)


def test_new_section_is_shown_on_the_next_request(client, seed, editor):
    page(client, seed)
    services.section_add(
        article=seed, heading="Further reading", level=2, actor=editor, reason="New section"
    )
    assert "<h2>Further reading</h2>" in page(client, seed)


def test_review_transition_is_shown_on_the_next_request(client, seed, editor, reviewer):
    assert current_step(page(client, seed)) == "Submitted"
    assign_and_start(seed, editor=editor, reviewer=reviewer)
    assert current_step(page(client, seed)) == "Under Review"


@pytest.mark.parametrize("page_cache", [True, False])
def test_queries_do_not_grow_with_the_article(client, editor, settings, page_cache):
    settings.EDITORIAL_PAGE_CACHE = page_cache

    def queries_for(claims: int) -> int:
        article = ArticleFactory(created_by=editor)
        references = ReferenceFactory.create_batch(3)
        for number in range(claims):
            section = SectionFactory(article=article, level=2 + number % 2)
            claim = ClaimFactory(section=section, cites=references[: 1 + number % 3])
            WordingFactory(claim=claim, level=ReadingLevel.PATIENT, text=f"Plain {number}.")
            ClaimFactory(section=section, parent=claim, cites=[references[number % 3]])
        services.article_publish(article=article, actor=editor)
        with CaptureQueriesContext(connection) as queries:
            page(client, article, "patient")
        return len(queries)

    assert queries_for(2) == queries_for(200)


# Citation numbers (Vancouver: order of first citation).


def test_citations_are_numbered_in_order_of_first_citation(client, editor):
    article = ArticleFactory(created_by=editor)
    first_section = SectionFactory(article=article, order=1)
    second_section = SectionFactory(article=article, order=2)
    alpha, beta, gamma, delta = (
        ReferenceFactory(title=f"{name} study") for name in ("Alpha", "Beta", "Gamma", "Delta")
    )
    ClaimFactory(section=second_section, order=1, cites=[alpha])
    parent = ClaimFactory(section=first_section, order=1, cites=[gamma])
    ClaimFactory(section=first_section, order=3, cites=[delta, gamma])
    ClaimFactory(section=first_section, order=2, parent=parent, cites=[beta])
    services.article_publish(article=article, actor=editor)

    html = page(client, article)
    titles = re.findall(r'<p class="reference__title">(\w+) study</p>', html)
    assert titles == ["Gamma", "Beta", "Delta", "Alpha"]
    sups = re.findall(r'<sup class="cite">(.*?)</sup>', html)
    numbers = [re.findall(r">(\d+)</a>", sup) for sup in sups]
    assert numbers == [["1"], ["2"], ["1", "3"], ["4"]]


def test_readers_see_a_claims_numbers_ascending_while_export_keeps_its_citation_order(
    client, editor
):
    article = ArticleFactory(created_by=editor)
    section = SectionFactory(article=article)
    first, second = ReferenceFactory(title="First study"), ReferenceFactory(title="Second study")
    ClaimFactory(section=section, order=1, cites=[first])
    ClaimFactory(section=section, order=2, cites=[second, first])
    services.article_publish(article=article, actor=editor)

    claim = list(article_outline(article).claims())[1]
    sups = re.findall(r'<sup class="cite">(.*?)</sup>', page(client, article))

    assert claim.citation_numbers == [2, 1]
    assert claim.citation_numbers_for_display == [1, 2]
    assert re.findall(r">(\d+)</a>", sups[1]) == ["1", "2"]
    assert " [2, 1]\n" in article_as_markdown(article)


# Escaping.


def test_title_and_claims_containing_script_show_as_text(client, editor):
    article = ArticleFactory(created_by=editor, title="Is <script>alert(1)</script> safe?")
    section = SectionFactory(article=article, heading="<b>Heading</b>")
    ClaimFactory(
        section=section,
        clinician__text="Use <script>alert('claim')</script> & see [x]",
        cites=[ReferenceFactory(title="<img src=x onerror=alert(2)>")],
    )
    services.article_publish(article=article, actor=editor)

    html = page(client, article)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>Heading</b>" not in html
    assert "Is &lt;script&gt;alert(1)&lt;/script&gt; safe?" in html
    assert "Use &lt;script&gt;alert(&#x27;claim&#x27;)&lt;/script&gt; &amp; see [x]" in html
    assert "Is <script>alert(1)</script> safe?" in text_of(html)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://example.org/study?id=1&x=2", True),
        ("http://example.org/study", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
    ],
)
def test_reference_url_is_shown_only_for_http(client, editor, url, shown):
    article = ArticleFactory(created_by=editor)
    reference = ReferenceFactory(kind=ReferenceKind.REVIEW)
    Reference.objects.filter(pk=reference.pk).update(url=url)
    ClaimFactory(section=SectionFactory(article=article), cites=[reference])
    services.article_publish(article=article, actor=editor)

    html = page(client, article)
    assert "Review" in html
    assert ("Source</a>" in html) is shown
    assert "javascript:" not in html
    if shown:
        assert f'href="{escape(url)}"' in html


# The other pages.


def test_home_lists_published_articles_with_their_review_status(client, editor, reviewer, approver):
    approved = ArticleFactory(created_by=editor, title="What is an approved finding?")
    ClaimFactory(section=SectionFactory(article=approved))
    approved = assign_and_approve(approved, editor=editor, reviewer=reviewer, approver=approver)
    services.article_publish(article=approved, actor=editor)
    submitted = ArticleFactory(created_by=editor, title="What is a submitted finding?")
    services.article_publish(article=submitted, actor=editor)
    ArticleFactory(created_by=editor, title="What is a draft finding?")

    response = client.get("/")
    text = text_of(response.content.decode())
    assert "What is an approved finding? Review status: Approved" in text
    assert "What is a submitted finding? Review status: Submitted" in text
    assert "draft finding" not in text
    assert f'href="{approved.get_absolute_url()}"' in response.content.decode()


def test_editorial_policy_page(client, db):
    response = client.get(reverse("articles:editorial_policy"))
    assert response.status_code == 200
    assert "<h1>Editorial policy</h1>" in response.content.decode()


def test_board_page_lists_members_with_credentials(client, reviewer):
    reviewer.first_name, reviewer.last_name = "Ada", "Okafor"
    reviewer.save()
    reviewer.reviewer_profile.credentials = "MD, FACC"
    reviewer.reviewer_profile.specialty = "Cardiology"
    reviewer.reviewer_profile.save()

    text = text_of(client.get(reverse("reviewers:board")).content.decode())
    assert "Ada Okafor, MD, FACC Cardiology" in text
