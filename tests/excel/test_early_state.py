"""The teachers read while the file is parsed (roster_import.EarlyState), and the safety backup taken
then: used by the write transaction only when nothing was committed to the database between the
two; the backup is kept only if the import writes."""

from __future__ import annotations

import sqlite3

import pytest

from app.services.excel import import_roster
from app.services.excel import roster_import
from app.services.workspace import Workspace
from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, teachers, write_rows


@pytest.fixture
def plain(ws):
    """The command line's workspace: the database made, then opened again without the ORM engine."""
    ws.close()
    again = Workspace.open(ws.paths.root)
    assert not again.engine_loaded
    yield again
    again.close()


def test_the_early_read_is_used_when_nothing_changed(plain, tmp_path, monkeypatch):
    import_roster(plain, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")]))
    loads = []
    real = roster_import.load_state
    monkeypatch.setattr(roster_import, "load_state", lambda conn: loads.append(1) or real(conn))
    result = import_roster(plain, write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(1, "王芳"),
                                                                     roster_row(2, "李强")]))
    assert (result.added, result.unchanged) == (1, 1)
    assert loads == []                     # the early read (roster_db.load_state) stood in for it


def test_a_commit_by_another_process_between_the_read_and_the_write_is_seen(plain, tmp_path, monkeypatch):
    """Someone adds 张伟 with the ID the file gives 李强 while the file is parsed: the import must
    refuse that row as a conflict, not insert a second teacher with the same ID (or crash on it)."""
    monkeypatch.setattr(roster_import.EarlyState, "__init__", _then_someone_commits(make_id(2)))
    result = import_roster(plain, write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(2, "李强")]))
    assert not result.ok and not result.written
    assert any("张伟" in p.message for p in result.errors)
    assert [t.name for t in teachers(plain).values()] == ["张伟"]
    assert _backups(plain) == []               # the early backup was deleted: nothing was written


def _then_someone_commits(id_number: str):
    """EarlyState.__init__, then another process adds 张伟 (after the early read and backup)."""
    real_init = roster_import.EarlyState.__init__

    def init(self, ws, **kw):
        real_init(self, ws, **kw)
        other = sqlite3.connect(ws.paths.database)
        other.execute("INSERT INTO teacher (name, gender, id_number, phone, subject, stage, staff_type, title, "
                      "status, status_reason, note, created_at, updated_at, participation) VALUES "
                      "('张伟', '男', ?, '', '', '', '在编', '', '在岗', '', '', "
                      "'2026-12-07 08:00:00.000000', '2026-12-07 08:00:00.000000', '')", (id_number,))
        other.commit()
        other.close()
    return init


def _backups(ws) -> list[str]:
    folder = ws.paths.backups
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _names_in(backup) -> list[str]:
    from app.dbfile import connect_readonly
    conn = connect_readonly(backup)
    try:
        return sorted(r[0] for r in conn.execute("SELECT name FROM teacher"))
    finally:
        conn.close()


def test_the_backup_taken_during_the_parse_is_the_imports_own(plain, tmp_path, monkeypatch):
    import_roster(plain, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")]))
    before = _backups(plain)
    taken = []
    real = roster_import.EarlyState.__init__

    def init(self, ws, **kw):
        real(self, ws, **kw)
        taken.append(self.backup)
    monkeypatch.setattr(roster_import.EarlyState, "__init__", init)
    result = import_roster(plain, write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(2, "李强")]))
    assert result.written and taken and taken[0] is not None
    assert result.backup == taken[0]           # the one taken while the file was parsed
    assert _backups(plain) == sorted([*before, result.backup.name])
    assert _names_in(result.backup) == ["王芳"]  # the data as it was before this import


