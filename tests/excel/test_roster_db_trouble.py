"""A roster import that meets a locked, read-only or full database says so in Chinese (the same
DatabaseUnavailableError the start-up checks and the command line give) and writes nothing, on
the plain sqlite3 path (no engine: the command line) and through the engine (the window) alike.
Workspace.transaction turns the driver's error into it, and the workspace's engine does the same
for every session, so every caller (window or command line) gets the message."""

from __future__ import annotations

import sqlite3

import pytest

import app.dbfile
from app.errors import AppError
from app.services import dberrors
from app.services.excel import import_roster
from app.services.workspace import Workspace
from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, write_rows
from tests.reliability.environment import read_only
from tests.reliability.helpers import db_signature


@pytest.fixture(params=["plain", "engine"])
def opened(request, tmp_path):
    from app.services.school import init_school
    with Workspace.open(tmp_path / "data") as ws:
        init_school(ws, name="测试小学", code="21028100", environment="多媒体", programme_id="national-2.0")
    ws = Workspace.open(tmp_path / "data")
    if request.param == "engine":
        ws.engine                                          # noqa: B018 - the window's workspace has it
    assert ws.engine_loaded is (request.param == "engine")
    yield ws
    ws.close()


def _roster(tmp_path, n: int = 3):
    return write_rows(tmp_path / "r.xlsx", [ROSTER_HEADER] + [
        roster_row(i, f"王{chr(0x4e00 + i // 100)}{chr(0x4e00 + i % 100)}", 身份证号=make_id(i), 备注="这是一段很长的备注，" * 8) for i in range(1, n + 1)])


def _unchanged(ws, before) -> None:
    assert db_signature(ws.paths.database) == before


def test_a_locked_database_is_named_and_nothing_is_written(opened, tmp_path, monkeypatch):
    monkeypatch.setattr(app.dbfile, "BUSY_TIMEOUT_S", 0.2)   # read by every new connection's setup
    before = db_signature(opened.paths.database)
    holder = sqlite3.connect(opened.paths.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")                        # another program holds the write lock
    try:
        with pytest.raises(dberrors.DatabaseUnavailableError) as err:
            import_roster(opened, _roster(tmp_path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert err.value.kind == dberrors.BUSY and "正被其他程序占用" in err.value.user_message
    assert str(opened.paths.database) in err.value.user_message
    _unchanged(opened, before)
    assert not list(opened.paths.backups.glob("*before-import*"))     # refused before anything


def test_a_full_disk_is_named_and_nothing_is_written(opened, tmp_path, monkeypatch):
    before = db_signature(opened.paths.database)
    monkeypatch.setenv("TISHENG_FAULT", "db.full")           # the file may not grow (app/dbfile.configure)
    if opened.engine_loaded:                                 # the engine's pooled connection predates it
        opened.engine.dispose()
    with pytest.raises(dberrors.DatabaseUnavailableError) as err:
        import_roster(opened, _roster(tmp_path, 200))
    monkeypatch.delenv("TISHENG_FAULT")
    assert err.value.kind == dberrors.FULL and "磁盘已满" in err.value.user_message
    assert db_signature(opened.paths.database) == before


def test_a_read_only_database_file_is_named_and_nothing_is_written(opened, tmp_path, monkeypatch):
    """The file opened read-only (as SQLite does when it may not write it): every write is refused."""
    import app.services.workspace as workspace

    def read_only_connection(path):
        conn = app.dbfile.connect_readonly(path)
        app.dbfile.configure(conn)
        return conn
    before = db_signature(opened.paths.database)
    monkeypatch.setattr(workspace, "connect", read_only_connection)
    if opened.engine_loaded:
        from sqlalchemy import event
        opened.engine.dispose()
        event.listen(opened.engine, "do_connect",
                     lambda *_a: app.dbfile.connect_readonly(opened.paths.database, timeout=0))
    with pytest.raises(dberrors.DatabaseUnavailableError) as err:
        import_roster(opened, _roster(tmp_path))
    assert err.value.kind == dberrors.READONLY and "只读" in err.value.user_message
    _unchanged(opened, before)


def test_a_read_only_data_folder_is_named_and_nothing_is_written(opened, tmp_path):
    """The safety backup comes first and cannot be written there: that is what is named."""
    before = db_signature(opened.paths.database)
    roster = _roster(tmp_path)
    opened.close()
    with read_only(opened.paths.root) as folder:
        if folder is None:
            pytest.skip("cannot make a folder read-only here")
        try:
            with pytest.raises(AppError) as err:
                import_roster(opened, roster)
        finally:
            opened.close()                                   # nothing left open on the mount
    assert "只读" in err.value.user_message
    _unchanged(opened, before)


def test_damage_and_other_errors_pass_through(opened):
    class Boom(Exception):
        pass
    with pytest.raises(Boom):
        with opened.transaction():
            raise Boom
    with pytest.raises(sqlite3.IntegrityError):                  # a bug of ours, not the disk's
        with opened.transaction() as conn:
            conn.execute("INSERT INTO teacher (id, name) VALUES (NULL, NULL)")


def test_a_write_through_the_orm_meets_the_same_message(opened, monkeypatch):
    """The window's other services write through sessions: the engine names the trouble too (an
    SQLAlchemy OperationalError was shown as “出现意外问题”)."""
    from app.services.teachers import add_teacher
    monkeypatch.setattr(app.dbfile, "BUSY_TIMEOUT_S", 0.2)
    opened.engine.dispose()                                  # new connections get the short timeout
    before = db_signature(opened.paths.database)
    holder = sqlite3.connect(opened.paths.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(dberrors.DatabaseUnavailableError) as err:
            add_teacher(opened, name="王芳", id_number=make_id(7, male=False))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert err.value.kind == dberrors.BUSY and "正被其他程序占用" in err.value.user_message
    _unchanged(opened, before)
    add_teacher(opened, name="王芳", id_number=make_id(7, male=False))    # released: it goes through
