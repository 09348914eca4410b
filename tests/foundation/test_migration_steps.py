"""The migration loop: released fixtures upgrade to the fresh schema; steps are atomic and backed up."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.models import migrations
from app.services.workspace import Workspace

FIXTURES = sorted(Path(__file__).parent.parent.joinpath("fixtures", "db").glob("v*.sqlite3"))


def schema(db: Path) -> dict:
    """Every table's columns (name, type, not null, default, primary key), foreign keys and indexes.

    Compared through PRAGMAs rather than the CREATE text: SQLite's ALTER TABLE ADD COLUMN appends
    the column to the stored text after the constraints, so an upgraded table can never be
    textually equal to a freshly created one while being the same table.
    """
    con = sqlite3.connect(db)
    out = {}
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for t in names:
        cols = sorted(tuple(r[1:]) for r in con.execute(f'PRAGMA table_info("{t}")'))
        fks = sorted(tuple(r[2:]) for r in con.execute(f'PRAGMA foreign_key_list("{t}")'))
        idx = sorted((r[2], tuple(c[2] for c in con.execute(f'PRAGMA index_info("{r[1]}")')))
                     for r in con.execute(f'PRAGMA index_list("{t}")'))
        out[t] = (cols, fks, idx)
    out["<indexes>"] = sorted(con.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type='index' "
                                          "AND sql IS NOT NULL"))
    con.close()
    return out


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_released_fixture_upgrades_to_the_fresh_schema(tmp_path, fixture):
    """Catches a model change that was never given a migration step."""
    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(fixture, old / "tisheng.sqlite3")
    with Workspace.open(old) as ws:
        from app.services.school import get_school
        assert get_school(ws).name == "版本1学校"
    with Workspace.open(tmp_path / "fresh"):
        pass
    assert schema(old / "tisheng.sqlite3") == schema(tmp_path / "fresh" / "tisheng.sqlite3")


def _v1_db(tmp_path) -> Path:
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(FIXTURES[0], d / "tisheng.sqlite3")
    return d


def test_a_step_runs_after_a_backup_and_bumps_the_version(tmp_path, monkeypatch):
    def add_column(c):
        c.exec_driver_sql("ALTER TABLE school ADD COLUMN motto TEXT NOT NULL DEFAULT ''")
    latest = migrations.LATEST + 1
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, add_column])
    monkeypatch.setattr(migrations, "LATEST", latest)
    d = _v1_db(tmp_path)
    Workspace.open(d).close()
    con = sqlite3.connect(d / "tisheng.sqlite3")
    assert con.execute("PRAGMA user_version").fetchone()[0] == latest
    assert "motto" in [r[1] for r in con.execute("PRAGMA table_info(school)")]
    backups = list((d / "backups").glob(f"*before-v{latest}-from-v1*"))
    assert len(backups) == 1
    assert sqlite3.connect(backups[0]).execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_failing_step_rolls_back_and_leaves_the_old_version(tmp_path, monkeypatch):
    def half_then_fail(c):
        c.exec_driver_sql("ALTER TABLE school ADD COLUMN motto TEXT NOT NULL DEFAULT ''")
        raise RuntimeError("injected migration failure")
    monkeypatch.setattr(migrations, "STEPS", [half_then_fail])
    monkeypatch.setattr(migrations, "LATEST", 2)
    d = _v1_db(tmp_path)
    with pytest.raises(RuntimeError):
        Workspace.open(d)
    con = sqlite3.connect(d / "tisheng.sqlite3")
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "motto" not in [r[1] for r in con.execute("PRAGMA table_info(school)")]
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert list((d / "backups").glob("*before-v2*"))
