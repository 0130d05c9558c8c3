"""Settings of the benchmarks: the product's, with the benchmark's URLconf."""

from editorial.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
