"""Imports flow one way: app/ui → app/services → app/models, checked over the whole app/ tree.

* app/ui never imports sqlmodel, sqlalchemy or app.models (it gets DTOs from services);
* app/services and app/models never import PySide6; app/models imports no services or ui;
* the shared core (app/*.py: errors, paths, resources …) imports no Qt, no ORM and no upper layer;
* every .py file under app/ falls under exactly one rule, so a new folder cannot slip past.
Relative imports are resolved, and `importlib.import_module("…")` with a literal is checked too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

RULES: dict[str, set[str]] = {
    "app/ui": {"sqlmodel", "sqlalchemy", "app.models"},
    "app/services": {"PySide6", "app.ui"},
    "app/models": {"PySide6", "app.ui", "app.services"},
    "app/cli": {"PySide6", "sqlmodel", "sqlalchemy"},
    "app": {"PySide6", "sqlmodel", "sqlalchemy", "app.ui", "app.services", "app.models"},   # app/*.py only
}


def rule_for(py: Path) -> str:
    rel = py.relative_to(ROOT).as_posix()
    for folder in ("app/ui", "app/services", "app/models", "app/cli"):
        if rel.startswith(folder + "/"):
            return folder
    if py.parent == APP:
        return "app"
    raise AssertionError(f"{rel} is not covered by any layering rule; add its folder to RULES")


def module_name(py: Path) -> str:
    parts = list(py.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(py: Path) -> list[tuple[int, str]]:
    return imported_names_in(py.read_text(encoding="utf-8"), module_name(py), is_package=py.name == "__init__.py")


def imported_names_in(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module a source text imports, relative imports resolved against `module`."""
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            out += [(node.lineno, f"{target}.{a.name}") for a in node.names]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            out.append((node.lineno, node.args[0].value))
    return out


def hits_in(names: list[tuple[int, str]], banned: set[str]) -> list[str]:
    return [f"line {line}: {name}" for line, name in names
            for b in banned if name == b or name.startswith(b + ".")]


ALL_FILES = sorted(APP.rglob("*.py"))


def test_every_file_is_covered():
    assert ALL_FILES, "no app/ sources found"
    for py in ALL_FILES:
        rule_for(py)


@pytest.mark.parametrize("folder", sorted(RULES))
def test_no_forbidden_imports(folder):
    files = [py for py in ALL_FILES if rule_for(py) == folder]
    assert files, f"no files under {folder}"
    hits = [f"{py.relative_to(ROOT)} {h}" for py in files for h in hits_in(imported_names(py), RULES[folder])]
    assert not hits, "layering broken:\n" + "\n".join(hits)


def test_checker_catches_violations():
    """The checker itself: plain, from-, relative and import_module imports are all caught."""
    source = ("import sqlmodel\nfrom sqlalchemy import func\nfrom ...models.teacher import Teacher\n"
              "from . import sibling\nimport importlib\nimportlib.import_module('app.models.plan')\n")
    names = imported_names_in(source, "app.ui.widgets.probe")
    hits = hits_in(names, RULES["app/ui"])
    assert len([h for h in hits if "sqlmodel" in h]) == 1
    assert any("sqlalchemy" in h for h in hits)
    assert any(h.endswith("app.models.teacher") for h in hits)
    assert any(h.endswith("app.models.plan") for h in hits)
    assert ("app.ui.widgets.sibling" in {n for _l, n in names}) and not any("sibling" in h for h in hits)
    assert hits_in(imported_names_in("from app.services import teachers\n", "app.ui.x"), RULES["app/ui"]) == []


def test_module_names():
    assert module_name(APP / "ui" / "widgets" / "x.py") == "app.ui.widgets.x"
    assert module_name(APP / "ui" / "__init__.py") == "app.ui"
