from pathlib import Path

import pytest
from django.conf import settings

SHARED_SEED = Path(settings.BASE_DIR).parent / "shared" / "seed" / "calcium-deposits.md"


@pytest.mark.skipif(not SHARED_SEED.exists(), reason="shared/seed is not beside this clone")
def test_demo_article_is_the_shared_seed_unchanged():
    """The run command's demo uses a bundled copy; it must not drift from the seed."""
    assert Path(settings.EDITORIAL_DEMO_ARTICLE).read_text() == SHARED_SEED.read_text()
