"""The benchmarks' baselines are independent programs: none imports project code (so the
project's speed-ups and patches cannot flatter them), and each runs in a fresh process."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASELINES = sorted((ROOT / "bench" / "baselines").glob("*.py"))
PROJECT = ("app", "bench", "tests", "timing", "bags", "hashers", "make_school")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." if node.level else (node.module or "").split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__"):
            names.add("<dynamic>")
    return names


def test_there_are_baselines():
    assert {p.stem for p in BASELINES} >= {"bare_window", "calamine_read", "forms_reportlab", "hash_files"}


@pytest.mark.parametrize("path", BASELINES, ids=lambda p: p.name)
def test_no_baseline_imports_project_code(path):
    bad = _imports(path) & (set(PROJECT) | {".", "<dynamic>"})
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("name,args", [("hash_files", "list"), ("calamine_read", "xlsx")])
def test_a_baseline_run_loads_no_project_module(tmp_path, name, args):
    """Run as the benchmarks run it, the process never has `app` loaded (checked inside the
    process once the baseline has run, which also catches imports the source does not spell out)."""
    if args == "list":
        target = tmp_path / "list.txt"
        (tmp_path / "f.bin").write_bytes(b"x" * 100)
        target.write_text(str(tmp_path / "f.bin") + "\n", encoding="utf-8")
    else:
        from openpyxl import Workbook
        wb = Workbook()
        wb.active.append(["姓名", "身份证号"])
        target = tmp_path / "r.xlsx"
        wb.save(target)
    script = ROOT / "bench" / "baselines" / f"{name}.py"
    probe = ("import runpy, sys, json\n"
             f"sys.argv = [{str(script)!r}, {str(target)!r}]\n"
             f"runpy.run_path({str(script)!r}, run_name='__main__')\n"
             "sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m == 'app' or m.startswith('app.'))))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
