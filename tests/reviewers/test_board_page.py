"""/board/ (docs/reader.md, docs/governance.md): each member with the declarations of interest in
force today."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from articles import services as article_services
from reviewers import services
from reviewers.choices import InterestKind
from tests.factories import BoardReviewerFactory, article_with_claims

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return BoardReviewerFactory(first_name="Chidi", last_name="Okafor")


def declare(member, **fields):
    return services.declaration_add(
        profile=member.reviewer_profile, actor=member, **{"kind": InterestKind.OTHER, **fields}
    )


def test_board_lists_each_members_current_declarations(client, member):
    declare(
        member,
        kind=InterestKind.RESEARCH,
        text="Research grant from the National Kidney Foundation.",
        valid_from=date(2024, 1, 1),
    )

    page = client.get("/board/").text

    assert "Chidi Okafor" in page
    assert "Research funding" in page
    assert "Research grant from the National Kidney Foundation." in page
    assert 'Since <time datetime="2024-01-01">January 1, 2024</time>' in page


def test_ended_and_future_declarations_are_not_listed(client, member):
    today = timezone.localdate()
    declare(
        member, text="Ended interest", valid_from=date(2020, 1, 1), valid_to=today - timedelta(1)
    )
    declare(member, text="Future interest", valid_from=today + timedelta(days=10))

    page = client.get("/board/").text

    assert "Ended interest" not in page
    assert "Future interest" not in page
    assert "No interests declared." in page


def test_a_conflict_names_the_article_only_once_it_is_published(client, member, editor):
    article = article_with_claims(editor=editor)
    declare(member, text="My sister co-wrote the guideline it cites.", article=article)

    draft_page = client.get("/board/").text
    article_services.article_publish(article=article, actor=editor)
    published_page = client.get("/board/").text

    assert "conflict with an article in preparation" in draft_page
    assert article.title not in draft_page
    assert f'<a href="{article.get_absolute_url()}">{article.title}</a>' in published_page


def test_members_without_declarations_say_so(client, member):
    assert "No interests declared." in client.get("/board/").text
