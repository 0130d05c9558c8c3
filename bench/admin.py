"""Admin benchmark: a board reviewer approves 500 claims at once through the admin action.

Creates a fresh test database next to the configured one (``DATABASE_URL``; by default a
SQLite file in a temporary directory, on PostgreSQL a ``test_…`` database that is dropped at
the end), builds an article with 500 claims under review with one assigned board reviewer,
then posts the "Approve selected claims" action of "Claims awaiting my review" with Django's
test client, as the reviewer's browser would. Prints the wall time and the number of queries of
that request, and checks that every claim got its decision row and its history row.

    .venv/bin/python -m bench.admin [--claims 500]
"""

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 2.0


def _setup_django(tmp: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    # Production settings (DEBUG off) start only with a SECRET_KEY: a throwaway one.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp / "bench-admin.sqlite3")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The admin pages render without collected static files, as in the test suite.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _build(claims: int):
    from tests.factories import BoardReviewerFactory, EditorFactory, article_with_claims
    from tests.workflow import assign_and_start

    editor = EditorFactory()
    reviewer = BoardReviewerFactory()
    article = article_with_claims(claims=claims, editor=editor)
    return assign_and_start(article, editor=editor, reviewer=reviewer), reviewer


def run(claims: int) -> int:
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles.models import Claim
    from reviewers.models import ClaimDecision

    article, reviewer = _build(claims)
    ids = list(Claim.objects.of_article(article).values_list("pk", flat=True))
    url = reverse("admin:reviewers_claimawaitingreview_changelist")
    client = Client()
    client.force_login(reviewer)
    listing = client.get(url)
    assert listing.status_code == 200, listing.status_code

    data = {"action": "approve", ACTION_CHECKBOX_NAME: ids, "index": 0}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(url, data)
        elapsed = time.perf_counter() - started

    decisions = ClaimDecision.objects.filter(claim__in=ids, decision="approve").count()
    history = Claim.history.filter(
        id__in=ids, history_user=reviewer, history_change_reason__startswith="approve"
    ).count()
    approved = Claim.objects.filter(pk__in=ids, review_status="approved").count()
    vendor = connection.vendor
    print(f"database: {vendor}; claims: {len(ids)}; response: {response.status_code}")
    print(f"bulk approve through the admin action: {elapsed:.3f} s, {len(queries)} queries")
    print(f"claims approved: {approved}; decision rows: {decisions}; history rows: {history}")
    verdict = "met" if elapsed < TARGET_SECONDS else "MISSED"
    print(f"target < {TARGET_SECONDS:.0f} s: {verdict}")
    complete = approved == decisions == history == len(ids) and response.status_code == 302
    if not complete:
        print("not every claim was approved with its decision and history rows", file=sys.stderr)
    return 0 if complete else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-admin-") as tmp:
        _setup_django(Path(tmp))
        from django.db import connection
        from django.test.utils import setup_test_environment, teardown_test_environment

        setup_test_environment()
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            return run(args.claims)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
