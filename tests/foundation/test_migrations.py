"""Schema creation, refusal of newer or foreign databases, nothing touched on refusal."""

import sqlite3

import pytest

from app.errors import DatabaseTooNewError
from app.models.migrations import LATEST
from app.services.workspace import NotSQLiteError, Workspace


def test_empty_folder_gets_latest_schema_and_catalogue(tmp_path):
    ws = Workspace.open(tmp_path / "d")
    db = ws.paths.database
    ws.close()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert con.execute("SELECT count(*) FROM abilitypoint").fetchone()[0] == 30
    assert con.execute("SELECT count(*) FROM evidenceitem").fetchone()[0] >= 60
    assert con.execute("PRAGMA foreign_keys").fetchone()[0] == 0  # per connection; the app turns it on


def test_empty_database_file_is_migrated(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "tisheng.sqlite3").write_bytes(b"")
    with Workspace.open(tmp_path / "d") as ws:
        assert not ws.has_school()


def test_foreign_keys_are_enforced(ws):
    from sqlalchemy.exc import IntegrityError

    from app.models import HoursRecord
    with ws.sessions() as s:
        s.add(HoursRecord(teacher_id=999, category="x", hours=1))
        with pytest.raises(IntegrityError):
            s.commit()


def test_newer_database_is_refused_untouched(tmp_path):
    ws = Workspace.open(tmp_path / "d")
    db = ws.paths.database
    ws.close()
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version={LATEST + 5}")
    con.commit()
    con.close()
    before = db.read_bytes()
    with pytest.raises(DatabaseTooNewError) as exc:
        Workspace.open(tmp_path / "d")
    assert "更新版本" in exc.value.user_message
    assert db.read_bytes() == before


def test_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "tisheng.sqlite3").write_bytes(b"PK\x03\x04 this is a zip, not a database")
    with pytest.raises(NotSQLiteError):
        Workspace.open(d)
    assert (d / "tisheng.sqlite3").read_bytes().startswith(b"PK")


def test_reopening_keeps_data(tmp_path):
    from app.services.school import get_school, init_school
    with Workspace.open(tmp_path / "d") as ws:
        init_school(ws, name="测试学校", code="T001", environment="多媒体", programme_id="national-2.0")
    with Workspace.open(tmp_path / "d") as ws:
        assert get_school(ws).name == "测试学校"
