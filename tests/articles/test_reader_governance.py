"""Governance on the reader page (docs/reader.md, docs/governance.md): “Medically reviewed by” with
the approval date, “Page last reviewed · Next review due”, pending pages saying so, a periodic
review in progress only once its date has passed, and the schema.org MedicalWebPage JSON-LD, parsed
and checked field by field."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from articles import services
from articles.models import Article, Claim, Reference
from reviewers import services as reviewer_services
from tests.factories import (
    ApproverFactory,
    BoardReviewerFactory,
    ReferenceFactory,
    article_with_claims,
)
from tests.workflow import approve_everything, assign_and_approve

pytestmark = pytest.mark.django_db

APPROVED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    cache.clear()


@pytest.fixture
def people():
    reviewer = BoardReviewerFactory(first_name="Chidi", last_name="Okafor")
    reviewer.reviewer_profile.credentials = "MD, FASN"
    reviewer.reviewer_profile.specialty = "Nephrology"
    reviewer.reviewer_profile.save()
    approver = ApproverFactory(first_name="Sofia", last_name="Reyes")
    approver.reviewer_profile.credentials = "MD, FACP"
    approver.reviewer_profile.specialty = "Internal medicine"
    approver.reviewer_profile.save()
    return reviewer, approver


@pytest.fixture
def references():
    return [
        ReferenceFactory(
            title="Coronary calcium as a predictor of coronary events",
            authors="Detrano R, Guerci AD",
            source="The New England Journal of Medicine",
            year=2008,
            doi="10.1056/NEJMoa072100",
            pmid="18367736",
        ),
        ReferenceFactory(title="A local audit", source="Hospital report", year=2021),
    ]


@pytest.fixture
def approved_and_published_by_named_board(editor, people, references):
    """Two claims citing ``references``, approved at ``APPROVED_AT`` by the named reviewer and
    approver of ``people``, then published."""
    reviewer, approver = people
    with time_machine.travel(APPROVED_AT, tick=False):
        article = article_with_claims(claims=2, editor=editor, references=references)
        article = assign_and_approve(article, editor=editor, reviewer=reviewer, approver=approver)
        return services.article_publish(article=article, actor=editor)


@pytest.fixture
def published_article_pending_review(editor, references):
    """Two claims citing ``references``, published without a review (submitted)."""
    article = article_with_claims(claims=2, editor=editor, references=references)
    return services.article_publish(article=article, actor=editor)


def page(client, article, level="clinician") -> str:
    response = client.get(article.get_absolute_url(), {"level": level}, follow=True)
    assert response.status_code == 200
    return response.text


def text_of(html: str) -> str:
    """The page's visible text, tags removed and white space collapsed."""
    without_data = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", without_data).split())
    return re.sub(r" ([.,;])", r"\1", text)


class JsonLd(HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self._inside = [], False

    def handle_starttag(self, tag, attrs):
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag):
        self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.blocks[-1] += data


def json_ld(html: str) -> dict:
    parser = JsonLd()
    parser.feed(html)
    assert len(parser.blocks) == 1
    return json.loads(parser.blocks[0])


