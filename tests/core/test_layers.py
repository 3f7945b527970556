"""The apps' layers (docs/architecture.md, "Layers"): every import between two apps of
`recupera` points down the order below, except the few upward imports listed in
KNOWN_UPWARD with their reason. `recupera.core` imports no app at all (engine only), with no
exception. Imports are read with `ast` from the source, including those inside functions."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "recupera"

# Bottom to top. An app may import the apps before it, never those after it.
LAYERS = ["engine", "core", "people", "credits", "payments", "collections", "agreements", "goals",
          "cob", "legal", "privacy", "custody", "portal", "ops"]
# The project's own modules (settings, URLs, the CLI entry point) sit above every app.
PROJECT = {"settings", "urls", "wsgi", "cli", "__main__", "__init__"}

# Upward imports that exist today, each with its reason: (importing file, imported app).
# The list may only shrink; the test fails on a new upward import and on a listed one that
# no longer exists.
KNOWN_UPWARD: dict[tuple[str, str], str] = {
    ("credits/bulk_demo.py", "cob"): "the bulk demo loader also fills cob's aging table",
    ("credits/engine_io.py", "payments"): "`credit show --json` prints the payment reference",
    ("collections/services.py", "privacy"): "contact rules ask for ARCO opposition",
    ("people/views.py", "privacy"): "registering a person accepts the privacy notice in force",
}


def _imports() -> dict[tuple[str, str], list[int]]:
    """(file relative to recupera/, imported top-level package of recupera) -> line numbers."""
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
            modules: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module == "recupera":
                    modules = [f"recupera.{alias.name}" for alias in node.names]
                else:
                    modules = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.level > 0:
                package = rel.split("/")[:-1]  # relative imports resolve from the package
                base = package[:len(package) - (node.level - 1)] if node.level - 1 <= len(package) else []
                if base:
                    modules = [".".join(["recupera", *base])]
                else:  # from the top of recupera: `from .. import x` / `from ..x import y`
                    modules = ([f"recupera.{node.module}"] if node.module
                               else [f"recupera.{alias.name}" for alias in node.names])
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[0] == "recupera" and len(parts) > 1:
                    found[(rel, parts[1])].append(node.lineno)
    return found


def _app(rel: str) -> str:
    return rel.split("/")[0].removesuffix(".py")


def test_every_package_has_a_layer():
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in SRC.glob("*.py")}
    assert packages <= set(LAYERS), f"place {sorted(packages - set(LAYERS))} in LAYERS"
    assert modules <= PROJECT, f"place {sorted(modules - PROJECT)} in PROJECT"


def test_core_imports_no_app():
    offenders = [f"{rel}:{lines[0]} imports recupera.{target}"
                 for (rel, target), lines in _imports().items()
                 if _app(rel) == "core" and target not in ("core", "engine")]
    assert offenders == [], ("recupera.core imports no app; declare a hook in core/extensions.py "
                             "and register it from the app's AppConfig.ready:\n" + "\n".join(offenders))


def test_engine_imports_nothing_of_the_project():
    offenders = [f"{rel}:{lines[0]} imports recupera.{target}"
                 for (rel, target), lines in _imports().items()
                 if _app(rel) == "engine" and target != "engine"]
    assert offenders == []


def test_apps_import_only_downward():
    upward = {}
    for (rel, target), lines in _imports().items():
        app = _app(rel)
        if app in PROJECT or target not in LAYERS or app == target:
            continue
        if LAYERS.index(target) > LAYERS.index(app):
            upward[(rel, target)] = lines
    new = [f"{rel}:{lines[0]} ({_app(rel)}) imports recupera.{target}, a higher layer"
           for (rel, target), lines in sorted(upward.items()) if (rel, target) not in KNOWN_UPWARD]
    assert new == [], ("Apps import downward only (docs/architecture.md, Layers). Move the code "
                       "down, or invert with a registration from AppConfig.ready:\n" + "\n".join(new))
    gone = sorted(set(KNOWN_UPWARD) - set(upward))
    assert gone == [], f"remove from KNOWN_UPWARD, these imports are gone: {gone}"


def test_no_cycle_between_apps_outside_the_known_upward_imports():
    graph: dict[str, set[str]] = defaultdict(set)
    for (rel, target), _lines in _imports().items():
        app = _app(rel)
        if app in PROJECT or app == target or (rel, target) in KNOWN_UPWARD:
            continue
        graph[app].add(target)
    seen: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                pytest.fail("import cycle between apps: " + " → ".join([*path, node, nxt]))
            if nxt not in seen:
                visit(nxt, [*path, node])
        seen[node] = 2

    for app in sorted(graph):
        if app not in seen:
            visit(app, [])


def test_the_check_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    """The checker is not blind to the function-level imports most cross-app imports are."""
    package = tmp_path / "recupera" / "core"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "x.py").write_text("def f():\n    from recupera.collections.models import Case\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path / "recupera")
    assert _imports()[("core/x.py", "collections")] == [2]


def test_an_unregistered_hook_names_the_app_that_must_register_it():
    from django.core.exceptions import ImproperlyConfigured

    from recupera.core.extensions import Hook

    hook = Hook("sample", owner="collections", doc="sample() -> int")
    with pytest.raises(ImproperlyConfigured, match="'collections' app registers it"):
        hook()
    hook.register(lambda: 7)
    assert hook() == 7


def test_every_hook_of_core_is_registered_once_the_apps_are_ready():
    from recupera.core import extensions

    hooks = [v for v in vars(extensions).values() if isinstance(v, extensions.Hook)]
    assert len(hooks) == 14
    assert [h.name for h in hooks if not h.registered] == []
