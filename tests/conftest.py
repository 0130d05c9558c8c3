import os
from pathlib import Path

import pytest

import tests.hypothesis_profiles  # noqa: F401  (loads the Hypothesis profile before any test module)


def pytest_configure(config):
    """WhiteNoise warns on every handler when STATIC_ROOT is missing; tests never collect."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


SLOW_BY_NATURE = {"browser", "edge", "redis"}
"""Markers of tests that start a browser, nginx or a worker: ``slow`` too, so ``-m slow``
selects everything the quick loop leaves out."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """In CI nothing that names PostgreSQL or Redis may be skipped for want of them."""
    if os.environ.get("CI") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise pytest.UsageError("CI runs the suite on PostgreSQL: set DATABASE_URL.")
    for item in items:
        if SLOW_BY_NATURE & {mark.name for mark in item.iter_markers()}:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True, scope="session")
def _celery_broker_in_memory():
    """Tasks queued by tests never reach the embedded broker in var/celery/ (Redis tests opt in)."""
    from editorial.celery import app

    app.conf.broker_url = "memory://"


@pytest.fixture(autouse=True, scope="session")
def _plain_http_live_server():
    """The live server builds its middleware once a session, before per-test settings apply:
    browser tests speak plain HTTP to it, so no HTTPS redirect and no Secure-only cookies."""
    from django.test import override_settings

    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    ):
        yield


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def editor(db):
    from tests.factories import EditorFactory

    return EditorFactory()


@pytest.fixture
def reviewer(db):
    from tests.factories import BoardReviewerFactory

    return BoardReviewerFactory()


@pytest.fixture
def approver(db):
    from tests.factories import ApproverFactory

    return ApproverFactory()


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    user = UserFactory(is_superuser=True)
    user.save()
    return user


# Articles, named for the state they are in. A test that needs another state (a date, named
# people, an imported file) builds it in a fixture of its own, named for that state too.


@pytest.fixture
def article_under_review(editor, reviewer):
    """An article of three claims, drafted by ``editor``, assigned to ``reviewer``, in review
    (round 1, every claim pending); not published."""
    from tests.factories import article_with_claims
    from tests.workflow import assign_and_start

    return assign_and_start(
        article_with_claims(claims=3, editor=editor), editor=editor, reviewer=reviewer
    )


@pytest.fixture
def approved_article(article_under_review, reviewer, approver):
    """``article_under_review`` with every claim approved by ``reviewer`` and the article
    approved by ``approver``; not published."""
    from tests.workflow import approve_everything

    return approve_everything(article_under_review, reviewer=reviewer, approver=approver)


@pytest.fixture
def approved_and_published_article(approved_article, editor):
    """``approved_article``, published by ``editor``."""
    from articles import services

    return services.article_publish(article=approved_article, actor=editor)


@pytest.fixture
def conflicted_reviewer(db):
    """A second board reviewer, who will declare a conflict of interest when accepting."""
    from tests.factories import BoardReviewerFactory

    return BoardReviewerFactory()


@pytest.fixture
def ready_article_with_open_assignments(
    article_under_review, editor, reviewer, approver, conflicted_reviewer
):
    """``article_under_review`` ready to approve: every claim approved and ``reviewer``'s
    approving recommendation in; still open in its round are ``approver``'s own assignment (not
    yet accepted) and ``conflicted_reviewer``'s (accepted, naming a conflict of interest)."""
    from tests.workflow import ready_with_open_assignments

    return ready_with_open_assignments(
        article_under_review,
        editor=editor,
        reviewer=reviewer,
        still_open=[approver, conflicted_reviewer],
        conflicted=conflicted_reviewer,
    )


@pytest.fixture(autouse=True)
def _nothing_remembered_from_another_test():
    """Article ids come back after a rolled-back or flushed test, on the same connection: no
    published version, header or page the reader remembers from one test may answer another."""
    from articles.reader.page_cache import forget_recent_pages
    from articles.reader.versions import forget_published_versions

    forget_recent_pages()
    forget_published_versions()
