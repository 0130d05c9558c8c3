"""Settings of the test suite: the project's own, with a SECRET_KEY made for this run.

The tests run with DEBUG off, as production does, and ``editorial.settings`` refuses to start
without DEBUG and without a key. A plain ``python -m pytest`` gets a random one (put in the
environment, so subprocesses the tests start, such as a Celery worker, share it); a key already
in the environment is kept.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", f"tests-only-{secrets.token_urlsafe(40)}")

from editorial.settings import *  # noqa: F403
