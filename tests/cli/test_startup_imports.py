"""`tisheng --help`, `--version` and a usage error answer without loading the heavy libraries:
the parser (every command's Chinese help) is built from light modules, and each command
imports its services when it runs (app/cli/lazy.py, app/vocab.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "openpyxl", "reportlab", "pikepdf", "PySide6", "cryptography",
         "python_calamine", "xlrd", "pypdfium2", "segno")

PROBE = r"""
import contextlib, io, json, sys
from app.cli.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(HEAVY)))
sys.__stdout__.write(json.dumps({"code": code, "heavy": heavy, "out": out.getvalue()[:2000]}))
"""


def _probe(*args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = "HEAVY = " + repr(json.dumps(HEAVY)) + "\n" + PROBE
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["teacher", "add", "--help"], ["export", "--help"],
                                  ["import", "roster", "--help"], ["teacher", "add", "--bogus"],
                                  ["pack", "create", "--help"], ["district", "key", "add", "--help"]])
def test_no_heavy_library_before_a_command_runs(args):
    got = _probe(*args)
    assert got["heavy"] == [], f"tisheng {' '.join(args)} imported {got['heavy']}"


def test_no_command_module_imports_a_heavy_library():
    """Every command group, including ones added later, is imported by --help: each must reach its
    services lazily (app/cli/lazy.py) or inside its handlers."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = ("import importlib, json, sys; from app.cli.main import _command_modules\n"
            "out = {}\n"
            "for name in _command_modules():\n"
            "    before = set(sys.modules); importlib.import_module('app.cli.' + name)\n"
            "    out[name] = sorted({m.split('.')[0] for m in set(sys.modules) - before} & set(json.loads(sys.argv[1])))\n"
            "print(json.dumps(out))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(HEAVY)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    assert len(got) >= 20 and "cmd_pack" in got and "cmd_district" in got
    assert {name: heavy for name, heavy in got.items() if heavy} == {}


def test_help_lists_every_command_with_its_choices():
    top = _probe("--help")["out"]
    for word in ("export", "verify", "teacher", "import", "forms", "programme", "selfassess"):
        assert word in top
    add = _probe("teacher", "add", "--help")["out"]
    assert "{在编,临聘,代课}" in add and "{在岗,免修,退休,内退,调离}" in add


def test_a_command_still_loads_its_services(tmp_path):
    got = _probe("--data-dir", str(tmp_path / "d"), "teacher", "list", "--json")
    assert "sqlmodel" in got["heavy"]


def test_vocabulary_is_the_one_the_tables_and_services_use():
    from app import vocab
    from app.models import plan, self_assessment, teacher
    from app.services import activities, courses, school, teams
    from app.services.programmes import presets
    assert teacher.STATUSES is vocab.STATUSES and teacher.STAFF_TYPES is vocab.STAFF_TYPES
    assert plan.PLAN_KINDS is vocab.PLAN_KINDS and plan.PLAN_STATUSES is vocab.PLAN_STATUSES
    assert self_assessment.LEVELS is vocab.LEVELS and activities.ACTIVITY_KINDS is vocab.ACTIVITY_KINDS
    assert courses.COURSE_STATUSES is vocab.COURSE_STATUSES and teams.TEAM_KINDS is vocab.TEAM_KINDS
    assert school.ENVIRONMENTS is vocab.ENVIRONMENTS and presets.DEFAULT_PRESET is vocab.DEFAULT_PRESET
    from app.services.district import register
    from app.services.packs import merge_plan
    assert register.UNIT_KINDS is vocab.UNIT_KINDS
    assert (merge_plan.TAKE_SCHOOL, merge_plan.TAKE_POINT) == (vocab.TAKE_SCHOOL, vocab.TAKE_POINT)


def test_verify_needs_no_database_layer():
    """`tisheng verify` runs at the district, on any bag, with no data folder: it must not pay for
    SQLAlchemy (about half a second) before it hashes anything."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = ("import sys, json; import app.services.bundle.verify, app.services.bundle.programme_check; "
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    loaded = set(json.loads(done.stdout))
    assert not loaded & {"sqlalchemy", "sqlmodel", "openpyxl", "reportlab", "PySide6"}, loaded


def test_form_kinds_are_the_vocabulary():
    from app import vocab
    from app.services.forms import dto
    assert dto.KINDS is vocab.FORM_KINDS and dto.KIND_PERSONAL == "个人"


def test_an_export_loads_no_openpyxl():
    """The summary workbook is written with XlsxWriter: an export's modules (its plugins included)
    must not load openpyxl for the text rules they share with the openpyxl writers (cell_rules.py)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = ("import sys; import app.services.bundle.export; from app.services.bundle.paperwork import default_plugins\n"
            "default_plugins(); import app.services.excel.report, app.services.excel.xw_cells\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'openpyxl', 'xlsxwriter'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['xlsxwriter']"
