"""Workspace.open of a database that needs no work loads no engine; anything else takes the
full path (migrations with their backup, catalogue seeding, programme upgrade) as before."""

from __future__ import annotations

import json
import sqlite3

from app.services.workspace import PROGRAMME_FORMAT, RESTORE_JOURNAL, Workspace


def test_the_copied_constants_match_their_homes():
    from app.services.backup.restore import JOURNAL
    from app.services.programmes.document import FORMAT_VERSION
    assert RESTORE_JOURNAL == JOURNAL and PROGRAMME_FORMAT == FORMAT_VERSION


def test_an_up_to_date_folder_opens_without_the_engine(tmp_path):
    with Workspace.open(tmp_path / "d") as ws:
        assert ws.engine_loaded                       # created: the full path
    with Workspace.open(tmp_path / "d") as ws:
        assert not ws.engine_loaded
        assert ws.has_school() is False and ws.engine_loaded     # made on first use


def test_a_missing_catalogue_is_still_seeded(tmp_path):
    Workspace.open(tmp_path / "d").close()
    con = sqlite3.connect(tmp_path / "d" / "tisheng.sqlite3")
    con.execute("DELETE FROM evidenceitem")
    con.execute("DELETE FROM abilitypoint")
    con.commit()
    con.close()
    with Workspace.open(tmp_path / "d") as ws:
        assert ws.engine_loaded
    con = sqlite3.connect(tmp_path / "d" / "tisheng.sqlite3")
    assert con.execute("SELECT count(*) FROM abilitypoint").fetchone()[0] > 0
    con.close()


def test_a_first_release_programme_is_still_upgraded(tmp_path):
    from app.services.school import init_school
    with Workspace.open(tmp_path / "d") as ws:
        init_school(ws, name="测试小学", code="21028100", environment="多媒体", programme_id="national-2.0")
    con = sqlite3.connect(tmp_path / "d" / "tisheng.sqlite3")
    rules = json.loads(con.execute("SELECT rules_json FROM programme").fetchone()[0])
    rules["format_version"] = 1
    con.execute("UPDATE programme SET rules_json = ?", (json.dumps(rules),))
    con.commit()
    con.close()
    # not up to date: the full path runs and hands the upgrade to the programme store
    with Workspace.open(tmp_path / "d") as ws:
        assert ws.engine_loaded


def test_an_older_schema_is_still_migrated_with_its_backup(tmp_path):
    Workspace.open(tmp_path / "d").close()
    con = sqlite3.connect(tmp_path / "d" / "tisheng.sqlite3")
    con.execute("PRAGMA user_version = 3")
    for table in ("districtoffice", "districtunit", "districtkey", "receivedbundle", "bundleevidence",
                  "bundleperson", "intakeevent", "trusteddistrict", "districtreceipt"):    # what step 4 creates
        con.execute(f"DROP TABLE {table}")
    con.commit()
    con.close()
    with Workspace.open(tmp_path / "d") as ws:
        assert ws.engine_loaded
    con = sqlite3.connect(tmp_path / "d" / "tisheng.sqlite3")
    assert con.execute("PRAGMA user_version").fetchone()[0] == 4
    assert con.execute("SELECT 1 FROM sqlite_master WHERE name = 'districtreceipt'").fetchone()
    con.close()
    assert any("before-v4-from-v3" in p.name for p in (tmp_path / "d" / "backups").iterdir())
