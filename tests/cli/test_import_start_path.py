"""`tisheng import roster FILE` on an up-to-date data folder runs on the standard library's
sqlite3 and python-calamine alone: no ORM (SQLAlchemy, SQLModel, pydantic: a quarter of a second
to import), no openpyxl unless there is an error workbook to write, nothing for PDFs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_NEEDED = ("sqlalchemy", "sqlmodel", "pydantic", "openpyxl", "reportlab", "pikepdf", "PySide6", "cryptography",
              "xlrd", "pypdfium2", "segno")

PROBE = r"""
import contextlib, io, json, sys
from app.cli.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[2:])
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[1])))
sys.__stdout__.write(json.dumps({"code": code, "loaded": loaded, "out": out.getvalue()}))
"""


def _run(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(NOT_NEEDED), *args], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_importing_a_roster_loads_no_orm(tmp_path):
    from app.services.school import init_school
    from app.services.workspace import Workspace
    from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, write_rows
    data = tmp_path / "data"
    with Workspace.open(data) as ws:
        init_school(ws, name="测试小学", code="21028100", environment="多媒体", programme_id="national-2.0")
    f = write_rows(tmp_path / "r.xlsx", [ROSTER_HEADER, roster_row(1, "王芳", 性别="女", 身份证号=make_id(1, male=False)),
                                         roster_row(2, "李强", 身份证号=make_id(2))])
    got = _run("--data-dir", str(data), "import", "roster", str(f), "--json")
    assert got["code"] == 0 and json.loads(got["out"])["added"] == 2
    assert got["loaded"] == [], f"import roster loaded {got['loaded']}"
    again = _run("--data-dir", str(data), "import", "roster", str(f), "--json")
    assert json.loads(again["out"])["unchanged"] == 2 and again["loaded"] == []
    with Workspace.open(data) as ws:
        from app.services.teachers import list_teachers
        assert sorted(t.name for t in list_teachers(ws)) == ["李强", "王芳"]


def test_a_file_with_errors_still_gets_its_error_workbook(tmp_path):
    from app.services.workspace import Workspace
    from tests.excel.helpers import ROSTER_HEADER, roster_row, write_rows
    Workspace.open(tmp_path / "data").close()
    f = write_rows(tmp_path / "r.xlsx", [ROSTER_HEADER, roster_row(1, "王芳", 身份证号="123")])
    got = _run("--data-dir", str(tmp_path / "data"), "import", "roster", str(f), "--json")
    doc = json.loads(got["out"])
    assert got["code"] == 1 and not doc["ok"] and doc["errors"][0]["row"] == 2
    assert doc.get("error_workbook") and Path(doc["error_workbook"]).exists()


def test_the_safety_backup_before_an_import_holds_the_state_before_and_loads_no_orm(tmp_path):
    """The import's safety backup resets the automatic backups' change marker; on a workspace
    whose engine is not made yet that must not make it (and load SQLAlchemy) just to find none."""
    import sqlite3

    from app.services.school import init_school
    from app.services.workspace import Workspace
    from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, write_rows
    data = tmp_path / "data"
    with Workspace.open(data) as ws:
        init_school(ws, name="测试小学", code="21028100", environment="多媒体", programme_id="national-2.0")
    rows = [ROSTER_HEADER, roster_row(1, "王芳", 性别="女", 身份证号=make_id(1, male=False))]
    got = _run("--data-dir", str(data), "import", "roster", str(write_rows(tmp_path / "a.xlsx", rows)), "--json")
    assert got["code"] == 0 and got["loaded"] == []
    rows.append(roster_row(2, "李强", 身份证号=make_id(2)))
    got = _run("--data-dir", str(data), "import", "roster", str(write_rows(tmp_path / "b.xlsx", rows)), "--json")
    assert got["code"] == 0 and json.loads(got["out"])["added"] == 1 and got["loaded"] == []

    def teachers(db: Path) -> list[str]:
        con = sqlite3.connect(db)
        try:
            return sorted(r[0] for r in con.execute("SELECT name FROM teacher"))
        finally:
            con.close()
    backups = sorted((data / "backups").glob("*before-import*.sqlite3"), key=lambda p: p.stat().st_mtime_ns)
    assert [teachers(b) for b in backups] == [[], ["王芳"]]
    assert teachers(data / "tisheng.sqlite3") == ["李强", "王芳"]
