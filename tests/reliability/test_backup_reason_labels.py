"""Every backup reason the app writes into a backup's name has a Chinese label in the backups list.

The reasons are read from the code: each call in app/ that hands a reason to a backup function
(`backup_before`, `take_backup_before`, `snapshot`, `make_backup(reason=…)`, a migration's `backup(…)`) is resolved to
its string(s); a reason that cannot be resolved fails the test, so a new call is never missed.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

from app.services.backup.snapshot import BackupInfo

APP = Path(__file__).resolve().parents[2] / "app"
CJK = re.compile(r"[\u4e00-\u9fff]")
# function name → (position of the reason among the arguments, prefix the function adds)
REASON_ARG = {"backup_before": (1, "before-"), "take_backup_before": (1, "before-"), "snapshot": (1, ""), "backup": (1, ""), "make_backup": (None, "")}


def _strings(node: ast.AST | None) -> list[str] | None:
    """The strings an expression can be (an f-string's fields read as 1), or None if unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) else "1" for v in node.values)]
    if isinstance(node, ast.IfExp):
        a, b = _strings(node.body), _strings(node.orelse)
        return None if a is None or b is None else a + b
    return None


def _reason_node(call: ast.Call, name: str, attribute: bool) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == "reason":
            return kw.value
    index = REASON_ARG[name][0]
    if index is None:
        return None
    index -= 1 if attribute else 0     # api.backup.snapshot("manual"): the facade binds the paths
    return call.args[index] if len(call.args) > index else None


def _enclosing(tree: ast.AST):
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    return parents


def _functions_around(node: ast.AST, parents: dict):
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            yield node


def _resolve_name(name: str, call: ast.Call, parents: dict) -> list[str] | None:
    """A variable: the strings assigned to it in the nearest enclosing function that has it;
    [] for a parameter (its callers are checked where they pass the string)."""
    for func in _functions_around(call, parents):
        if name in [a.arg for a in func.args.args + func.args.kwonlyargs]:
            return []
        found: list[str] = []
        for sub in ast.walk(func):
            if isinstance(sub, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in sub.targets):
                values = _strings(sub.value)
                if values is None:
                    return None
                found += values
        if found:
            return found
    return None


def app_backup_reasons() -> set[str]:
    reasons: set[str] = set()
    unresolved = []
    for py in APP.rglob("*.py"):
        tree = ast.parse(py.read_text(encoding="utf-8"))
        parents = _enclosing(tree)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name not in REASON_ARG or (name == "backup" and isinstance(func, ast.Attribute)):
                continue                            # conn.backup(dest): sqlite3's, no reason
            if any(f.name in REASON_ARG for f in _functions_around(call, parents) if isinstance(f, ast.FunctionDef)):
                continue                            # inside a backup function: its callers pass the reason
            node = _reason_node(call, name, isinstance(func, ast.Attribute) and name == "snapshot")
            if node is None:
                if name == "make_backup":
                    continue                        # its default, "manual", is checked below
                unresolved.append(f"{py.relative_to(APP.parent)}:{call.lineno}")
                continue
            values = _strings(node)
            if values is None and isinstance(node, ast.Name):
                values = _resolve_name(node.id, call, parents)
            if values is None:
                unresolved.append(f"{py.relative_to(APP.parent)}:{call.lineno}")
                continue
            prefix = REASON_ARG[name][1]
            reasons |= {v if v.startswith(prefix) else prefix + v for v in values}
    assert unresolved == [], f"backup reasons this test cannot read: {unresolved}"
    return reasons | {"manual"}


def test_the_reasons_are_found():
    reasons = app_backup_reasons()
    assert {"auto", "close", "manual", "before-import", "before-restore", "before-pack-merge"} <= reasons
    assert any(r.startswith("before-v") for r in reasons)          # a migration's


def test_every_backup_reason_of_the_app_has_a_chinese_label():
    for reason in sorted(app_backup_reasons()):
        for name in (reason, f"{reason}-2"):                        # a second one the same second
            label = BackupInfo(Path(f"tisheng-20261206-120000-{name}.sqlite3"), datetime(2026, 12, 6, 12),
                               name, 1).label
            assert CJK.search(label) and not re.search(r"[A-Za-z]", label), f"{name}: {label!r}"


def test_an_unknown_reason_still_reads_in_chinese():
    for reason, expected in (("before-something-new", "操作前自动备份"), ("odd", "其他备份")):
        assert BackupInfo(Path("x.sqlite3"), datetime(2026, 12, 6), reason, 1).label == expected
