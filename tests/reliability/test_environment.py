"""Ordinary trouble is named for what it is and never called damage (issue 19 items 6–10, 12, 15, 17).

A database held by another program, a read-only data folder and a full disk each get their own
message with no restore advice, and nothing is set aside as damaged; writes wait for busy_timeout;
`demo` on a disk that fills leaves nothing; a data folder that is a file, a stored hash that is
not hex, `verify` on a district PC, a library warning and `--json` on a failure each behave.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.reliability.environment import grow_disk, held_lock, read_only, run_cli, small_disk
from tests.reliability.helpers import db_signature, valid_id

RESTORE_WORDS = ("restore", "恢复", "已损坏")


def _no_restore_advice(text: str) -> None:
    assert not any(w in text for w in RESTORE_WORDS), text


def _add(root: Path, n: int = 50, *extra):
    return run_cli("teacher", "add", "--name", "新来的", "--id-number", valid_id(n), "--data-dir", root, *extra)


def test_a_write_waits_for_a_lock_held_for_two_seconds(school_dir):
    """busy_timeout is honoured: the lock is released after 2 s and the write goes through."""
    db = school_dir / "tisheng.sqlite3"
    with held_lock(db, 2):
        done = _add(school_dir)
    assert done.returncode == 0, done.stderr
    assert done.seconds >= 1.5


def test_a_lock_held_longer_than_the_timeout_is_named_after_waiting(school_dir):
    db = school_dir / "tisheng.sqlite3"
    before = db_signature(db)
    with held_lock(db, 30):
        done = _add(school_dir, 51, "--json")
    assert done.returncode == 2 and done.seconds >= 9      # busy_timeout is 10 s
    assert "正被其他程序占用" in done.stderr
    _no_restore_advice(done.stderr)
    doc = json.loads(done.stdout)
    assert doc == {"ok": False, "error": doc["error"], "exit": 2} and "占用" in doc["error"]
    assert db_signature(db) == before and not (school_dir / "damaged").exists()


def test_a_database_locked_by_another_program_at_start_up_is_not_called_damaged(school_dir):
    db = school_dir / "tisheng.sqlite3"
    with held_lock(db, 30, "exclusive"):
        done = run_cli("teacher", "list", "--data-dir", school_dir)
    assert done.returncode == 2 and "正被其他程序占用" in done.stderr
    _no_restore_advice(done.stderr)
    assert not (school_dir / "damaged").exists()


def test_a_read_only_data_folder_is_named(school_dir):
    before = db_signature(school_dir / "tisheng.sqlite3")
    with read_only(school_dir) as folder:
        if folder is None:
            pytest.skip("cannot make a folder read-only here")
        done = _add(school_dir)
    assert done.returncode == 2 and "只读" in done.stderr, done.stderr
    _no_restore_advice(done.stderr.replace("不需要恢复", ""))
    assert db_signature(school_dir / "tisheng.sqlite3") == before
    assert not (school_dir / "damaged").exists()


def test_demo_on_a_disk_that_fills_leaves_nothing_and_can_be_run_again(tmp_path):
    """Item 8 on a real 3 MB disk: nothing half-made, no traceback, the second demo works."""
    with small_disk(tmp_path, "3m") as disk:
        if disk is None:
            pytest.skip("cannot mount a small disk here")
        root = disk / "data"
        done = run_cli("demo", "--data-dir", root)
        assert done.returncode == 2 and "磁盘已满" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and "Logging error" not in done.stderr
        _no_restore_advice(done.stderr.replace("不需要恢复", ""))
        con = sqlite3.connect(root / "tisheng.sqlite3")
        try:
            assert con.execute("SELECT count(*) FROM teacher").fetchone()[0] == 0
            assert con.execute("SELECT count(*) FROM school").fetchone()[0] == 0
        finally:
            con.close()
        assert not any((root / "store").glob("??/??/*"))
        grow_disk(disk, "60m")
        again = run_cli("demo", "--data-dir", root)
        assert again.returncode == 0, again.stderr


def test_demo_that_cannot_grow_its_database_is_all_or_nothing(tmp_path):
    """The same through the fault hook (no mount needed): the scratch school fails, the folder
    keeps no school and no evidence, and a second demo succeeds."""
    root = tmp_path / "data"
    done = run_cli("demo", "--data-dir", root, env={"TISHENG_FAULT": "db.full"})
    assert done.returncode == 2 and "磁盘已满" in done.stderr, done.stderr
    assert not any((root / "store").glob("??/??/*")) and not any((root / "tmp").iterdir())
    assert run_cli("school", "show", "--data-dir", root).returncode == 1
    again = run_cli("demo", "--data-dir", root, "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["teachers"] == 40


def test_demo_killed_after_copying_evidence_leaves_no_school(tmp_path):
    root = tmp_path / "data"
    done = run_cli("demo", "--data-dir", root, env={"TISHENG_FAULT": "demo.evidence_copied"})
    assert done.returncode < 0 or done.returncode == 137
    assert run_cli("school", "show", "--data-dir", root).returncode == 1
    assert run_cli("demo", "--data-dir", root).returncode == 0


@pytest.mark.parametrize("command", [["teacher", "list"], ["backups"], ["backup"], ["fsck"], ["restore", "--latest"]])
def test_a_data_folder_that_is_a_file_gets_a_message(tmp_path, command):
    plain = tmp_path / "not-a-folder"
    plain.write_text("x", encoding="utf-8")
    done = run_cli(*command, env={"TISHENG_DATA_DIR": str(plain)})
    assert done.returncode == 2 and "是一个文件，不是文件夹" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and plain.read_text(encoding="utf-8") == "x"


def test_a_stored_hash_that_is_not_hex_gets_the_fsck_explanation(school_dir, tmp_path):
    db = school_dir / "tisheng.sqlite3"
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA foreign_keys=OFF")
        sha = con.execute("SELECT sha256 FROM evidencefile ORDER BY id LIMIT 1").fetchone()[0]
        bad = "../../../../" + sha[12:]                    # damaged, and a path escape if trusted
        con.execute("UPDATE blob SET sha256=? WHERE sha256=?", (bad, sha))
        con.execute("UPDATE evidencefile SET sha256=? WHERE sha256=?", (bad, sha))
        con.commit()
    finally:
        con.close()
    usb = tmp_path / "usb"
    usb.mkdir()
    export = run_cli("export", usb, "--data-dir", school_dir, "--allow-incomplete")
    assert export.returncode == 2, export.stderr
    assert "缺失或损坏" in export.stderr and "tisheng fsck" in export.stderr and "校验值已损坏" in export.stderr
    fsck = run_cli("fsck", "--data-dir", school_dir)
    assert fsck.returncode == 1 and "缺失" in fsck.stdout and "Traceback" not in fsck.stderr
    assert not (school_dir / "store" / "damaged").exists()
    full = run_cli("backup", "--full", usb, "--data-dir", school_dir)
    assert full.returncode == 0 and "缺失" in full.stdout


def test_verify_writes_nothing_into_a_data_folder(tmp_path, school_dir):
    from app.services.bundle.export import Plugins, export_bundle
    from app.services.workspace import Workspace
    usb = tmp_path / "usb"
    usb.mkdir()
    with Workspace.open(school_dir) as ws:
        bag = export_bundle(ws, usb, plugins=Plugins()).path
    district = tmp_path / "district-user-data"
    done = run_cli("verify", bag, env={"TISHENG_DATA_DIR": str(district)})
    assert done.returncode == 0, done.stdout + done.stderr
    assert not district.exists()
    broken = run_cli("verify", tmp_path / "nothing-here", env={"TISHENG_DATA_DIR": str(district)})
    assert broken.returncode == 1 and not district.exists()


def test_library_warnings_do_not_reach_the_screen(school_dir, tmp_path):
    """openpyxl warns in English about a workbook without a default style; the user sees only
    our own output, the warning goes to the log."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["姓名", "性别", "身份证号"])
    wb.active.append(["王芳", None, valid_id(60)])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/styles.xml":           # as some generators write it
                data = re.sub(rb"<cellStyles.*?</cellStyles>", b"", data)
            zout.writestr(info, data)
    f = tmp_path / "名单.xlsx"
    f.write_bytes(out.getvalue())
    done = run_cli("import", "roster", f, "--dry-run", "--data-dir", school_dir)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "Warning" not in done.stdout
    # The roster is read by python-calamine now, which does not warn about styles; the same warning
    # raised by a library during the command must still go to the log, not to the screen.
    import os
    import subprocess
    import sys
    import textwrap
    script = textwrap.dedent("""
        import sys, warnings
        import app.services.excel as excel
        real = excel.import_roster
        def warned(*a, **kw):
            warnings.warn("Workbook contains no default style, apply openpyxl's default", UserWarning)
            return real(*a, **kw)
        excel.import_roster = warned
        from app.cli.main import main
        sys.exit(main(sys.argv[1:]))
    """)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    env.pop("TISHENG_FAULT", None)
    done = subprocess.run([sys.executable, "-c", script, "import", "roster", str(f), "--dry-run",
                           "--data-dir", str(school_dir)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "Warning" not in done.stdout
    assert "no default style" in (school_dir / "logs" / "tisheng.log").read_text(encoding="utf-8")


def test_json_holds_for_every_outcome(school_dir, tmp_path):
    """Item 17: a refused workbook, an unknown command, a missing argument and a wrong value each
    print one JSON object on stdout with --json, and the Chinese message on stderr."""
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.append(["姓名", "性别", "身份证号"])
    wb.active.append(["公式", "男", '=CONCATENATE("1101","05")'])
    f = tmp_path / "formulas.xlsx"
    wb.save(f)
    cases = [(["import", "roster", f, "--json"], 2, "未计算的公式"),
             (["teacher", "lst", "--json"], 2, "无效的选项"),
             (["teacher", "add", "--json"], 2, "缺少必填参数"),
             (["demo", "--teachers", "many", "--json"], 2, "不是整数"),
             (["--json", "teacher", "show", "没有这个人"], 2, "没有这个人"),
             (["verify", tmp_path / "nothing", "--json"], 1, None)]
    for argv, code, words in cases:
        done = run_cli(*argv, "--data-dir", school_dir)
        assert done.returncode == code, (argv, done.stderr)
        doc = json.loads(done.stdout)
        if words is not None:
            assert doc["ok"] is False and doc["exit"] == code and words in doc["error"], (argv, doc)
            assert words in done.stderr
        else:
            assert doc["ok"] is False
