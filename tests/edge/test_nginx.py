"""The reader site behind a real shared cache: Debian's nginx running the reference
configuration (deploy/nginx/editorial.conf) in front of the live server (docs/reader.md,
docs/invariants.md#i6-privacy-of-drafts)."""

import http.client
import time
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from articles import services
from articles.choices import ReadingLevel
from articles.models import Claim
from reviewers.roles import ensure_roles
from tests.articles.builders import seed_article
from tests.factories import EditorFactory

pytestmark = [pytest.mark.edge, pytest.mark.django_db(transaction=True)]

SLUG = "calcium-deposits-in-tissues"
DOOR = f"/articles/{SLUG}/"
CLINICIAN_OPENING = "Calcium deposits in tissues represent abnormal accumulation"
STUDENT_OPENING = "Calcium deposits in soft tissue form in three ways"


def page(level: str) -> str:
    return f"/articles/{SLUG}/{level}/"


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()
        self.text = self.body.decode()

    @property
    def cache_status(self) -> str | None:
        return self.headers["X-Cache-Status"]


def ask(base: str, path: str, *, method: str = "GET", headers=None, body=None, source=None):
    """One request, no redirect followed, as a reader's browser (or a stranger) sends it."""
    location = urlsplit(base)
    connection = http.client.HTTPConnection(
        location.hostname,
        location.port,
        timeout=10,
        source_address=(source, 0) if source else None,
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        return Answer(connection.getresponse())
    finally:
        connection.close()


@pytest.fixture
def editor(db):
    ensure_roles()
    return EditorFactory()


@pytest.fixture
def article(editor, nginx):
    cache.clear()
    return services.article_publish(article=seed_article(editor=editor), actor=editor)


def test_a_page_is_served_from_the_cache_after_the_first_reader(nginx, article):
    first = ask(nginx.url, page("clinician"))
    second = ask(nginx.url, page("clinician"))

    assert (first.status, first.cache_status) == (200, "MISS")
    assert (second.status, second.cache_status) == (200, "HIT")
    assert second.body == first.body
    assert second.headers["ETag"] == first.headers["ETag"]
    assert CLINICIAN_OPENING in second.text


def test_a_tracking_parameter_is_served_the_same_cached_page(nginx, article):
    ask(nginx.url, page("clinician"))
    tracked = ask(nginx.url, page("clinician") + "?utm_source=newsletter")
    assert (tracked.status, tracked.cache_status) == (200, "HIT")


def test_a_reader_revalidating_gets_304_from_the_cache(nginx, article):
    first = ask(nginx.url, page("patient"))
    again = ask(nginx.url, page("patient"), headers={"If-None-Match": first.headers["ETag"]})

    assert (again.status, again.cache_status) == (304, "HIT")
    assert again.body == b""


def test_a_page_past_its_time_is_revalidated_with_the_origin_by_304(nginx, article, settings):
    settings.EDITORIAL_EDGE_MAX_AGE = 1
    first = ask(nginx.url, page("student"))
    time.sleep(2.5)  # nginx counts whole seconds: the copy is stale after at most two

    again = ask(nginx.url, page("student"))

    assert (again.status, again.cache_status) == (200, "REVALIDATED")
    assert again.body == first.body


def test_a_withdrawal_is_purged_so_the_next_reader_gets_404(nginx, article, editor):
    for path in [*(page(level) for level in ReadingLevel.values), "/"]:
        ask(nginx.url, path)
        assert ask(nginx.url, path).cache_status == "HIT"
    assert "calcium deposits in tissues" in ask(nginx.url, "/").text

    services.article_withdraw(article=article, actor=editor, reason="Under correction")

    for level in ReadingLevel.values:
        assert ask(nginx.url, page(level)).status == 404
    assert ask(nginx.url, DOOR).status == 404
    assert "calcium deposits in tissues" not in ask(nginx.url, "/").text
    # Readers who keep asking are answered 404 by the cache, without reaching the origin.
    again = ask(nginx.url, page("clinician"))
    assert (again.status, again.cache_status) == (404, "HIT")


def test_publishing_again_purges_the_cached_404(nginx, article, editor):
    services.article_withdraw(article=article, actor=editor)
    ask(nginx.url, page("clinician"))
    assert ask(nginx.url, page("clinician")).cache_status == "HIT"

    services.article_publish(article=article, actor=editor)

    assert ask(nginx.url, page("clinician")).status == 200


def test_a_new_version_is_purged_so_the_next_reader_sees_it(nginx, article, editor):
    ask(nginx.url, page("patient"))
    before = ask(nginx.url, page("patient"))
    assert before.cache_status == "HIT"
    claim = Claim.objects.of_article(article).filter(parent=None).order_by("section__order")[0]

    services.wording_set(
        claim=claim,
        level=ReadingLevel.PATIENT,
        text="Calcium can build up in soft parts of the body, where it should not be.",
        actor=editor,
        reason="Plainer",
    )

    after = ask(nginx.url, page("patient"))
    assert (after.status, after.cache_status) == (200, "MISS")
    assert "Calcium can build up in soft parts of the body" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]


def test_no_readers_level_is_served_to_another_reader(nginx, article):
    origin = nginx.url
    chose = ask(
        origin,
        DOOR,
        method="POST",
        body="level=student",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Sec-Fetch-Site": "same-origin",
        },
    )
    assert chose.status == 303
    assert chose.headers["Location"] == page("student")
    cookie = chose.headers["Set-Cookie"].split(";")[0]
    assert STUDENT_OPENING in ask(origin, page("student"), headers={"Cookie": cookie}).text

    for _ in range(2):  # the second time, anything the cache kept would answer
        returning = ask(origin, DOOR, headers={"Cookie": cookie})
        newcomer = ask(origin, DOOR)
        patient = ask(origin, DOOR, headers={"Cookie": "reading_level=patient"})
        assert returning.headers["Location"] == page("student")
        assert newcomer.headers["Location"] == page("clinician")
        assert patient.headers["Location"] == page("patient")
        assert {returning.cache_status, newcomer.cache_status, patient.cache_status} == {"MISS"}

    newcomers_page = ask(origin, page("clinician"))
    assert CLINICIAN_OPENING in newcomers_page.text
    assert STUDENT_OPENING not in newcomers_page.text
    assert "Set-Cookie" not in newcomers_page.headers


def test_readers_cannot_purge_the_cache(nginx, article):
    ask(nginx.url, page("clinician"))

    from_a_reader = ask(nginx.url, page("clinician"), method="PURGE")
    from_a_stranger = ask(nginx.purge_url, page("clinician"), method="PURGE", source="127.0.0.2")

    assert from_a_reader.status == 403
    assert from_a_stranger.status == 403
    assert ask(nginx.url, page("clinician")).cache_status == "HIT"
