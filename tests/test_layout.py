"""The shape of the house (docs/operations.md#layout): dependencies point one way and nothing
imports in a circle, so each app can be read, tested and changed from the bottom up.

demo → desk → reviewers → articles → editorial; ``bench`` is a tool beside the product.

One back office (issue 18): every admin page is registered once, in ``desk/admin/``, and none is
replaced by unregistering another, so which class serves a page never depends on the order of
``INSTALLED_APPS``.
"""

import ast
from pathlib import Path

import pytest
from django.contrib import admin

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["editorial", "articles", "reviewers", "desk", "demo"]
"""Bottom to top: a package may import only those below it (and itself)."""


def _modules() -> dict[str, Path]:
    modules = {}
    for package in [*LAYERS, "bench"]:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imports(module: str, path: Path) -> set[str]:
    """Every project module ``module`` imports, at the top or inside a function."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _layer(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("lower", LAYERS)
def test_no_app_imports_an_app_above_it(lower):
    above = [*LAYERS[LAYERS.index(lower) + 1 :], "bench"]
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module) == lower
        for target in targets
        if _layer(target) in above
    )
    assert offending == []


def test_the_product_never_imports_the_benchmarks():
    offending = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module) != "bench"
        for target in targets
        if _layer(target) == "bench"
    ]
    assert offending == []


def test_no_import_circles():
    """Package ``__init__`` re-exports excepted, no module reaches itself through imports."""
    circles = []

    def visit(module, path, seen):
        for target in GRAPH.get(module, ()):
            if target == path[0]:
                circles.append(" → ".join([*path, target]))
            elif target not in seen and MODULES[target].name != "__init__.py":
                seen.add(target)
                visit(target, [*path, target], seen)

    for module, path in MODULES.items():
        if path.name != "__init__.py":
            visit(module, [module], {module})
    assert circles == []


def _relation_names_into(app_label: str) -> set[str]:
    """The names by which other apps' models reach ``app_label``'s models: the related names
    of its relations to them (``assignments``, ``decisions``, ``reviewer_profile``…)."""
    from django.apps import apps

    names = set()
    for model in apps.get_app_config(app_label).get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            if field.related_model._meta.app_label == app_label:
                continue
            name = field.related_query_name()
            if not name.endswith("+"):
                names.add(name)
    return names


def _relation_walks(path: Path, names: set[str], app_label: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in names:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg and set(node.arg.split("__")) & names:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.arg}=")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text.startswith(f"{app_label}.") or ("__" in text and set(text.split("__")) & names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text!r}")
    return found


@pytest.mark.parametrize(("lower", "upper"), [("articles", "reviewers")])
def test_no_app_walks_the_tables_of_an_app_above_it_by_relation_name(lower, upper):
    """``articles`` asks the board (``articles.board``, answered by ``reviewers.board``) instead
    of reaching reviewers' rows through the relations their models declare (``assignments``,
    ``decisions__assignment__…``) or naming their permissions (``"reviewers.…"``)."""
    names = _relation_names_into(upper)
    assert {"assignments", "decisions", "reviewer_profile"} <= names
    offending = [
        walk
        for module, path in MODULES.items()
        if _layer(module) == lower
        for walk in _relation_walks(path, names, upper)
    ]
    assert offending == []


# One back office (issue 18).

FORCED_UNREGISTERS = {("desk/admin/people.py", "User"), ("desk/admin/people.py", "Group")}
"""django.contrib.auth registers User and Group itself, with no setting to leave them out, so
giving them Editorial's pages means unregistering Django's; nothing else is unregistered."""


def test_every_admin_page_is_a_desk_admin():
    """Our models', Django's auth and django-axes' login records alike (axes registers none of
    its own: ``AXES_ENABLE_ADMIN = False``)."""
    elsewhere = sorted(
        f"{model._meta.label} by {type(model_admin).__module__}.{type(model_admin).__name__}"
        for model, model_admin in admin.site._registry.items()
        if not type(model_admin).__module__.startswith("desk.admin.")
    )
    assert elsewhere == []


def test_each_model_is_registered_by_one_class():
    registered: dict[str, list[str]] = {}
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "register"
                and node.args
                and isinstance(node.args[0], ast.Name)
            ):
                registered.setdefault(node.args[0].id, []).append(module)
    assert {name: where for name, where in registered.items() if len(where) > 1} == {}


def test_nothing_is_unregistered_but_what_django_forces():
    found = set()
    for path in [*MODULES.values(), *(ROOT / "tests").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "unregister"
            ):
                argument = node.args[0] if node.args else None
                name = argument.id if isinstance(argument, ast.Name) else ast.unparse(node)
                found.add((path.relative_to(ROOT).as_posix(), name))
    assert found == FORCED_UNREGISTERS


@pytest.mark.parametrize("app", ["editorial", "articles", "reviewers", "demo"])
def test_apps_below_the_desk_have_no_admin_modules(app):
    """Their models, services, selectors, tasks and reader stay; the admin is the desk's."""
    admin_modules = sorted(
        module
        for module in MODULES
        if _layer(module) == app
        and any(part == "admin" or part.startswith("admin_") for part in module.split("."))
    )
    assert admin_modules == []
    assert not (ROOT / app / "admin").exists()
