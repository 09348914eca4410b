"""No import cycle in app/, counting the imports hidden inside functions, and no god module.

Every `import` and `from … import …` anywhere in a module (top level, inside functions,
under `if TYPE_CHECKING`) is an edge to the app module it names: `from a.b import c`
is an edge to a.b.c when that is a module, else to a.b. A function-level import only
postpones a cycle to the first call; it does not remove it. The old god modules
app/services/backups.py and integrity.py are gone (split into app/services/backup/,
startup, dbcheck, fsck, storage_kind); no source imports them by their old names.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
MAX_LINES = 600
REMOVED = {"app.services.backups", "app.services.integrity"}


def module_name(py: Path) -> str:
    parts = list(py.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(APP.rglob("*.py"))}


def imports_of(source: str, module: str, known: set[str], *, is_package: bool = False) -> set[str]:
    """The app modules a source text imports, wherever the import statement is."""
    package = module if is_package else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                while name and name not in known:
                    name = name.rpartition(".")[0]
                if name:
                    out.add(name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in known:
                    out.add(full)
                elif target in known:
                    out.add(target)
    out.discard(module)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: imports_of(p.read_text(encoding="utf-8"), m, known, is_package=p.name == "__init__.py")
            for m, p in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in g:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(g[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def _path_within(g: dict[str, set[str]], component: list[str]) -> str:
    """One concrete loop through a component, for the failure message."""
    members = set(component)
    start = component[0]
    trail, node = [start], start
    while True:
        node = sorted(g[node] & members)[0]
        if node in trail:
            return " → ".join(trail[trail.index(node):] + [node])
        trail.append(node)


def test_no_import_cycle_even_through_function_level_imports():
    g = graph()
    loops = cycles(g)
    assert not loops, "import cycles in app/:\n" + "\n".join(_path_within(g, c) for c in loops)


def test_the_checker_finds_a_cycle_hidden_in_a_function():
    known = {"app.a", "app.b", "app.c"}
    g = {"app.a": imports_of("from app import b\n", "app.a", known),
         "app.b": imports_of("def f():\n    from app.c import thing\n", "app.b", known),
         "app.c": imports_of("import app.a.sub\n", "app.c", known)}
    assert g == {"app.a": {"app.b"}, "app.b": {"app.c"}, "app.c": {"app.a"}}
    assert cycles(g) == [["app.a", "app.b", "app.c"]]
    assert cycles({"app.a": {"app.b"}, "app.b": set()}) == []


def old_name_imports(source: str) -> list[str]:
    """The imports in a source text that name a removed module (plain, from-, or `from app.services import x`)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)] if isinstance(node, ast.ImportFrom) \
            else []
        out += [f"line {node.lineno}: {n}" for n in names for r in REMOVED if n == r or n.startswith(r + ".")]
    return out


def test_the_old_backup_and_integrity_modules_are_gone_and_nothing_imports_them():
    assert not [m for m in REMOVED if m in modules()], "the compatibility modules came back"
    users = [f"{py.relative_to(ROOT)} {hit}" for folder in ("app", "tests", "tools", "bench")
             for py in sorted((ROOT / folder).rglob("*.py")) if py != Path(__file__)
             for hit in old_name_imports(py.read_text(encoding="utf-8"))]
    assert not users, "import from app.services.backup.* / startup / dbcheck / fsck instead:\n" + "\n".join(users)


def test_the_old_name_check_sees_each_form():
    source = ("from app.services import backups, faults\nimport app.services.integrity\n"
              "from app.services.backups import snapshot\nfrom app.services.backup import snapshot\n")
    assert [h.split(":")[0] for h in old_name_imports(source)] == ["line 1", "line 2", "line 3", "line 3"]


def test_no_file_in_app_is_over_600_lines():
    long = sorted(f"{p.relative_to(ROOT)}: {n} lines" for p in APP.rglob("*.py")
                  if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES)
    assert not long, f"split these (one concept per module, at most {MAX_LINES} lines):\n" + "\n".join(long)