class TestVisibleText:
    def test_approved_page_names_its_reviewers_with_credentials_and_the_date(
        self, client, approved_and_published_by_named_board
    ):
        text = text_of(page(client, approved_and_published_by_named_board))

        assert (
            "Medically reviewed by Chidi Okafor, MD, FASN; Sofia Reyes, MD, FACP. "
            "Approved on March 2, 2026."
        ) in text
        assert "Page last reviewed: March 2, 2026 · Next review due: March 2, 2029" in text
        assert "pending review" not in text

    def test_pending_page_says_it_is_pending_instead(
        self, client, published_article_pending_review
    ):
        text = text_of(page(client, published_article_pending_review))

        assert "This page is pending review by our Medical Advisory Board." in text
        assert "This page is pending review: our Medical Advisory Board has not approved" in text
        assert "Medically reviewed by" not in text
        assert "Page last reviewed" not in text

    def test_last_reviewed_is_the_approval_not_the_last_edit(
        self, client, approved_and_published_by_named_board, editor
    ):
        with time_machine.travel(APPROVED_AT + timedelta(days=40), tick=False):
            services.article_set_next_review(
                article=approved_and_published_by_named_board,
                due_on=date(2027, 1, 15),
                actor=editor,
                reason="New trial",
            )
        text = text_of(page(client, approved_and_published_by_named_board))

        assert "Page last reviewed: March 2, 2026 · Next review due: January 15, 2027" in text

    def test_reviewed_by_names_only_reviewers_whose_approvals_made_this_approval(
        self, client, approved_and_published_by_named_board, editor, people
    ):
        """A later round's reviewer is named once their approval is the one that stands."""
        _reviewer, approver = people
        newcomer = BoardReviewerFactory(first_name="Maja", last_name="Lindqvist")
        started = reviewer_services.article_start_periodic_review(
            article=approved_and_published_by_named_board, actor=editor
        )
        reviewer_services.assignment_cancel(
            assignment=started.assignments.get(round=2), actor=editor, reason="On leave"
        )
        reviewer_services.assignment_create(
            article=started,
            reviewer=newcomer,
            due_at=datetime(2030, 1, 1, tzinfo=UTC),
            actor=editor,
        )
        during = text_of(page(client, approved_and_published_by_named_board))
        approve_everything(
            Article.objects.get(pk=approved_and_published_by_named_board.pk),
            reviewer=newcomer,
            approver=approver,
        )
        after = text_of(page(client, approved_and_published_by_named_board))

        assert "Medically reviewed by Chidi Okafor, MD, FASN; Sofia Reyes" in during
        assert "Medically reviewed by Maja Lindqvist, MD; Sofia Reyes, MD, FACP." in after

    def test_a_periodic_review_shows_in_progress_only_once_its_date_has_passed(
        self, client, approved_and_published_by_named_board, editor
    ):
        started = reviewer_services.article_start_periodic_review(
            article=approved_and_published_by_named_board, actor=editor
        )
        before = text_of(page(client, started))
        with time_machine.travel(datetime(2029, 3, 3, 9, 0, tzinfo=UTC), tick=False):
            services.article_note_review_date_passed(article_id=started.pk)
        after = text_of(page(client, started))

        for text in (before, after):
            assert "Medically reviewed by Chidi Okafor" in text
            assert "Exercise caution as content is pending human review" not in text
        assert "scheduled review of this page" not in before
        assert "A scheduled review of this page by our Medical Advisory Board is in progress." in (
            after
        )

    def test_a_claim_sent_back_in_a_periodic_review_makes_the_page_pending(
        self, client, approved_and_published_by_named_board, editor, people
    ):
        reviewer, _approver = people
        started = reviewer_services.article_start_periodic_review(
            article=approved_and_published_by_named_board, actor=editor
        )
        page(client, started)
        reviewer_services.claims_decide(
            claims=[Claim.objects.of_article(started).first()],
            actor=reviewer,
            decision="request_changes",
            comment="Superseded by the 2025 guideline.",
        )

        text = text_of(page(client, started))

        assert "Exercise caution as content is pending human review" in text
        assert "This page is pending review by our Medical Advisory Board." in text

    def test_a_changed_credential_reaches_the_cached_page(
        self, client, approved_and_published_by_named_board, people, admin_user
    ):
        reviewer, _approver = people
        page(client, approved_and_published_by_named_board)
        profile = reviewer.reviewer_profile
        profile.credentials = "MD, PhD, FASN"
        reviewer_services.reviewer_profile_save(profile=profile, actor=admin_user, reason="PhD")

        assert "Chidi Okafor, MD, PhD, FASN" in text_of(
            page(client, approved_and_published_by_named_board)
        )


