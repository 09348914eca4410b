"""Every roster import test again on a workspace whose engine is not loaded: the command line's
case, where the import runs on a plain sqlite3 connection (Workspace.transaction) and no ORM is
imported. The tests' own checks read back through the ORM, so rows written by plain SQL must
read back exactly as rows the ORM wrote."""

from __future__ import annotations

import pytest

from tests.excel.test_roster_import import *  # noqa: F401,F403 - the same tests, collected here


@pytest.fixture
def ws(tmp_path):
    from app.services.workspace import Workspace
    Workspace.open(tmp_path / "data").close()          # created, migrated and seeded
    w = Workspace.open(tmp_path / "data")              # up to date: opened without the engine
    assert not w.engine_loaded
    yield w
    w.close()


def test_the_import_runs_without_the_engine(ws, tmp_path):
    from app.services.excel import import_roster
    from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, write_rows
    f = write_rows(tmp_path / "r.xlsx", [ROSTER_HEADER, roster_row(1, "王芳", 性别="女", 身份证号=make_id(1, male=False))])
    result = import_roster(ws, f)
    assert result.written and result.added == 1
    assert not ws.engine_loaded
    again = import_roster(ws, f)
    assert again.unchanged == 1 and not again.written and not ws.engine_loaded


def test_an_import_through_the_engine_counts_for_automatic_backups(tmp_path):
    """The window's workspace has its engine: the import commits through it, so the commit
    counts as a change the next automatic backup must save."""
    from app.services.backup import automatic
    from app.services.excel import import_roster
    from app.services.workspace import Workspace
    from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, write_rows
    Workspace.open(tmp_path / "data").close()
    with Workspace.open(tmp_path / "data") as w:
        automatic.track_changes(w.engine)
        automatic.reset_change_marker(w)
        assert not automatic.has_changes(w)
        f = write_rows(tmp_path / "r.xlsx", [ROSTER_HEADER, roster_row(1, "李强", 身份证号=make_id(1))])
        assert import_roster(w, f).written
        assert automatic.has_changes(w)
