"""A data folder whose name holds `#`, `%`, spaces, Chinese, `[`, `&` or `'` (“1#楼” is a common
name in Chinese schools) works like any other: backups hold the school, checks read the real file,
and nothing is ever created at a path cut short where SQLite's URI syntax would end it.

Every database is opened read-only through app.dbfile.readonly_uri; a URI built by hand from the
path took `#` for a fragment, dropped the rest of the path and the read-only flag with it, and
opened (creating it) a read-write database at the cut path.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys

import pytest

from app.services.backup import manual
from app.services.backup import restore as restoring
from app.services.backup import snapshot as snapshots
from app.services.dbcheck import check_database
from app.services.packs.startup import school_missing
from app.services.teachers import add_teacher, list_teachers
from app.services.workspace import Workspace
from tests.reliability.environment import run_cli
from tests.reliability.helpers import db_signature, evidence_problems, valid_id

# legal folder names on Windows and Linux alike; `?` (Linux only) on its own
NAMES = ["1#楼 %20 [甲] &'学校", "进修%41资料 #2"]
if sys.platform != "win32":
    NAMES.append("a?b 学校 #")


TEACHERS = sorted(f"教师{chr(0x4e00 + i)}" for i in range(3))      # tests/reliability/helpers.py


@pytest.fixture(params=NAMES)
def awkward(request, school_template, tmp_path):
    """A copy of the small school in a folder with an awkward name, under an otherwise empty folder."""
    base = tmp_path / "base"
    base.mkdir()
    folder = base / request.param
    shutil.copytree(school_template, folder)
    yield folder
    # nothing beside the data folder: no database at a path cut at `#`, `?` or decoded from `%41`
    assert sorted(os.listdir(base)) == [request.param]


def _tables_and_teachers(db) -> tuple[set[str], list[str]]:
    con = sqlite3.connect(db)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return tables, sorted(r[0] for r in con.execute("SELECT name FROM teacher"))
    finally:
        con.close()


def test_a_database_backup_holds_the_schools_tables_and_rows(awkward, tmp_path):
    with Workspace.open(awkward) as ws:
        result = manual.make_backup(ws, tmp_path / "usb")
    tables, teachers = _tables_and_teachers(result.path)
    assert {"school", "teacher", "evidencefile"} <= tables
    assert teachers == TEACHERS
    assert db_signature(result.path) == db_signature(awkward / "tisheng.sqlite3")


def test_the_command_line_backup_holds_the_school(awkward):
    done = run_cli("--data-dir", awkward, "backup", "--json")
    assert done.returncode == 0, done.stderr
    path = json.loads(done.stdout)["path"]
    assert _tables_and_teachers(path)[1] == TEACHERS


def test_a_full_backup_holds_the_database_and_every_stored_file(awkward, tmp_path):
    with Workspace.open(awkward) as ws:
        result = manual.make_backup(ws, tmp_path / "usb", full=True)
    assert "T001" in result.path.name                    # the school code read from the database
    assert db_signature(result.path / "data" / "tisheng.sqlite3") == db_signature(awkward / "tisheng.sqlite3")
    assert len(list((result.path / "data" / "store").rglob("*/*/*"))) == 8


def test_restore_in_place_and_into_a_new_awkward_folder(awkward, tmp_path):
    with Workspace.open(awkward) as ws:
        backup = snapshots.snapshot(ws.paths, "manual")
        full = manual.make_backup(ws, tmp_path / "usb", full=True).path
        before = db_signature(ws.paths.database)
        add_teacher(ws, name="后来的", id_number=valid_id(60), staff_no="L1")
        result = restoring.restore(ws, backup)
    assert result.before_backup is not None
    assert "后来的" in _tables_and_teachers(result.before_backup)[1]
    assert db_signature(awkward / "tisheng.sqlite3") == before
    fresh = awkward.parent / (awkward.name + " 新")
    restoring.restore(fresh, full)
    assert db_signature(fresh / "tisheng.sqlite3") == before and evidence_problems(fresh) == []
    with Workspace.open(fresh) as ws:
        assert "后来的" not in [t.name for t in list_teachers(ws)]
    shutil.rmtree(fresh)


def test_the_integrity_check_reads_the_real_file(awkward):
    db = awkward / "tisheng.sqlite3"
    assert check_database(db, full=True) is None
    data = bytearray(db.read_bytes())
    page = 4096
    data[page * 2:page * 2 + 512] = b"\xa5" * 512           # a smashed b-tree page
    db.write_bytes(bytes(data))
    assert check_database(db, full=True) is not None
    assert check_database(db, full=False) is not None


def test_pack_start_up_sees_whether_the_folder_holds_a_school(awkward):
    assert school_missing(awkward / "tisheng.sqlite3") is False
    empty = awkward.parent / (awkward.name + " 空")
    Workspace.open(empty).close()                          # a database with no school yet
    assert school_missing(empty / "tisheng.sqlite3") is True
    shutil.rmtree(empty)


def test_the_workspace_opens_up_to_date_without_the_engine_and_writes_the_real_file(awkward):
    with Workspace.open(awkward) as ws:
        assert not ws.engine_loaded                       # the read-only fast check saw the real file
        add_teacher(ws, name="新来的", id_number=valid_id(61), staff_no="N1")   # through the engine
    assert "新来的" in _tables_and_teachers(awkward / "tisheng.sqlite3")[1]
