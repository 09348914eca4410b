"""The teachers read while the file is parsed (roster_import.EarlyState): used by the write
transaction only when nothing was committed to the database between the two."""

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
    real_init = roster_import.EarlyState.__init__

    def read_then_someone_commits(self, ws):
        real_init(self, ws)
        other = sqlite3.connect(ws.paths.database)
        other.execute("INSERT INTO teacher (name, gender, id_number, phone, subject, stage, staff_type, title, "
                      "status, status_reason, note, created_at, updated_at, participation) VALUES "
                      "('张伟', '男', ?, '', '', '', '在编', '', '在岗', '', '', "
                      "'2026-12-07 08:00:00.000000', '2026-12-07 08:00:00.000000', '')", (make_id(2),))
        other.commit()
        other.close()
    monkeypatch.setattr(roster_import.EarlyState, "__init__", read_then_someone_commits)
    result = import_roster(plain, write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(2, "李强")]))
    assert not result.ok and not result.written
    assert any("张伟" in p.message for p in result.errors)
    assert [t.name for t in teachers(plain).values()] == ["张伟"]


def test_the_command_line_closes_the_early_connection_when_the_file_is_refused(tmp_path, capsys):
    from app.cli.main import main
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "import", "roster", str(
        write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")]))]) == 0
    bad = write_rows(tmp_path / "b.xlsx", [["序号", "备注"], [1, "没有姓名列"]])
    assert main(["--data-dir", str(data), "import", "roster", str(bad)]) != 0
    said = capsys.readouterr()
    assert "姓名" in said.err + said.out
    (data / "tisheng.sqlite3").rename(tmp_path / "moved.sqlite3")   # (Windows: only a closed file moves)
