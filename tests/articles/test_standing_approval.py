"""“Approved” is one rule (issue 18), ``articles.choices.has_standing_approval``: the model, the
queryset, the reader's header and the page's review facts answer it alike for every state."""

from datetime import UTC, date, datetime

import pytest

from articles.choices import PublicationStatus, ReviewStatus
from articles.models import Article
from articles.reader.governance import review_facts
from articles.reader.selectors import published_articles
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SHOWS_APPROVED = {ReviewStatus.APPROVED, ReviewStatus.PERIODIC_REVIEW}


@pytest.mark.parametrize("status", list(ReviewStatus))
def test_every_reader_of_the_approval_agrees_for_each_review_status(status):
    approved = status in SHOWS_APPROVED
    article = ArticleFactory(
        review_status=status,
        publication_status=PublicationStatus.PUBLISHED,
        approved_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC) if approved else None,
        next_review_due=date(2029, 3, 2) if approved else None,
    )
    (header,) = published_articles()

    assert article.has_standing_approval is approved
    assert Article.objects.with_standing_approval().filter(pk=article.pk).exists() is approved
    assert header.has_standing_approval is approved
    assert review_facts(header).has_standing_approval is approved
