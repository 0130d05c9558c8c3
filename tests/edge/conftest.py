"""A real nginx from Debian in front of the live server, with the reference configuration."""

import os
from urllib.parse import urlsplit

import pytest

from editorial.celery import app

from .nginx import Nginx, missing


@pytest.fixture
def nginx(live_server, tmp_path, settings):
    """nginx on loopback in front of the live server; Editorial purges it, each purge task run
    as soon as it is queued (the broker and worker are tested in tests/reviewers). The live
    server asks the database on every request (no persistent connection): these tests are about
    the edge; tests/articles/test_reader_versions.py covers what a connection remembers."""
    lacking = missing()
    if lacking:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the edge tests: {lacking} (.ci/run installs it).")
        pytest.skip(lacking)
    origin = urlsplit(live_server.url)
    with Nginx(origin=f"127.0.0.1:{origin.port}", workdir=tmp_path / "nginx") as edge:
        settings.EDITORIAL_EDGE_PURGE_URLS = [edge.purge_url]
        app.conf.task_always_eager = True
        app.conf.task_eager_propagates = True
        try:
            yield edge
        finally:
            app.conf.task_always_eager = False
            app.conf.task_eager_propagates = False
