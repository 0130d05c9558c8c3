"""Who the client is, behind the edge as Compose runs it (Issue 17): Debian's nginx with the
reference configuration in front of the live server, which runs with Compose's
EDITORIAL_PROXY_COUNT. The login lockout and the report limit count each reader's own address,
the one nginx saw: never the edge's (one reader would block everyone) and never one the client
wrote in X-Forwarded-For (a fresh one per request would buy fresh attempts)."""

import pytest
from django.core.cache import cache

from articles import services
from articles.choices import FeedbackKind, ReadingLevel
from articles.models import Claim, ClaimFeedback
from reviewers.roles import ensure_roles
from tests.articles.builders import seed_article
from tests.compose import service_environment
from tests.factories import EditorFactory
from tests.http_client import Browser

pytestmark = [pytest.mark.edge, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
READER = "127.0.0.1"
ELSEWHERE = "127.0.0.2"  # loopback is all of 127.0.0.0/8: a second client on this machine


@pytest.fixture(autouse=True)
def _as_compose_runs_it(nginx, settings):
    cache.clear()
    settings.EDITORIAL_PROXY_COUNT = int(service_environment("web")["EDITORIAL_PROXY_COUNT"])


def forged(number: int) -> dict:
    return {"X-Forwarded-For": f"198.51.100.{number}"}


@pytest.fixture
def editor(db):
    ensure_roles()
    return EditorFactory()


def log_in(browser: Browser, username: str, password: str, **headers) -> int:
    fields = {"username": username, "password": password, "next": "/admin/"}
    return browser.post_form("/admin/login/", fields, **headers)[0]


def test_forged_addresses_buy_no_login_attempts_and_lock_no_one_out_elsewhere(nginx, editor):
    attacker = Browser(nginx.url, READER)
    wrong = [log_in(attacker, editor.username, "wrong", **forged(number)) for number in range(5)]

    locked = log_in(attacker, editor.username, PASSWORD, **forged(99))
    from_elsewhere = log_in(Browser(nginx.url, ELSEWHERE), editor.username, PASSWORD)

    assert wrong == [200] * 4 + [429]  # the fifth wrong password locks the pair out
    assert locked == 429
    assert from_elsewhere == 302


@pytest.fixture
def claim(editor):
    article = services.article_publish(article=seed_article(editor=editor), actor=editor)
    return Claim.objects.of_article(article).order_by("section__order", "order")[0]


def report(browser: Browser, claim, **headers) -> int:
    path = f"/articles/{claim.section.article.slug}/statements/{claim.pk}/report/?level=patient"
    fields = {"kind": FeedbackKind.OUTDATED, "note": "Out of date.", "level": ReadingLevel.PATIENT}
    return browser.post_form(path, fields, **headers)[0]


def test_the_report_limit_holds_per_reader_whatever_they_forge(nginx, claim, settings):
    settings.EDITORIAL_FEEDBACK_PER_HOUR = 5
    reader = Browser(nginx.url, READER)

    sent = [report(reader, claim, **forged(number)) for number in range(8)]
    another_reader = report(Browser(nginx.url, ELSEWHERE), claim)

    assert sent == [303] * 5 + [429] * 3
    assert another_reader == 303
    assert ClaimFeedback.objects.count() == 6
