"""Dependencies point one way (DESIGN §9): demo → desk → reviewers → articles → editorial.

No module of an app imports an app above it; a reverse need is a signal or a URL name.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

LAYERS = ["editorial", "articles", "reviewers", "desk", "demo"]


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_apps_below_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1 :])
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)} imports {', '.join(sorted(found))}"
        for path in sorted((settings.BASE_DIR / app).rglob("*.py"))
        if (found := imported_apps(path) & above)
    ]
    assert offenders == []
