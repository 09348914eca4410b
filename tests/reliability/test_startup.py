"""Start-up checks: integrity, newer database, network share, single instance (issue 8, part 2)."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys

import pytest

from app.errors import DatabaseTooNewError
from app.models.migrations import LATEST
from app.services import storage_kind
from app.services.backup import restore as restoring
from app.services.backup import snapshot as snapshots
from app.services.instance_lock import AlreadyRunningError, acquire_instance_lock, is_locked
from app.services.startup import DatabaseDamagedError, open_checked, recover_from_backup
from app.services.storage_kind import storage_warning
from app.services.teachers import add_teacher
from app.services.workspace import Workspace
from tests.reliability.helpers import db_signature, evidence_problems, valid_id

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="uses fork")


def test_open_checked_marks_running_and_close_backs_up_changes(school_dir):
    opened = open_checked(school_dir, drive_type=3)
    assert opened.warnings == [] and (school_dir / ".running").exists()
    assert is_locked(opened.ws.paths)
    add_teacher(opened.ws, name="新老师", id_number=valid_id(70), staff_no="N7")
    path = opened.close()
    assert path is not None and path.name.endswith("-close.sqlite3")
    assert not (school_dir / ".running").exists() and not is_locked(opened.ws.paths)
    again = open_checked(school_dir, drive_type=3)
    assert again.close() is None                 # nothing changed this time: no backup


def test_second_instance_is_refused_until_the_first_closes(school_dir):
    first = open_checked(school_dir, drive_type=3)
    with pytest.raises(AlreadyRunningError) as exc:
        open_checked(school_dir, drive_type=3)
    assert "已经在运行" in exc.value.user_message and str(os.getpid()) in exc.value.user_message
    first.close()
    open_checked(school_dir, drive_type=3).close()


@posix_only
def test_lock_dies_with_its_process(school_dir):
    paths = snapshots.paths_of(school_dir)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: hold the lock until killed
        try:
            held = acquire_instance_lock(paths)      # noqa: F841 - dropping it keeps the lock too
            del held
            os.write(w, b"1")
            signal.pause()
        finally:
            os._exit(0)
    os.close(w)
    try:
        assert os.read(r, 1) == b"1"
        assert is_locked(paths)
        with pytest.raises(AlreadyRunningError):
            acquire_instance_lock(paths)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert not is_locked(paths)
    acquire_instance_lock(paths).release()


def test_unclean_shutdown_triggers_a_full_check(school_dir):
    opened = open_checked(school_dir, drive_type=3)
    opened.ws.close()
    opened.lock.release()                         # as if the process had died: marker left behind
    again = open_checked(school_dir, drive_type=3)
    assert again.unclean_shutdown and again.full_check
    assert any("没有正常关闭" in w for w in again.warnings)
    again.close()
    third = open_checked(school_dir, drive_type=3)
    assert not third.unclean_shutdown and not third.full_check    # weekly check already done
    third.close()


def _corrupt(db, start_page=2, pages=3):
    data = bytearray(db.read_bytes())
    for off in range(start_page * 4096, min(len(data), (start_page + pages) * 4096)):
        data[off] = 0x5A
    db.write_bytes(bytes(data))


def test_damaged_database_is_not_opened_and_the_newest_good_backup_is_offered(school_dir):
    ws = Workspace.open(school_dir)
    older = snapshots.snapshot(ws.paths, "auto")
    signature = db_signature(older)
    newer = snapshots.snapshot(ws.paths, "close")
    ws.close()
    _corrupt(newer)                               # the newest backup is damaged too
    db = school_dir / "tisheng.sqlite3"
    _corrupt(db)
    damaged = db.read_bytes()
    with pytest.raises(DatabaseDamagedError) as exc:
        open_checked(school_dir, drive_type=3)
    err = exc.value
    assert err.candidate is not None and err.candidate.path == older
    assert f"{err.candidate.created:%Y-%m-%d %H:%M}" in err.user_message
    assert "之后所做的更改将会缺失" in err.user_message and "不会被覆盖" in err.user_message
    assert db.read_bytes() == damaged and not is_locked(snapshots.paths_of(school_dir))
    result = recover_from_backup(school_dir, err.candidate)
    assert result.set_aside.read_bytes() == damaged
    opened = open_checked(school_dir, drive_type=3)
    try:
        assert db_signature(opened.ws.paths.database) == signature
        assert evidence_problems(school_dir) == []
    finally:
        opened.close()


def test_damaged_database_without_any_backup(school_dir):
    _corrupt(school_dir / "tisheng.sqlite3")
    with pytest.raises(DatabaseDamagedError) as exc:
        open_checked(school_dir, drive_type=3)
    assert exc.value.candidate is None and "没有找到完好的自动备份" in exc.value.user_message


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "tisheng.sqlite3").write_bytes(b"<html>saved over the database</html>" * 10)
    with pytest.raises(DatabaseDamagedError, match="不是 SQLite"):
        open_checked(d, drive_type=3)
    assert (d / "tisheng.sqlite3").read_bytes().startswith(b"<html>")


@pytest.mark.parametrize("journal_mode", ["WAL", "DELETE"])
@pytest.mark.parametrize("opener", ["open_checked", "Workspace.open"])
def test_newer_database_stays_untouched_byte_for_byte(tmp_path, journal_mode, opener):
    ws = Workspace.open(tmp_path / "d")
    db = ws.paths.database
    ws.close()
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA journal_mode={journal_mode}")
    con.execute(f"PRAGMA user_version={LATEST + 7}")
    con.commit()
    con.close()
    before = db.read_bytes()
    files_before = sorted(p.name for p in db.parent.iterdir())
    with pytest.raises(DatabaseTooNewError) as exc:
        if opener == "open_checked":
            open_checked(tmp_path / "d", drive_type=3)
        else:
            Workspace.open(tmp_path / "d")
    assert f"数据版本 {LATEST + 7}" in exc.value.user_message
    assert db.read_bytes() == before
    assert [n for n in sorted(p.name for p in db.parent.iterdir()) if n.startswith("tisheng.sqlite3")] == \
        [n for n in files_before if n.startswith("tisheng.sqlite3")]
    assert not list((tmp_path / "d" / "backups").glob("*.sqlite3"))     # not even a backup was written


def test_network_share_and_removable_drive_warnings(tmp_path):
    assert "网络共享" in storage_warning("\\\\server\\share\\tisheng")
    assert "网络共享" in storage_warning("//server/share/tisheng")
    assert "网络共享" in storage_warning("\\\\?\\UNC\\server\\share\\tisheng")
    seen = []
    assert "网络共享" in storage_warning("Z:\\学校数据", lambda root: seen.append(root) or storage_kind.DRIVE_REMOTE)
    assert seen == ["Z:\\"]
    assert "U盘" in storage_warning("E:\\tisheng", storage_kind.DRIVE_REMOVABLE)
    assert storage_warning("C:\\Users\\x", storage_kind.DRIVE_FIXED) is None
    assert storage_warning("\\\\?\\C:\\data", lambda root: storage_kind.DRIVE_FIXED) is None
    opened = open_checked(tmp_path / "d", drive_type=storage_kind.DRIVE_REMOTE)
    try:
        assert len(opened.warnings) == 1 and "网络共享" in opened.warnings[0]
    finally:
        opened.close()


def test_linux_network_mounts_are_detected(monkeypatch, tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 / ext4 rw 0 0\n//nas/school /mnt/nas cifs rw 0 0\n", encoding="utf-8")
    real_open = open

    def fake_open(path, *a, **k):
        return real_open(mounts if path == "/proc/self/mounts" else path, *a, **k)
    monkeypatch.setattr("builtins.open", fake_open)
    assert storage_kind._posix_drive_type("/mnt/nas/tisheng") == storage_kind.DRIVE_REMOTE
    assert storage_kind._posix_drive_type("/home/x") == storage_kind.DRIVE_FIXED
    assert storage_kind._posix_drive_type("/mnt/nasx") == storage_kind.DRIVE_FIXED


def test_interrupted_restore_is_finished_at_the_next_start(school_dir, monkeypatch):
    ws = Workspace.open(school_dir)
    good = snapshots.snapshot(ws.paths, "manual")
    target = db_signature(good)
    add_teacher(ws, name="后来的", id_number=valid_id(71), staff_no="L7")
    monkeypatch.setenv("TISHENG_FAULT", "restore.before_swap:oserror:5")
    with pytest.raises(snapshots.BackupFailed, match="下次.*自动完成|再次打开数据文件夹时会自动完成"):
        restoring.restore(ws, good)
    assert (school_dir / restoring.JOURNAL).exists()
    monkeypatch.delenv("TISHENG_FAULT")
    opened = open_checked(school_dir, drive_type=3)
    try:
        assert opened.restored_pending and opened.full_check
        assert db_signature(opened.ws.paths.database) == target
        assert not (school_dir / restoring.JOURNAL).exists()
    finally:
        opened.close()


def test_stale_leftovers_are_swept_at_start(school_dir):
    old = 1_000_000_000
    stale = [school_dir / "backups" / "tisheng-20260101-000000-auto.sqlite3.tmp-1234abcd",
             school_dir / "store" / "incoming" / "deadbeef.part", school_dir / "tmp" / "export-123"]
    fresh_part = school_dir / "store" / "incoming" / "fresh.part"
    for p in stale + [fresh_part]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    for p in stale[1:]:
        os.utime(p, (old, old))
    open_checked(school_dir, drive_type=3).close()
    assert not any(p.exists() for p in stale)
    assert fresh_part.exists()                # may belong to a copy running right now elsewhere
