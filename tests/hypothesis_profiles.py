"""Hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE``, else ``ci`` when ``CI`` is set, else
``dev``.

- ``ci``: every property runs the number of examples its module states (``examples(n)`` is n),
  and a failure prints the blob that reproduces it.
- ``dev`` (the default): the same numbers, so a full local run checks what CI checks.
- ``quick`` (``./scripts/test.sh --quick``): a fifth of them, for the edit-test loop.

A property states its CI count through ``examples(n)`` instead of ``max_examples=n``, so the
profile decides.
"""

import os

from hypothesis import settings

CI_EXAMPLES = 100
"""``max_examples`` of the ``ci`` profile, the unit ``examples()`` scales from."""

settings.register_profile("ci", max_examples=CI_EXAMPLES, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=CI_EXAMPLES, deadline=None)
settings.register_profile("quick", max_examples=CI_EXAMPLES // 5, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def examples(in_ci: int) -> int:
    """``in_ci`` examples scaled to the loaded profile: all of them in CI, a fifth when quick."""
    return max(1, in_ci * settings.default.max_examples // CI_EXAMPLES)