class TestMedicalWebPage:
    def test_json_ld_describes_the_approved_page_field_by_field(
        self, client, approved_and_published_by_named_board, settings
    ):
        settings.SITE_URL = "https://health.example.org"
        settings.EDITORIAL_PUBLISHER_NAME = "Example Health"

        data = json_ld(page(client, approved_and_published_by_named_board))

        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "MedicalWebPage"
        assert data["name"] == approved_and_published_by_named_board.title
        page_url = reverse(
            "articles:page",
            kwargs={"slug": approved_and_published_by_named_board.slug, "level": "clinician"},
        )
        assert data["url"] == f"https://health.example.org{page_url}"
        assert data["inLanguage"] == "en"
        assert data["datePublished"] == "2026-03-02"
        assert data["dateModified"] == "2026-03-02"
        assert data["lastReviewed"] == "2026-03-02"
        assert data["reviewedBy"] == [
            {
                "@type": "Person",
                "name": "Chidi Okafor",
                "honorificSuffix": "MD, FASN",
                "jobTitle": "Medical Advisory Board member",
                "knowsAbout": "Nephrology",
            },
            {
                "@type": "Person",
                "name": "Sofia Reyes",
                "honorificSuffix": "MD, FACP",
                "jobTitle": "Medical Advisory Board member",
                "knowsAbout": "Internal medicine",
            },
        ]
        assert data["publisher"] == {
            "@type": "Organization",
            "name": "Example Health",
            "url": "https://health.example.org/",
        }
        assert data["audience"] == {"@type": "MedicalAudience", "audienceType": "Clinician"}

    def test_citations_are_scholarly_articles_with_doi_and_pmid(
        self, client, approved_and_published_by_named_board
    ):
        citations = json_ld(page(client, approved_and_published_by_named_board))["citation"]

        assert citations[0] == {
            "@type": "ScholarlyArticle",
            "name": "Coronary calcium as a predictor of coronary events",
            "author": "Detrano R, Guerci AD",
            "datePublished": "2008",
            "isPartOf": {"@type": "Periodical", "name": "The New England Journal of Medicine"},
            "identifier": [
                {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.1056/NEJMoa072100"},
                {"@type": "PropertyValue", "propertyID": "PMID", "value": "18367736"},
            ],
            "sameAs": [
                "https://doi.org/10.1056/NEJMoa072100",
                "https://pubmed.ncbi.nlm.nih.gov/18367736/",
            ],
        }
        assert citations[1] == {
            "@type": "ScholarlyArticle",
            "name": "A local audit",
            "datePublished": "2021",
            "isPartOf": {"@type": "Periodical", "name": "Hospital report"},
        }

    @pytest.mark.parametrize(
        ("level", "audience"),
        [
            ("patient", {"@type": "Patient", "audienceType": "Patient or caregiver"}),
            ("student", {"@type": "MedicalAudience", "audienceType": "Student"}),
            ("clinician", {"@type": "MedicalAudience", "audienceType": "Clinician"}),
        ],
    )
    def test_audience_follows_the_reading_level(
        self, client, approved_and_published_by_named_board, level, audience
    ):
        assert (
            json_ld(page(client, approved_and_published_by_named_board, level))["audience"]
            == audience
        )

    def test_a_pending_page_claims_no_review(self, client, published_article_pending_review):
        data = json_ld(page(client, published_article_pending_review))

        assert "lastReviewed" not in data
        assert "reviewedBy" not in data
        assert data["@type"] == "MedicalWebPage"

    def test_user_text_cannot_close_the_data_block(
        self, client, published_article_pending_review, editor
    ):
        hostile = 'Is it </script><script>alert("x")</script> & <b>safe</b>?'
        services.article_retitle(
            article=published_article_pending_review, title=hostile, actor=editor, reason="Test"
        )
        Reference.objects.update(title="</SCRIPT><!-- & -->")

        html = page(client, Article.objects.get(pk=published_article_pending_review.pk))
        block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]

        assert "<" not in block and ">" not in block and "&" not in block
        assert "\\u003C/script\\u003E" in block
        data = json_ld(html)
        assert data["name"] == hostile
        assert data["citation"][0]["name"] == "</SCRIPT><!-- & -->"