def test_an_import_that_writes_nothing_leaves_no_backup(plain, tmp_path, monkeypatch):
    f = write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")])
    import_roster(plain, f)
    before = _backups(plain)
    taken = []
    real = roster_import.EarlyState.__init__
    monkeypatch.setattr(roster_import.EarlyState, "__init__",
                        lambda self, ws, **kw: real(self, ws, **kw) or taken.append(self.backup))
    assert import_roster(plain, f).unchanged == 1                      # the same file again
    bad = write_rows(tmp_path / "bad.xlsx", [ROSTER_HEADER, roster_row(2, "李强", 身份证号="123")])
    assert not import_roster(plain, bad).written                       # a row in error
    assert not import_roster(plain, write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(3, "赵敏")]),
                             dry_run=True).written
    assert [b is not None for b in taken] == [True, True, False]       # (none for a dry run)
    assert _backups(plain) == before


def test_a_commit_after_the_early_backup_makes_the_import_take_a_new_one(plain, tmp_path, monkeypatch):
    """The backup before an import must hold what the import wrote over: 张伟, committed by another
    process while the file was parsed, is in it."""
    import_roster(plain, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")]))
    before = _backups(plain)
    monkeypatch.setattr(roster_import.EarlyState, "__init__", _then_someone_commits(make_id(9)))
    result = import_roster(plain, write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(2, "李强")]))
    assert result.written
    assert _names_in(result.backup) == ["张伟", "王芳"]
    assert _backups(plain) == sorted([*before, result.backup.name])    # the early one deleted


def test_the_command_line_closes_the_early_connection_when_the_file_is_refused(tmp_path, capsys):
    from app.cli.main import main
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "import", "roster", str(
        write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")]))]) == 0
    before = sorted(p.name for p in (data / "backups").iterdir())
    bad = write_rows(tmp_path / "b.xlsx", [["序号", "备注"], [1, "没有姓名列"]])
    assert main(["--data-dir", str(data), "import", "roster", str(bad)]) != 0
    said = capsys.readouterr()
    assert "姓名" in said.err + said.out
    assert sorted(p.name for p in (data / "backups").iterdir()) == before    # the early backup deleted
    (data / "tisheng.sqlite3").rename(tmp_path / "moved.sqlite3")   # (Windows: only a closed file moves)


def test_an_early_backup_that_fails_leaves_the_backup_to_the_import(plain, tmp_path, monkeypatch):
    """A backup refused during the parse (a full disk for a moment, an error of the file system):
    the import takes it again when it writes; refused again, the import writes nothing."""
    from app.services.backup import automatic
    from app.services.backup.snapshot import BackupFailed
    real, calls = automatic.take_backup_before, []

    def fails_first(target, reason):
        calls.append(reason)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real(target, reason)
    monkeypatch.setattr(automatic, "take_backup_before", fails_first)
    result = import_roster(plain, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")]))
    assert result.written and result.backup is not None and len(calls) == 2
    assert _names_in(result.backup) == []

    def always_fails(target, reason):
        raise BackupFailed("写入备份失败：磁盘可能已满、只读或已拔出。")
    monkeypatch.setattr(automatic, "take_backup_before", always_fails)
    with pytest.raises(BackupFailed):
        import_roster(plain, write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(2, "李强")]))
    assert [t.name for t in teachers(plain).values()] == ["王芳"]


def test_an_unused_backup_that_cannot_be_deleted_is_left_and_the_import_goes_on(plain, tmp_path, monkeypatch):
    """Windows: a virus scanner may hold a file just written. The unused backup stays (a valid copy of
    the data), and the import's own outcome is what the user sees."""
    from pathlib import Path
    f = write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")])
    import_roster(plain, f)
    before = _backups(plain)
    real_unlink = Path.unlink

    def held(self, missing_ok=False):
        if self.parent == plain.paths.backups:
            raise PermissionError(13, "The process cannot access the file")
        return real_unlink(self, missing_ok=missing_ok)
    monkeypatch.setattr(Path, "unlink", held)
    again = import_roster(plain, f)                       # unchanged: its early backup is not used
    assert again.unchanged == 1 and not again.written
    assert len(_backups(plain)) == len(before) + 1
