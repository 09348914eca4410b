"""No command-line syntax in what services say: commands and flags go into cli_hint.

A service message is shown in the window as well as on the command line, so it must not
tell a window user to run `tisheng …` or add `--flag`. Every string literal in app/services
is checked, except docstrings and the places that hold command-line text on purpose:
`cli_hint=` arguments, names ending in HINT, functions named cli_hint(s), cli_hints.py, and
the bundle's README for district staff (which teaches the verification commands).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.errors import AppError, ConfirmationRequired

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "app" / "services"
CLI_SYNTAX = re.compile(r"(?<![\w-])tisheng\s+[a-z]|(?<![\w-])--[a-z]")
ON_PURPOSE = {
    "cli_hints.py": "the hints themselves",
    "bundle/paperwork.py": "the bag's README: how a district verifies it with tisheng verify / bagit",
    "forms/worker.py": "the worker process's own flag",
}


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """ids of string constants that are docstrings or command-line text on purpose."""
    out: set[int] = set()

    def mark(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant):
                out.add(id(sub))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            out.add(id(body[0].value))                                # a docstring
        if isinstance(node, ast.keyword) and node.arg == "cli_hint":
            mark(node.value)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in targets]
            if any(n.upper().endswith("HINT") for n in names):
                mark(node.value)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("cli_hint", "cli_hints"):
            mark(node)
    return out


def command_line_text(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    exempt = _exempt_nodes(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in exempt
            and CLI_SYNTAX.search(node.value)]


def test_no_service_message_names_a_command_or_flag():
    found = []
    for py in sorted(SERVICES.rglob("*.py")):
        rel = py.relative_to(SERVICES).as_posix()
        if rel in ON_PURPOSE:
            continue
        found += [f"app/services/{rel}:{line}: {text[:90]}" for line, text in command_line_text(py.read_text("utf-8"))]
    assert not found, "move the command-line part into cli_hint:\n" + "\n".join(found)


def test_the_check_itself():
    source = ('def f():\n    """Run tisheng fsck."""\n    raise X("请运行“tisheng fsck”检查")\n'
              'def g():\n    raise X("坏了", cli_hint="tisheng fsck --from-backup")\n'
              'KEY_HINT = "用 --key"\nmsg = "命令行加 --move"\n')
    assert sorted(line for line, _ in command_line_text(source)) == [3, 7]


def test_errors_carry_the_hint_apart_from_the_message():
    err = ConfirmationRequired("王芳已提交证据，取消需要确认。", cli_hint="命令行加 --confirm。")
    assert isinstance(err, AppError) and "--" not in err.full_message() and err.cli_hint


def test_the_command_line_prints_the_hint_and_the_window_does_not(tmp_path, capsys):
    """Dropping a point that has evidence: the CLI names --confirm, the error's message does not."""
    from app.cli.main import main
    from app.services import choices, evidence
    from app.services.workspace import Workspace
    from tests.services_part2.school import build_small_school, sample_file
    with Workspace.open(tmp_path / "d") as ws:
        s = build_small_school(ws)
        choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
        evidence.add_evidence(ws, s.ids["王芳"], "A1", "1", sample_file(tmp_path, "教学设计.docx"))
        with pytest.raises(ConfirmationRequired) as exc:
            choices.set_choices(ws, s.ids["王芳"], ["A3", "A6", "B1"])
    assert "--" not in exc.value.full_message() and "--confirm" in exc.value.cli_hint
    assert main(["choose", "王芳", "A3", "A6", "B1", "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "提交了证据文件" in err and "提示：确认取消：命令行加 --confirm。" in err
