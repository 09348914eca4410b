"""Database and full backups, thinning, automatic backups, restore (issue 8, parts 1 and 6)."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.errors import DatabaseTooNewError
from app.models.migrations import LATEST
from app.services import faults, keys
from app.services.backup import automatic, manual, retention
from app.services.backup import restore as restoring
from app.services.backup import snapshot as snapshots
from app.services.backup.retention import Retention, obsolete
from app.services.backup.snapshot import BackupFailed
from app.services.backup.source import BackupRejected
from app.services.bundle import layout as L
from app.services.teachers import add_teacher, list_teachers
from app.services.workspace import Workspace
from tests.reliability.helpers import (db_signature, evidence_problems, integrity, store_hashes, valid_id)

NOW = datetime(2026, 11, 23, 15, 30)
OLD_FORMAT = Path(__file__).resolve().parent.parent / "fixtures" / "backup" / "tisheng-full-T2001-20261206-185702"


# ------------------------------------------------------------------ thinning (Anki's rules)

def _kept(times, now=NOW, keep=Retention()):
    gone = set(obsolete(times, lambda t: t, now, keep))
    return sorted((t for t in times if t not in gone), reverse=True)


def test_thinning_keeps_everything_from_today_and_yesterday():
    times = [NOW - timedelta(minutes=30 * i) for i in range(70)]       # back to yesterday 00:30
    assert all(t.date() >= NOW.date() - timedelta(days=1) for t in times)
    assert _kept(times) == sorted(times, reverse=True)


def test_thinning_keeps_the_newest_of_each_day_for_12_days():
    times = [datetime(2026, 11, 21 - d, h) for d in range(12) for h in (9, 13, 17)]   # 2..13 days ago
    kept = _kept(times)
    assert kept == [datetime(2026, 11, 21 - d, 17) for d in range(12)]


def test_thinning_over_two_years_of_daily_backups():
    times = [datetime(2026, 11, 23, 12) - timedelta(days=d) for d in range(730)]
    kept = _kept(times, now=datetime(2026, 11, 23, 18))
    assert len(kept) == 2 + 12 + 10 + 9
    recent, daily, weekly, monthly = kept[:2], kept[2:14], kept[14:24], kept[24:]
    assert [t.date() for t in recent] == [datetime(2026, 11, 23).date(), datetime(2026, 11, 22).date()]
    assert all((a - b).days == 1 for a, b in zip(daily, daily[1:]))
    weeks = [(t.date().toordinal() - 1) // 7 for t in weekly]
    assert len(set(weeks)) == 10 and all(a - b == 1 for a, b in zip(weeks, weeks[1:]))
    months = [(t.year, t.month) for t in monthly]
    assert len(set(months)) == 9
    assert monthly[-1] > datetime(2025, 11, 23) - timedelta(days=40)


def test_thinning_with_zero_limits_keeps_only_recent():
    times = [NOW - timedelta(days=d) for d in range(40)]
    assert _kept(times, keep=Retention(0, 0, 0)) == times[:2]


def test_thin_backups_deletes_files_by_name_and_leaves_other_files(tmp_path):
    paths = snapshots.paths_of(tmp_path / "d").ensure()
    made = []
    for d in range(60):
        p = paths.backups / snapshots.backup_name("auto", NOW - timedelta(days=d))
        p.write_bytes(b"x")
        made.append(p)
    (paths.backups / "notes.txt").write_text("keep me")
    removed = retention.thin_backups(paths, now=NOW)
    left = {p.name for p in paths.backups.iterdir()}
    assert "notes.txt" in left
    assert len(removed) == 60 - len(left - {"notes.txt"})
    assert made[0].name in left and made[1].name in left and made[13].name in left
    assert all(not p.exists() for p in removed)


# ------------------------------------------------------------------ database backups

def test_snapshot_is_a_self_contained_checked_copy(school_ws):
    path = snapshots.snapshot(school_ws.paths, "manual")
    assert snapshots.parse_backup_name(path.name)[1] == "manual"
    assert not Path(str(path) + "-wal").exists()
    with open(path, "rb") as fh:
        header = fh.read(20)
    assert header[18:20] == b"\x01\x01"                     # rollback journal, not WAL: one file
    assert integrity(path) == ["ok"]
    assert db_signature(path) == db_signature(school_ws.paths.database)
    assert [p.name for p in school_ws.paths.backups.iterdir() if ".tmp" in p.name] == []


def test_list_backups_newest_first_with_labels_and_check(school_ws):
    a = snapshots.snapshot(school_ws.paths, "before-import")
    b = school_ws.paths.backups / snapshots.backup_name("auto", datetime.now() + timedelta(seconds=5))
    shutil.copy(a, b)
    bad = school_ws.paths.backups / snapshots.backup_name("manual", datetime.now() + timedelta(seconds=9))
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    found = retention.list_backups(school_ws, check=True)
    assert [x.path for x in found] == [bad, b, a]
    assert [x.label for x in found] == ["手动备份", "自动备份", "导入前自动备份"]
    assert [x.ok for x in found] == [False, True, True]
    assert retention.newest_good_backup(school_ws).path == b


def test_backup_to_a_folder_and_to_a_file(school_ws, tmp_path):
    r = manual.make_backup(school_ws, tmp_path / "usb")
    assert r.path.parent == tmp_path / "usb" and integrity(r.path) == ["ok"]
    r2 = manual.make_backup(school_ws, tmp_path / "usb" / "学校备份.sqlite3")
    assert r2.path.name == "学校备份.sqlite3"
    with pytest.raises(BackupFailed, match="已存在"):
        manual.make_backup(school_ws, tmp_path / "usb" / "学校备份.sqlite3")


def test_backup_before_an_operation(school_ws):
    path = automatic.backup_before(school_ws, "import")
    assert path.name.endswith("-before-import.sqlite3")
    assert retention.list_backups(school_ws)[0].label == "导入前自动备份"


# ------------------------------------------------------------------ automatic backups

def test_auto_backup_only_after_changes_and_at_most_every_30_minutes(school_ws):
    automatic.track_changes(school_ws.engine)
    assert automatic.maybe_auto_backup(school_ws) is None                      # nothing changed
    add_teacher(school_ws, name="新老师", id_number=valid_id(50), staff_no="N1")
    task = automatic.maybe_auto_backup(school_ws)
    first = task.wait(30)
    assert first is not None and first.name.endswith("-auto.sqlite3") and integrity(first) == ["ok"]
    assert automatic.maybe_auto_backup(school_ws) is None                      # backed up: no change
    add_teacher(school_ws, name="又一位", id_number=valid_id(51), staff_no="N2")
    assert automatic.maybe_auto_backup(school_ws) is None                      # changed, but < 30 min
    later = automatic.maybe_auto_backup(school_ws, now=datetime.now() + timedelta(minutes=31))
    assert later.wait(30) is not None
    assert len(retention.list_backups(school_ws)) == 2


def test_backups_on_a_workspace_without_its_engine_do_not_make_it(school_dir):
    """Opened up to date, the workspace has no engine yet (the command line's roster import): the
    change check and the safety backup do not make one, and the backups still happen."""
    with Workspace.open(school_dir) as ws:
        assert not ws.engine_loaded
        assert automatic.has_changes(ws)                     # nothing counted: back up to be safe
        before = automatic.backup_before(ws, "import")
        task = automatic.maybe_auto_backup(ws, closing=True, wait=True)
        assert not ws.engine_loaded
    assert db_signature(before) == db_signature(task.path) == db_signature(school_dir / "tisheng.sqlite3")


def test_auto_backup_on_close_ignores_the_interval(school_ws):
    automatic.track_changes(school_ws.engine)
    automatic.maybe_auto_backup(school_ws, changed=True).wait(30)
    add_teacher(school_ws, name="新老师", id_number=valid_id(52), staff_no="N3")
    task = automatic.maybe_auto_backup(school_ws, closing=True)
    path = task.wait(30)
    assert path.name.endswith("-close.sqlite3")
    assert any("新老师" in str(row) for row in db_signature(path)["teacher"])
    assert automatic.maybe_auto_backup(school_ws, changed=False, closing=True) is None


def test_failed_auto_backup_is_retried(school_ws, monkeypatch):
    automatic.track_changes(school_ws.engine)
    add_teacher(school_ws, name="新老师", id_number=valid_id(53), staff_no="N4")
    faults.inject("backup.after_copy", lambda: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    task = automatic.maybe_auto_backup(school_ws)
    with pytest.raises(BackupFailed, match="磁盘空间不足"):
        task.wait(30)
    assert retention.list_backups(school_ws) == []
    assert [p for p in school_ws.paths.backups.iterdir() if ".tmp" in p.name] == []
    faults.clear()
    assert automatic.has_changes(school_ws)
    assert automatic.maybe_auto_backup(school_ws).wait(30) is not None


# ------------------------------------------------------------------ full backups

def _manifest(folder: Path) -> dict[str, str]:
    """The bag's payload manifest: {path: sha256}."""
    entries, problems = L.parse_manifest((folder / L.MANIFEST).read_bytes(), L.MANIFEST)
    assert problems == []
    return entries


def _bag_info(folder: Path) -> dict[str, str]:
    return L.parse_bag_info((folder / L.BAG_INFO).read_bytes())


def _rewrite_manifest(folder: Path, entries: dict[str, str]) -> None:
    """Change a bag's manifest as a forger would: the tag manifest made to agree with it."""
    (folder / L.MANIFEST).write_bytes(L.manifest_bytes(entries))
    tags, _ = L.parse_manifest((folder / L.TAGMANIFEST).read_bytes(), L.TAGMANIFEST)
    tags[L.MANIFEST] = hashlib.sha256((folder / L.MANIFEST).read_bytes()).hexdigest()
    (folder / L.TAGMANIFEST).write_bytes(L.manifest_bytes(tags))


def test_full_backup_holds_database_evidence_and_key(school_ws, tmp_path):
    info = keys.school_key(school_ws)
    r = manual.make_backup(school_ws, tmp_path / "usb", full=True)
    assert r.full and r.path.parent == tmp_path / "usb" and r.path.name.startswith("tisheng-full-T001-")
    assert list((tmp_path / "usb").glob("*.partial")) == []
    man = _manifest(r.path)
    assert "data/tisheng.sqlite3" in man and "data/keys/school-key.json" in man
    store = {p for p in man if p.startswith("data/store/")}
    assert len(store) == 8
    for path, sha in man.items():
        assert hashlib.sha256((r.path / path).read_bytes()).hexdigest() == sha
    bag_info = _bag_info(r.path)
    assert bag_info["Tisheng-School-Code"] == "T001" and bag_info["Tisheng-Missing-Evidence"] == "0"
    assert bag_info["Tisheng-Backup-Format"] == "2"
    assert (r.path / "README-请先阅读.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    assert info.fingerprint


def test_a_full_backup_is_a_bag_the_public_bagit_tool_validates(school_ws, tmp_path):
    import bagit
    r = manual.make_backup(school_ws, tmp_path / "usb", full=True)
    bag = bagit.Bag(str(r.path))
    bag.validate()                                   # raises BagValidationError on any problem
    payload = [p for p in (r.path / "data").rglob("*") if p.is_file()]
    assert bag.info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"
    victim = next((r.path / "data" / "store").rglob("*/*/*"))
    victim.write_bytes(victim.read_bytes() + b"x")
    assert not bagit.Bag(str(r.path)).is_valid()


def test_full_backup_resumes_after_disk_full(school_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("TISHENG_FAULT", "fullbackup.file@4:oserror:28")
    with pytest.raises(BackupFailed) as exc:
        manual.make_backup(school_ws, tmp_path / "usb", full=True)
    assert "磁盘空间不足" in exc.value.user_message and str(tmp_path / "usb") in exc.value.user_message
    assert [p.name.endswith(".partial") for p in (tmp_path / "usb").iterdir()] == [True]
    monkeypatch.delenv("TISHENG_FAULT")
    faults.reset_counts()
    r = manual.make_backup(school_ws, tmp_path / "usb", full=True)
    assert [p.name for p in (tmp_path / "usb").iterdir()] == [r.path.name]
    assert len(_manifest(r.path)) == 9


def test_full_backup_read_back_catches_a_stick_that_loses_data(school_ws, tmp_path):
    damaged = []

    def damage_last_written() -> None:
        # Once: a second call could pick the same file again (files written within one clock
        # tick share an mtime) and flip the byte back.
        if damaged:
            return
        damaged.append(True)
        partial = next((tmp_path / "usb").glob("*.partial"))
        victim = max((p for p in partial.rglob("*") if p.is_file()), key=lambda p: p.stat().st_mtime_ns)
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    faults.inject("fullbackup.file", damage_last_written)
    with pytest.raises(BackupFailed, match="回读校验失败"):
        manual.make_backup(school_ws, tmp_path / "usb", full=True)
    assert not [p for p in (tmp_path / "usb").iterdir() if not p.name.endswith(".partial")]


def test_full_backup_refuses_when_the_stick_is_too_small(school_ws, tmp_path, monkeypatch):
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda p: real(p)._replace(free=1000) if "usb" in str(p) else real(p))
    with pytest.raises(BackupFailed, match="剩余空间"):
        manual.make_backup(school_ws, tmp_path / "usb", full=True)
    assert list((tmp_path / "usb").iterdir()) == []


def test_full_backup_lists_evidence_missing_from_the_store(school_ws, tmp_path):
    sha = sorted(school_ws.store.all_hashes())[0]
    school_ws.store.remove(sha)
    r = manual.make_backup(school_ws, tmp_path / "usb", full=True)
    assert len(r.missing) == 1 and sha[:12] in r.missing[0]
    assert (r.path / "tisheng-missing.txt").read_text(encoding="utf-8").split() == [sha]
    assert _bag_info(r.path)["Tisheng-Missing-Evidence"] == "1"


# ------------------------------------------------------------------ restore

def test_restore_database_backup_backs_up_first_and_records_it(school_dir):
    ws = Workspace.open(school_dir)
    backup = snapshots.snapshot(ws.paths, "manual")
    before_sig = db_signature(ws.paths.database)
    add_teacher(ws, name="后来的", id_number=valid_id(60), staff_no="L1")
    result = restoring.restore(ws, backup)
    ws = Workspace.open(school_dir)
    try:
        assert db_signature(ws.paths.database) == before_sig
        assert "后来的" not in [t.name for t in list_teachers(ws)]
        assert result.before_backup is not None and result.before_backup.exists()
        assert any("后来的" in str(r) for r in db_signature(result.before_backup)["teacher"])
        assert "之后所做的更改不在此备份中" in result.message
        con = sqlite3.connect(ws.paths.database)
        assert con.execute("SELECT count(*) FROM auditentry WHERE action='restore'").fetchone()[0] == 1
        con.close()
    finally:
        ws.close()
    assert not (school_dir / restoring.JOURNAL).exists()
    assert list((school_dir / "tmp").iterdir()) == []


@pytest.mark.parametrize("as_zip", [False, True])
def test_full_backup_restored_on_another_path_is_identical(school_ws, tmp_path, as_zip):
    keys.school_key(school_ws)
    r = manual.make_backup(school_ws, tmp_path / "usb", full=True)
    source = r.path
    if as_zip:
        source = Path(shutil.make_archive(str(tmp_path / "stick" / "备份"), "zip", r.path.parent, r.path.name))
    fresh = tmp_path / "新电脑" / "数据"
    result = restoring.restore(fresh, source)
    assert result.evidence_copied == 8 and result.missing == () and result.key_restored
    assert db_signature(fresh / "tisheng.sqlite3") == db_signature(school_ws.paths.database)
    assert store_hashes(fresh) == store_hashes(school_ws.paths.root)
    assert evidence_problems(fresh) == []
    assert (fresh / "keys" / "school-key.json").read_bytes() == \
        (school_ws.paths.keys / "school-key.json").read_bytes()
    with Workspace.open(fresh) as ws2:
        assert keys.school_key(ws2).fingerprint == keys.school_key(school_ws).fingerprint


def test_restoring_a_full_backup_retires_a_different_key(school_ws, tmp_path):
    keys.school_key(school_ws)
    r = manual.make_backup(school_ws, tmp_path / "usb", full=True)
    other = tmp_path / "other"
    with Workspace.open(other) as ws2:
        old_fp = keys.school_key(ws2).fingerprint
        old_bytes = (ws2.paths.keys / "school-key.json").read_bytes()
    restoring.restore(other, r.path)
    retired = list((other / "keys" / "retired").iterdir())
    assert [p.read_bytes() for p in retired] == [old_bytes]
    with Workspace.open(other) as ws2:
        assert keys.school_key(ws2).fingerprint != old_fp


def _corrupt_page(db: Path) -> None:
    data = bytearray(db.read_bytes())
    page = 4096
    for off in range(2 * page, min(len(data), 6 * page)):
        data[off] = 0xA5
    db.write_bytes(bytes(data))


def test_restore_over_a_damaged_database_sets_it_aside(school_dir):
    ws = Workspace.open(school_dir)
    good = snapshots.snapshot(ws.paths, "auto")
    ws.close()
    db = school_dir / "tisheng.sqlite3"
    _corrupt_page(db)
    damaged_bytes = db.read_bytes()
    result = restoring.restore(school_dir, good)
    assert result.set_aside is not None and result.set_aside.read_bytes() == damaged_bytes
    assert result.before_backup is None
    assert integrity(db) == ["ok"] and evidence_problems(school_dir) == []


def _unchanged(folder: Path):
    db = folder / "tisheng.sqlite3"
    return db.read_bytes(), sorted(str(p.relative_to(folder)) for p in (folder / "store").rglob("*")), \
        sorted(p.name for p in (folder / "backups").iterdir())


def _bad_sources(tmp, school_ws):
    out = {}
    good = snapshots.snapshot(school_ws.paths, "manual")
    newer = tmp / "newer.sqlite3"
    shutil.copy(good, newer)
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version={LATEST + 1}")
    con.commit()
    con.close()
    out["newer"] = (newer, DatabaseTooNewError, "更新版本")
    out["empty"] = (tmp / "empty.sqlite3", BackupRejected, "空文件")
    out["empty"][0].write_bytes(b"")
    trunc = tmp / "truncated.sqlite3"
    trunc.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    out["truncated"] = (trunc, BackupRejected, "已损坏")
    flipped = tmp / "flipped.sqlite3"
    shutil.copy(good, flipped)
    _corrupt_page(flipped)
    out["corrupt page"] = (flipped, BackupRejected, "已损坏")
    text = tmp / "notes.sqlite3"
    text.write_text("这不是数据库", encoding="utf-8")
    out["not sqlite"] = (text, BackupRejected, "不是本软件的备份")
    foreign = tmp / "other-app.sqlite3"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    out["foreign"] = (foreign, BackupRejected, "不是本软件的数据文件")
    full = manual.make_backup(school_ws, tmp / "usb", full=True).path
    partial = tmp / "usb2" / (full.name + ".partial")
    shutil.copytree(full, partial)
    out["partial"] = (partial, BackupRejected, "没有写完")
    tampered = tmp / "usb3" / full.name
    shutil.copytree(full, tampered)
    victim = next(tampered.glob("data/store/*/*/*"))
    data = bytearray(victim.read_bytes())
    data[0] ^= 1
    victim.write_bytes(bytes(data))
    out["tampered evidence"] = (tampered, BackupRejected, "校验值与清单不符")   # for a folder lacking it
    escape = tmp / "usb4" / full.name
    shutil.copytree(full, escape)
    (escape / "data" / "evil.txt").write_bytes(b"x")
    _rewrite_manifest(escape, {**_manifest(escape), "data/keys/../../evil.txt": hashlib.sha256(b"x").hexdigest()})
    out["path escape"] = (escape, BackupRejected, "不安全")
    edited = tmp / "usb5" / full.name
    shutil.copytree(full, edited)
    (edited / L.MANIFEST).write_bytes((edited / L.MANIFEST).read_bytes() + b"0" * 64 + b"  data/keys/x\n")
    out["manifest edited"] = (edited, BackupRejected, "被改动")
    old = tmp / "usb6" / OLD_FORMAT.name
    shutil.copytree(OLD_FORMAT, old)
    man = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    man["files"].append({"path": "keys/../../evil.txt", "sha256": "0" * 64, "size": 1})
    (old / "manifest.json").write_text(json.dumps(man), encoding="utf-8")
    out["path escape (format 1)"] = (old, BackupRejected, "不安全")
    return out


def test_bad_backups_are_refused_and_change_nothing(school_ws, tmp_path):
    cases = _bad_sources(tmp_path, school_ws)
    root = school_ws.paths.root
    school_ws.close()
    for name, (source, error, words) in cases.items():
        if name != "tampered evidence":             # this folder already has the good copy of it
            before = _unchanged(root)
            with pytest.raises(error) as exc:
                restoring.restore(root, source)
            assert words in exc.value.user_message, (name, exc.value.user_message)
            assert _unchanged(root) == before, name
            assert list((root / "tmp").iterdir()) == [], name
        fresh = tmp_path / "fresh" / name              # a new PC: nothing there to fall back on
        with pytest.raises(error) as exc:
            restoring.restore(fresh, source)
        assert words in exc.value.user_message, (name, exc.value.user_message)
        assert not (fresh / "tisheng.sqlite3").exists(), name
        assert [p for p in (fresh / "store").rglob("*") if p.is_file()] == [], name
        assert list((fresh / "tmp").iterdir()) == [], name
