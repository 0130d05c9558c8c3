"""Settings of the benchmarks: the product's, with the benchmark's URLconf."""

import os

from editorial.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The reader benchmark's worker listens on a queue of its own, so it shares a Redis with anyone.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_CELERY_QUEUE", "celery")
