"""Backups of a school's data: database snapshots, thinning, automatic and full backups.

Database backups use SQLite's online backup API in one step (consistent even in
WAL mode and while the app writes), are written as `<name>.tmp-…`, checked with
quick_check, switched to rollback-journal mode (a single self-contained file),
fsynced and only then renamed into `<data>/backups/tisheng-YYYYmmdd-HHMMSS-<reason>.sqlite3`.

Automatic backups follow Anki (rslib/src/collection/backup.rs): only after
changes, at most every 30 minutes while the app runs and once more when it
closes, written on a background thread, then thinned: everything from today and
yesterday, then the newest of each of 12 days, 10 weeks and 9 months.

A full backup (`make_backup(ws, dest, full=True)`) is a folder a school can
carry to a new PC on a USB stick: the database snapshot, every evidence file the
snapshot refers to, the key folder and a manifest.json with SHA-256 and sizes.
It is written under `<name>.partial/`, read back in full, and renamed last, so a
pulled stick leaves a `.partial` folder that restore refuses and the next full
backup resumes.

Restoring (`restore()`, at the end of this module) stages everything inside the
data folder, backs up the current database, then commits through a small
journal file that `integrity.finish_pending_restore()` rolls forward at the next
start if the process dies half way.

Public API (for the GUI's 备份与恢复 dialog; no Qt here):
  list_backups(target, check=False) -> list[BackupInfo]
  make_backup(target, dest=None, *, full=False, reason="manual", progress) -> BackupResult
  maybe_auto_backup(ws, changed=None, *, closing=False, wait=False) -> BackupTask | None
  backup_before(target, reason) -> Path | None        (before import / export / migration)
  restore(target, source, *, progress) -> RestoreResult
  inspect_backup(source) -> BackupSourceInfo           (what a file/folder/zip holds)
  newest_good_backup(target) -> BackupInfo | None
`target` is a Workspace, DataPaths or a data-folder path.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sqlite3
import threading
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from app import __version__
from app.errors import AppError, DatabaseTooNewError, StorageError
from app.paths import DataPaths, data_paths
from app.services import faults
from app.services.fileio import (copy_verified, describe_os_error, fsync_dir, os_errors, remove_tree,
                                 replace_with_retry, sha256_file)
from app.services.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)

AUTO_INTERVAL = timedelta(minutes=30)
NAME_RE = re.compile(r"^tisheng-(\d{8})-(\d{6})-([A-Za-z0-9][A-Za-z0-9.\-]*)\.sqlite3$")
FULL_PREFIX = "tisheng-full-"
FULL_FORMAT = "tisheng-full-backup"
MANIFEST = "manifest.json"
README_NAME = "README-请先阅读.txt"
REASON_LABELS = {"auto": "自动备份", "close": "关闭时自动备份", "manual": "手动备份",
                 "before-import": "导入前自动备份", "before-export": "导出前自动备份",
                 "before-restore": "恢复前自动备份", "before-fsck": "修复前自动备份"}
T = TypeVar("T")


class BackupFailed(StorageError):
    """A backup could not be written; the data folder is unchanged."""


@dataclass(frozen=True)
class Retention:
    daily: int = 12
    weekly: int = 10
    monthly: int = 9


@dataclass(frozen=True)
class BackupInfo:
    """One database backup in a backups folder (newest first in lists)."""

    path: Path
    created: datetime
    reason: str
    size: int
    ok: bool | None = None          # None: not checked; False: fails integrity_check
    problem: str = ""

    @property
    def label(self) -> str:
        base = re.sub(r"-\d+$", "", self.reason)
        if base.startswith("before-v"):
            return "升级数据版本前自动备份"
        return REASON_LABELS.get(base, base)

    @property
    def automatic(self) -> bool:
        return not self.reason.startswith("manual")

    def to_dict(self) -> dict:
        return {"file": str(self.path), "name": self.path.name, "created": self.created.isoformat(),
                "reason": self.reason, "label": self.label, "size": self.size, "ok": self.ok,
                "problem": self.problem}


@dataclass(frozen=True)
class BackupResult:
    path: Path
    full: bool
    files: int = 1                  # files written (database + evidence + keys)
    bytes: int = 0
    missing: tuple[str, ...] = ()   # evidence the database names but the store lacks (described)
    removed: tuple[Path, ...] = ()  # old automatic backups thinned away

    def to_dict(self) -> dict:
        return {"path": str(self.path), "full": self.full, "files": self.files, "bytes": self.bytes,
                "missing": list(self.missing), "removed": [str(p) for p in self.removed]}


def _paths(target) -> DataPaths:
    if isinstance(target, DataPaths):
        return target
    if hasattr(target, "paths"):
        return target.paths
    return data_paths(target)


# ------------------------------------------------------------------ snapshots

_write_lock = threading.RLock()        # one backup writer at a time in this process


def describe_database_error(exc: BaseException) -> str:
    """SQLite's English error text as a short Chinese cause; the original goes to the log."""
    text = str(exc)
    log.info("database unreadable: %s: %s", type(exc).__name__, text)
    if isinstance(exc, UnicodeDecodeError) or "decode to UTF-8" in text:
        return "数据库中有无法识别的字节，文件已损坏"
    m = re.match(r"malformed database schema \(([^)]*)\)", text)
    if m:
        return f"数据库结构定义已损坏（表“{m.group(1)[:40]}”）"
    if "malformed" in text:
        return "数据库文件内部结构已损坏"
    if "not a database" in text or "encrypted" in text:
        return "文件内容不是可读取的数据库（可能被覆盖或加密）"
    if "locked" in text or "busy" in text:
        return "数据库正被其他程序占用"
    if "unable to open" in text:
        return "无法打开数据库文件"
    if "disk I/O" in text:
        return "读取磁盘出错"
    return "数据库文件无法读取"


def describe_check_rows(rows: Sequence[str]) -> str:
    """The result of PRAGMA integrity_check/quick_check that is not "ok", in Chinese (details logged)."""
    log.info("integrity check failed: %s", "; ".join(rows[:5]))
    problems = [r for r in rows if not r.startswith("*** in database")]
    return f"完整性检查未通过，发现 {len(problems) or len(rows)}{'+' if len(rows) >= 100 else ''} 处内部结构错误"


def _sqlite_error(exc: sqlite3.Error, path: Path) -> BackupFailed:
    return BackupFailed(f"读取数据库“{path}”失败（{describe_database_error(exc)}），备份未完成。数据文件可能已损坏，"
                        "请运行“tisheng fsck”检查。")


def snapshot_database(db_file: Path, dest: Path, *, check: str = "quick_check") -> Path:
    """Copy a live database to dest: backup API, self-check, journal_mode=DELETE, fsync, rename."""
    dest = Path(dest)
    tmp = dest.with_name(f"{dest.name}.tmp-{uuid.uuid4().hex[:8]}")
    with _write_lock:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
                try:
                    out = sqlite3.connect(tmp)
                    try:
                        src.backup(out)            # pages=-1: one step, one consistent snapshot
                        out.execute("PRAGMA journal_mode=DELETE")
                        result = out.execute(f"PRAGMA {check}").fetchone()[0]
                        out.commit()
                    finally:
                        out.close()
                finally:
                    src.close()
            except sqlite3.OperationalError as exc:
                if isinstance(exc.__context__, OSError):
                    raise BackupFailed(describe_os_error(exc.__context__, dest)) from exc
                if "disk" in str(exc) or "full" in str(exc) or "unable to open" in str(exc):
                    raise BackupFailed(f"写入备份“{dest}”失败：磁盘可能已满、只读或已拔出。") from exc
                raise _sqlite_error(exc, db_file) from exc
            except sqlite3.Error as exc:
                raise _sqlite_error(exc, db_file) from exc
            if result != "ok":
                raise BackupFailed(f"备份“{dest.name}”自检失败（{describe_check_rows([result])}）。数据库可能已损坏，"
                                   "请运行“tisheng fsck”检查。")
            faults.hit("backup.after_copy")
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            replace_with_retry(tmp, dest)
            fsync_dir(dest.parent)
            faults.hit("backup.after_rename")
        except OSError as exc:
            raise BackupFailed(describe_os_error(exc, dest) + "备份未完成。") from exc
        finally:
            for p in (tmp, tmp.with_name(tmp.name + "-journal")):
                try:
                    p.unlink(missing_ok=True)
                except OSError:
                    pass
    return dest


def backup_name(reason: str, when: datetime | None = None) -> str:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"tisheng-{stamp}-{reason}.sqlite3"


def _unused(folder: Path, reason: str, when: datetime | None = None) -> Path:
    dest = folder / backup_name(reason, when)
    n = 1
    while dest.exists():
        n += 1
        dest = folder / backup_name(f"{reason}-{n}", when)
    return dest


def snapshot(paths: DataPaths, reason: str) -> Path:
    """Back up the school's database into its backups folder; returns the file."""
    with _write_lock:
        dest = _unused(paths.backups, reason)
        return snapshot_database(paths.database, dest)


def backup_before(target, reason: str) -> Path | None:
    """A synchronous safety backup before an import, export, migration or restore.

    Returns None when there is nothing to back up yet (a brand-new data folder).
    Raises BackupFailed when the backup cannot be written: the caller should not
    go ahead with the operation then.
    """
    paths = _paths(target)
    if not paths.database.exists() or paths.database.stat().st_size == 0:
        return None
    path = snapshot(paths, reason if reason.startswith("before-") else f"before-{reason}")
    _reset_change_marker(target)
    try:
        thin_backups(paths)
    except OSError as exc:  # thinning is housekeeping; never fail the operation for it
        log.warning("could not thin backups: %s", exc)
    return path


# ------------------------------------------------------------------ listing and thinning

def parse_backup_name(name: str) -> tuple[datetime, str] | None:
    m = NAME_RE.match(name)
    if not m:
        return None
    try:
        return datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S"), m.group(3)
    except ValueError:
        return None


def list_backups(target, *, check: bool = False, folder: Path | None = None) -> list[BackupInfo]:
    """Database backups in the backups folder (or `folder`), newest first.

    check=True runs integrity_check on each (read-only, the file is not changed).
    """
    folder = Path(folder) if folder is not None else _paths(target).backups
    out = []
    if not folder.is_dir():
        return out
    for p in folder.iterdir():
        parsed = parse_backup_name(p.name)
        if parsed is None or not p.is_file():
            continue
        try:
            size = p.stat().st_size
        except OSError:
            continue
        info = BackupInfo(p, parsed[0], parsed[1], size)
        if check:
            ok, problem = verify_backup_file(p)
            info = BackupInfo(p, parsed[0], parsed[1], size, ok, problem)
        out.append(info)
    out.sort(key=lambda b: (b.created, b.path.name), reverse=True)
    return out


def verify_backup_file(path: Path) -> tuple[bool, str]:
    """integrity_check on a backup file without writing anything next to it."""
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return False, "不是 SQLite 数据库文件"
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                return False, describe_check_rows(rows)
            if con.execute("SELECT count(*) FROM sqlite_master WHERE name='teacher'").fetchone()[0] != 1:
                return False, "不是本软件的数据文件"
        finally:
            con.close()
    except OSError as exc:
        return False, describe_os_error(exc, path)
    except (sqlite3.Error, UnicodeDecodeError) as exc:   # damaged schema text may not be UTF-8
        return False, describe_database_error(exc)
    return True, ""


def newest_good_backup(target, *, folder: Path | None = None) -> BackupInfo | None:
    """The newest backup that passes integrity_check (checked newest first, stops at the first)."""
    for b in list_backups(target, folder=folder):
        ok, problem = verify_backup_file(b.path)
        if ok:
            return BackupInfo(b.path, b.created, b.reason, b.size, True, "")
        log.warning("backup %s fails its check: %s", b.path.name, problem)
    return None


def obsolete(items: Sequence[T], when: Callable[[T], datetime], now: datetime,
             keep: Retention = Retention()) -> list[T]:
    """Anki's thinning: which items to delete. Newest first: today and yesterday all kept,
    then the newest of each day (keep.daily days), week (keep.weekly), month (keep.monthly)."""
    yesterday = now.date().toordinal() - 1
    big = 1 << 62
    last_day = last_week = last_month = big
    daily, weekly, monthly = keep.daily, keep.weekly, keep.monthly
    out = []
    for item in sorted(items, key=when, reverse=True):
        t = when(item)
        day = t.date().toordinal()
        week = (day - 1) // 7                      # ordinal 1 is a Monday: ISO weeks
        month = t.year * 12 + t.month - 1
        if day >= yesterday:
            stage = "recent"
        elif daily > 0:
            stage = "daily" if day < last_day else None
        elif weekly > 0:
            stage = "weekly" if week < last_week else None
        elif monthly > 0:
            stage = "monthly" if month < last_month else None
        else:
            stage = None
        if stage is None:
            out.append(item)
            continue
        last_day, last_week, last_month = day, week, month
        if stage == "daily":
            daily -= 1
        elif stage == "weekly":
            weekly -= 1
        elif stage == "monthly":
            monthly -= 1
    return out


def thin_backups(target, now: datetime | None = None, keep: Retention = Retention()) -> list[Path]:
    """Delete backups the retention rules no longer keep; returns what was removed."""
    backups = list_backups(target)
    removed = []
    for b in obsolete(backups, lambda b: b.created, now or datetime.now(), keep):
        try:
            b.path.unlink()
            removed.append(b.path)
        except OSError as exc:
            log.warning("could not remove old backup %s: %s", b.path, exc)
    return removed


def sweep_stale_backup_files(target) -> int:
    """Remove `*.tmp-*` leftovers of backups killed half way (call at start, under the lock)."""
    n = 0
    folder = _paths(target).backups
    if folder.is_dir():
        for p in folder.iterdir():
            if ".tmp-" in p.name or p.name.endswith(".tmp"):
                try:
                    p.unlink()
                    n += 1
                except OSError:
                    pass
    return n


# ------------------------------------------------------------------ automatic backups

class _ChangeCounter:
    def __init__(self) -> None:
        self.commits = 0
        self.backed_up = 0


_counters: "weakref.WeakKeyDictionary[object, _ChangeCounter]" = weakref.WeakKeyDictionary()


def track_changes(engine) -> None:
    """Count commits on this engine, so maybe_auto_backup(changed=None) knows if anything changed."""
    if engine in _counters:
        return
    from sqlalchemy import event
    counter = _counters[engine] = _ChangeCounter()

    def _on_commit(_conn) -> None:
        counter.commits += 1

    event.listen(engine, "commit", _on_commit)


def _counter(target) -> _ChangeCounter | None:
    engine = getattr(target, "engine", None)
    return _counters.get(engine) if engine is not None else None


def has_changes(ws) -> bool:
    """True if anything was committed since the last backup (True when not tracked)."""
    counter = _counter(ws)
    return counter is None or counter.commits != counter.backed_up


def _reset_change_marker(target) -> int | None:
    counter = _counter(target)
    if counter is None:
        return None
    counter.backed_up = counter.commits
    return counter.commits


class BackupTask:
    """A backup running on a background thread. wait() returns its file or raises its error."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self.path: Path | None = None
        self.removed: list[Path] = []
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> Path | None:
        if not self._done.wait(timeout):
            return None
        if self.error is not None:
            raise self.error
        return self.path


def _newest_backup_time(paths: DataPaths) -> datetime | None:
    found = list_backups(paths)
    return found[0].created if found else None


def maybe_auto_backup(ws, changed: bool | None = None, *, closing: bool = False, wait: bool = False,
                      now: datetime | None = None) -> BackupTask | None:
    """Call every few minutes while the app runs (closing=False) and once on close (closing=True).

    Backs up only if something changed (changed=None: detected from the commits seen since the
    last backup), and while running at most once per 30 minutes. The copy is written on a
    background (non-daemon) thread, so closing the window never loses it; `wait=True` or
    `task.wait()` blocks until it is on disk. Returns None when no backup was needed.
    """
    paths = _paths(ws)
    if changed is None:
        changed = has_changes(ws)
    if not changed or not paths.database.exists():
        return None
    now = now or datetime.now()
    if not closing:
        newest = _newest_backup_time(paths)
        if newest is not None and timedelta(0) <= now - newest < AUTO_INTERVAL:
            return None
    marker = _reset_change_marker(ws)
    task = BackupTask()
    reason = "close" if closing else "auto"

    def run() -> None:
        try:
            task.path = snapshot(paths, reason)
            task.removed = thin_backups(paths, now)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            task.error = exc
            counter = _counter(ws)
            if counter is not None and marker is not None and counter.backed_up == marker:
                counter.backed_up = -1          # failed: the next call tries again
            log.error("automatic backup failed: %s", getattr(exc, "user_message", exc))
        finally:
            task._done.set()

    if wait:
        run()
    else:
        threading.Thread(target=run, name="tisheng-auto-backup", daemon=False).start()
    return task


# ------------------------------------------------------------------ full backups

def _safe_code(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-]", "", code or "")[:16]


def _school_of(db: Path) -> dict:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT name, code FROM school LIMIT 1").fetchone()
            version = con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return {}
    return {"name": row[0], "code": row[1], "schema_version": version} if row else \
        {"schema_version": version}


def referenced_blobs(db: Path) -> dict[str, list[str]]:
    """sha256 -> descriptions of the rows that use it, read from a database file (read-only).

    Blobs no row uses map to an empty list."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out: dict[str, list[str]] = {}
        queries = [
            ("SELECT e.sha256, t.name, e.point_code, e.original_name FROM evidencefile e "
             "LEFT JOIN teacher t ON t.id = e.teacher_id", "教师{1}的证据（{2}）“{3}”"),
            ("SELECT sha256, kind, title, original_name FROM plandocument WHERE sha256 IS NOT NULL",
             "方案文档“{2}”的附件“{3}”"),
            ("SELECT f.sha256, a.title, a.on_date, f.original_name FROM activityfile f "
             "LEFT JOIN trainingactivity a ON a.id = f.activity_id", "培训活动“{1}”（{2}）的附件“{3}”"),
        ]
        for sql, text in queries:
            for row in con.execute(sql):
                out.setdefault(row[0], []).append(text.format(*[v if v is not None else "" for v in row]))
        for (sha,) in con.execute("SELECT sha256 FROM blob"):
            out.setdefault(sha, [])
        return out
    finally:
        con.close()


def _readme(name: str, school: dict, files: int, size: int) -> bytes:
    text = (f"提升工程2.0 整校推进助手：完整备份 {name}\r\n\r\n"
            f"学校：{school.get('name', '')}（{school.get('code', '')}）\r\n"
            f"内容：数据库、{files - 1} 个证据及密钥文件，共 {size / 1024 / 1024:.1f} MB。\r\n\r\n"
            "在新电脑上恢复：安装本软件后，运行\r\n"
            f"    tisheng restore <这个文件夹的路径>\r\n"
            "或在软件的“备份与恢复”中选择本文件夹。请不要修改或删除本文件夹中的任何文件；"
            "manifest.json 记录了每个文件的校验值，恢复时会逐一核对。\r\n"
            "本备份含有教师个人信息和学校签名密钥，请妥善保管U盘。\r\n")
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


def _check_room(dest: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(dest).free
    except OSError as exc:
        raise BackupFailed(describe_os_error(exc, dest)) from exc
    if free < needed * 1.05 + 1024 * 1024:
        raise BackupFailed(f"“{dest}”剩余空间 {free / 1024 ** 2:.0f} MB，完整备份需要约 "
                           f"{needed * 1.05 / 1024 ** 2:.0f} MB。请换一个更大的U盘或清理空间后重试。")


def _probe_writable(folder: Path) -> None:
    probe = folder / f".tisheng-probe-{uuid.uuid4().hex[:8]}"
    with os_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(".tisheng-probe-*"):      # left by a run that was killed
            try:
                old.unlink()
            except OSError:
                pass
        with open(probe, "wb") as fh:
            fh.write(b"ok")
        probe.unlink()


def _full_backup(paths: DataPaths, dest: Path, progress: Progress) -> BackupResult:
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise BackupFailed(f"“{dest}”是文件。完整备份需要一个文件夹（例如U盘的盘符 E:\\）。")
    _probe_writable(dest)
    when = datetime.now()
    staging_db = paths.tmp / f"fullbackup-{uuid.uuid4().hex[:8]}.sqlite3"
    try:
        progress.report(0, 1, "正在备份数据库…", force=True)
        snapshot_database(paths.database, staging_db, check="integrity_check")
        school = _school_of(staging_db)
        code = _safe_code(school.get("code", ""))
        base = f"{FULL_PREFIX}{code + '-' if code else ''}{when:%Y%m%d-%H%M%S}"
        name, n = base, 1
        while (dest / name).exists() or (dest / (name + ".partial")).exists():
            n += 1
            name = f"{base}-{n}"
        refs = referenced_blobs(staging_db)
        store_root = paths.store
        plan: list[tuple[str, Path, str | None]] = []   # (relative path, source, expected sha)
        missing = []
        for sha in sorted(refs):
            damaged = not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha))
            src = store_root / "missing" if damaged else store_root / sha[:2] / sha[2:4] / sha
            if not damaged and src.is_file():
                plan.append((f"store/{sha[:2]}/{sha[2:4]}/{sha}", src, sha))
            else:
                missing.append(sha)
        if paths.keys.is_dir():
            for p in sorted(paths.keys.rglob("*")):
                if p.is_file() and ".tmp" not in p.name:
                    plan.append(("keys/" + p.relative_to(paths.keys).as_posix(), p, None))
        total = staging_db.stat().st_size + sum(p.stat().st_size for _r, p, _s in plan)
        # a stale .partial of an earlier run is resumed (its good files are kept)
        stale = sorted(dest.glob(FULL_PREFIX + "*.partial"))
        partial = dest / (name + ".partial")
        reusable = 0
        if stale:
            with os_errors(partial):
                os.replace(stale[-1], partial)
            for extra in stale[:-1]:
                remove_tree(extra)
            for rel, src, _sha in plan:
                t = partial / rel
                if t.is_file() and t.stat().st_size == src.stat().st_size:
                    reusable += t.stat().st_size
        _check_room(dest, total - reusable)
        with os_errors(partial):
            partial.mkdir(parents=True, exist_ok=True)
        entries = []
        done = 0
        work = 2 * total

        def on_bytes(k: int) -> None:
            nonlocal done
            done += k
            progress.report(min(done, work - 1), work, current)

        current = "正在写入数据库…"
        db_sha, db_size = copy_verified(staging_db, partial / "tisheng.sqlite3", None, on_bytes)
        entries.append({"path": "tisheng.sqlite3", "sha256": db_sha, "size": db_size})
        faults.hit("fullbackup.db")
        for rel, src, sha in plan:
            current = f"正在写入 {rel}"
            target = partial / rel
            if sha is not None and target.is_file() and target.stat().st_size == src.stat().st_size:
                on_bytes(target.stat().st_size)     # resumed; checked in the read-back below
                entries.append({"path": rel, "sha256": sha, "size": target.stat().st_size})
                continue
            try:
                got, size = copy_verified(src, target, sha, on_bytes)
            except StorageError:
                if sha is not None and not src.exists():   # removed from the store meanwhile
                    missing.append(sha)
                    continue
                raise
            entries.append({"path": rel, "sha256": got, "size": size})
            faults.hit("fullbackup.file")
        # read everything back from the stick: catches fake-capacity sticks and bad sectors
        for e in entries:
            current = f"正在回读校验 {e['path']}"
            target = partial / e["path"]
            with os_errors(target):
                got = sha256_file(target)
            if got != e["sha256"]:
                target.unlink(missing_ok=True)
                raise BackupFailed(f"回读校验失败：“{target}”与写入的内容不一致。U盘可能已损坏或是扩容盘，"
                                   "完整备份未完成，请换一个U盘重试。")
            on_bytes(e["size"])
        faults.hit("fullbackup.readback")
        manifest = {"format": FULL_FORMAT, "version": 1, "name": name,
                    "created": when.astimezone().isoformat(timespec="seconds"),
                    "app_version": __version__, "school": school,
                    "files": entries, "missing": sorted(set(missing))}
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        from app.services.fileio import atomic_write_bytes
        atomic_write_bytes(partial / README_NAME, _readme(name, school, len(entries), total))
        atomic_write_bytes(partial / MANIFEST, data)
        faults.hit("fullbackup.manifest")
        final = dest / name
        with os_errors(final):
            replace_with_retry(partial, final)
            fsync_dir(dest)
        faults.hit("fullbackup.rename")
        progress.report(work, work, "完整备份完成", force=True)
        described = tuple(f"{'；'.join(refs.get(s) or ['未被记录引用的文件'])}（{s[:12]}…）"
                          for s in sorted(set(missing)))
        return BackupResult(final, True, len(entries), total, described)
    finally:
        staging_db.unlink(missing_ok=True)


def make_backup(target, dest: str | os.PathLike | None = None, *, full: bool = False,
                reason: str = "manual", progress: Progress = NO_PROGRESS) -> BackupResult:
    """A backup the user asked for.

    - dest None: a database backup into the data folder's backups folder (then thinned);
    - dest a folder (e.g. a USB stick): a database backup file written there;
    - dest ending in .sqlite3/.db: that file (must not exist yet);
    - full=True: a full backup folder under dest (database, evidence, keys, manifest).
    Raises BackupFailed (disk full, read-only, pulled stick, damaged database) with the file named;
    nothing half-written is left under a final name.
    """
    paths = _paths(target)
    if not paths.database.exists():
        raise BackupFailed(f"数据文件夹“{paths.root}”中还没有数据，无需备份。")
    try:
        return _make_backup(target, paths, dest, full, reason, progress)
    except OSError as exc:                       # a fault point or the stick pulled between steps
        raise BackupFailed(describe_os_error(exc, dest or paths.backups) + "备份未完成，请排除问题后重试。") from exc


def _make_backup(target, paths: DataPaths, dest, full: bool, reason: str, progress: Progress) -> BackupResult:
    if full:
        if dest is None:
            raise BackupFailed("完整备份需要指定保存位置（例如U盘的盘符 E:\\）。")
        with _write_lock:
            return _full_backup(paths, Path(dest), progress)
    if dest is None:
        path = snapshot(paths, reason)
        _reset_change_marker(target)
        removed = thin_backups(paths)
        return BackupResult(path, False, 1, path.stat().st_size, removed=tuple(removed))
    dest = Path(dest).expanduser()
    if dest.suffix.lower() in (".sqlite3", ".db", ".sqlite"):
        if dest.exists():
            raise BackupFailed(f"“{dest}”已存在。为避免覆盖，请换一个文件名。")
        _probe_writable(dest.parent)
        path = snapshot_database(paths.database, dest)
    else:
        if dest.exists() and not dest.is_dir():
            raise BackupFailed(f"“{dest}”已存在且不是文件夹。")
        _probe_writable(dest)
        with _write_lock:
            path = snapshot_database(paths.database, _unused(dest, reason))
    return BackupResult(path, False, 1, path.stat().st_size)


# ------------------------------------------------------------------ reading a backup

STORE_RE = re.compile(r"^store/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")
KEY_RE = re.compile(r"^keys/(?:retired/)?[A-Za-z0-9][A-Za-z0-9._\-]{0,120}$")
DB_NAME = "tisheng.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"


class BackupRejected(AppError):
    """The file or folder is not a usable backup; nothing was changed."""


@dataclass(frozen=True)
class SourceEntry:
    path: str                       # relative, "/"-separated: tisheng.sqlite3, store/…, keys/…
    sha256: str | None
    size: int | None


@dataclass
class BackupSource:
    """A backup to restore from: a database file, a full backup folder or zip, or a copied data folder."""

    kind: str                       # "database" | "full" | "full-zip" | "data-folder"
    origin: Path
    db: SourceEntry
    entries: list[SourceEntry] = field(default_factory=list)   # store/ and keys/ files
    created: datetime | None = None
    school: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)           # evidence missing when it was made
    _base: Path | None = None
    _zip: object = None
    _prefix: str = ""

    @property
    def label(self) -> str:
        return {"database": "数据库备份", "full": "完整备份", "full-zip": "完整备份（压缩包）",
                "data-folder": "数据文件夹副本"}[self.kind]

    def open(self, rel: str):
        if self._zip is not None:
            return _ZipMember(self._zip, self._prefix + rel, self.origin)
        return open(self._base / rel, "rb")

    def extra_wal(self) -> Path | None:
        if self.kind == "data-folder":
            wal = self._base / (DB_NAME + "-wal")
            return wal if wal.is_file() and wal.stat().st_size > 0 else None
        return None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> "BackupSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _ZipMember:
    """A member of a backup zip being read; damage inside the zip (a bad CRC, a broken deflate
    stream, a member cut short) becomes BackupRejected naming the zip, not an unexpected error."""

    def __init__(self, zf, name: str, origin: Path) -> None:
        self._name, self._origin = name, origin
        entry = zf.get(name)
        if entry is None:
            raise BackupRejected(f"压缩包“{origin}”不完整：缺少“{name}”。未作任何更改。")
        self._fh = self._guard(lambda: zf.open(entry))

    def _guard(self, fn):
        from app.services.safezip import ZipDamaged
        try:
            return fn()
        except ZipDamaged as exc:
            log.info("damaged member %s in %s: %s", self._name, self._origin, exc)
            raise BackupRejected(f"压缩包“{self._origin.name}”中的“{self._name}”已损坏（压缩数据校验失败），"
                                 "无法读取。已停止恢复，未作任何更改。请换一份备份。") from None

    def read(self, n: int = -1) -> bytes:
        return self._guard(lambda: self._fh.read(n))

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "_ZipMember":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _safe_rel(rel: object) -> str:
    if not isinstance(rel, str):
        raise ValueError(rel)
    parts = rel.split("/")
    if rel.startswith("/") or "\\" in rel or ":" in rel or any(p in ("", ".", "..") for p in parts):
        raise ValueError(rel)
    if rel == DB_NAME or KEY_RE.match(rel):
        return rel
    m = STORE_RE.match(rel)
    if m and m.group(3).startswith(m.group(1) + m.group(2)):
        return rel
    raise ValueError(rel)


def _parse_manifest(raw: bytes, where: Path) -> tuple[dict, SourceEntry, list[SourceEntry]]:
    from app.services import safejson
    try:
        man = safejson.loads(raw, what=f"“{where}”中的备份清单", max_bytes=50 * 1024 * 1024,
                             max_values=5_000_000)
        if not isinstance(man, dict) or man.get("format") != FULL_FORMAT:
            raise ValueError("format")
    except safejson.JsonRefused as exc:
        raise BackupRejected(exc.user_message + "不能用于恢复，未作任何更改。") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupRejected(f"“{where}”中的备份清单（manifest.json）无法读取或不是本软件的格式，"
                             "不能用于恢复。") from None
    if not isinstance(man.get("version"), int) or man["version"] > 1:
        raise BackupRejected(f"“{where}”是由更新版本的本软件制作的完整备份，请先安装最新版本再恢复。")
    db = None
    entries = []
    seen = set()
    for e in man.get("files") or []:
        try:
            rel = _safe_rel(e.get("path"))
            sha, size = e.get("sha256"), e.get("size")
            if not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)) or \
                    not isinstance(size, int) or size < 0:
                raise ValueError(rel)
            if rel.startswith("store/") and not rel.endswith(sha):
                raise ValueError(rel)
        except (ValueError, AttributeError):
            shown = e.get("path") if isinstance(e, dict) else e
            raise BackupRejected(f"“{where}”的备份清单中有不安全或不合规的条目"
                                 f"（“{str(shown)[:80]}”），已拒绝整个备份，未作任何更改。") from None
        if rel.casefold() in seen:
            raise BackupRejected(f"“{where}”的备份清单中有重复的条目“{rel}”，已拒绝，未作任何更改。")
        seen.add(rel.casefold())
        entry = SourceEntry(rel, sha, size)
        if rel == DB_NAME:
            db = entry
        else:
            entries.append(entry)
    if db is None:
        raise BackupRejected(f"“{where}”的备份清单中没有数据库文件，不能用于恢复。")
    return man, db, entries


def _created_of(man: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(man.get("created", "")).replace(tzinfo=None)
    except (ValueError, TypeError):
        return None


def _open_full_folder(folder: Path) -> BackupSource:
    with os_errors(folder / MANIFEST):
        raw = (folder / MANIFEST).read_bytes()
    man, db, entries = _parse_manifest(raw, folder)
    for e in [db] + entries:
        p = folder / e.path
        if not p.is_file():
            raise BackupRejected(f"完整备份“{folder}”不完整：缺少文件“{e.path}”。请换一份备份。")
        if p.stat().st_size != e.size:
            raise BackupRejected(f"完整备份“{folder}”已损坏：文件“{e.path}”的大小与清单不符。请换一份备份。")
    return BackupSource("full", folder, db, entries, _created_of(man), man.get("school") or {},
                        list(man.get("missing") or []), _base=folder)


def _open_zip(path: Path) -> BackupSource:
    from app.services.safezip import SafeZip, ZipDamaged, ZipRefused
    try:
        zf = SafeZip(path)
    except ZipDamaged as exc:
        # includes a damaged directory entry claiming a zip version from the future
        log.info("unreadable zip %s: %s", path, exc.details)
        raise BackupRejected(f"压缩包“{path}”已损坏或不完整，无法读取（不是完整的压缩包，可能复制中断或U盘拔出过早）。"
                             "未作任何更改。") from None
    except ZipRefused as exc:
        raise BackupRejected(f"压缩包“{path}”中有不安全的条目（压缩包被改动过，或已损坏），已拒绝，"
                             "未作任何更改（没有解压任何文件）。",
                             details=exc.details) from None
    except StorageError as exc:
        raise BackupRejected(f"压缩包“{path}”无法读取：{exc.user_message}未作任何更改。") from None
    try:
        names = [e.name for e in zf.files()]
        tops = [n for n in names if n == MANIFEST or (n.count("/") == 1 and n.endswith("/" + MANIFEST))]
        if len(tops) != 1:
            raise BackupRejected(f"压缩包“{path}”中没有本软件的完整备份（找不到唯一的 manifest.json）。"
                                 "未作任何更改。")
        prefix = tops[0][:-len(MANIFEST)]
        try:
            raw = zf.read(zf.get(tops[0]), 50 * 1024 * 1024)
        except ZipRefused:
            raise BackupRejected(f"压缩包“{path}”中的备份清单大得不正常，已拒绝。") from None
        except ZipDamaged as exc:
            log.info("damaged manifest in %s: %s", path, exc)
            raise BackupRejected(f"压缩包“{path}”中的备份清单（manifest.json）已损坏（压缩数据校验失败），"
                                 "不能用于恢复。未作任何更改。") from None
        man, db, entries = _parse_manifest(raw, path)
        for e in [db] + entries:
            i = zf.get(prefix + e.path)
            if i is None:
                raise BackupRejected(f"压缩包“{path}”不完整：缺少“{e.path}”。未作任何更改。")
            if i.size != e.size:
                raise BackupRejected(f"压缩包“{path}”中的“{e.path}”与清单不符，已拒绝。")
    except BaseException:
        zf.close()
        raise
    return BackupSource("full-zip", path, db, entries, _created_of(man), man.get("school") or {},
                        list(man.get("missing") or []), _zip=zf, _prefix=prefix)


def _open_data_folder(folder: Path) -> BackupSource:
    db = folder / DB_NAME
    entries = []
    for p in sorted(folder.glob("store/??/??/*")):
        rel = p.relative_to(folder).as_posix()
        if STORE_RE.match(rel) and p.is_file():
            entries.append(SourceEntry(rel, p.name, p.stat().st_size))
    keys = folder / "keys"
    if keys.is_dir():
        for p in sorted(keys.rglob("*")):
            rel = p.relative_to(folder).as_posix()
            if p.is_file() and KEY_RE.match(rel):
                entries.append(SourceEntry(rel, None, None))
    when = datetime.fromtimestamp(db.stat().st_mtime)
    return BackupSource("data-folder", folder, SourceEntry(DB_NAME, None, db.stat().st_size),
                        entries, when, _base=folder)


def open_backup_source(source: str | os.PathLike) -> BackupSource:
    """Recognise what `source` is and check its structure (not yet every hash); raises BackupRejected."""
    path = Path(source).expanduser()
    try:
        if path.is_dir():
            if path.name.endswith(".partial"):
                raise BackupRejected(f"“{path.name}”是没有写完的完整备份（可能写入时U盘被拔出），不能用于恢复。"
                                     "请使用其他完整备份。")
            if (path / MANIFEST).is_file():
                return _open_full_folder(path)
            if (path / DB_NAME).is_file():
                return _open_data_folder(path)
            fulls = sorted((p for p in path.glob(FULL_PREFIX + "*")
                            if p.is_dir() and not p.name.endswith(".partial") and (p / MANIFEST).is_file()),
                           key=lambda p: re.sub(r"^tisheng-full-([A-Za-z0-9_\-]*-)?", "", p.name))
            if fulls:
                return _open_full_folder(fulls[-1])
            raise BackupRejected(f"文件夹“{path}”中没有找到本软件的备份。请选择备份文件（.sqlite3）、"
                                 "完整备份文件夹（tisheng-full-…）或其压缩包。")
        if not path.exists():
            raise BackupRejected(f"找不到“{path}”。请检查路径，或确认U盘已插好。")
        if not path.is_file():                 # a named pipe or a device would block the open
            raise BackupRejected(f"“{path.name}”不是普通文件（可能是管道或设备），不是有效的备份。未作任何更改。")
        with open(path, "rb") as fh:
            head = fh.read(16)
        size = path.stat().st_size
    except OSError as exc:
        raise BackupRejected(describe_os_error(exc, path)) from exc
    if size == 0:
        raise BackupRejected(f"“{path.name}”是空文件（0 字节），不是有效的备份。未作任何更改。")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _open_zip(path)
    if head == SQLITE_HEADER:
        parsed = parse_backup_name(path.name)
        return BackupSource("database", path, SourceEntry(path.name, None, size),
                            created=parsed[0] if parsed else datetime.fromtimestamp(path.stat().st_mtime),
                            _base=path.parent)
    raise BackupRejected(f"“{path.name}”不是本软件的备份：它既不是数据库备份（.sqlite3），"
                         "也不是完整备份文件夹或其压缩包。未作任何更改。")


def inspect_backup(source: str | os.PathLike) -> dict:
    """What a backup holds, for the GUI to show before the user confirms a restore."""
    with open_backup_source(source) as src:
        evidence = [e for e in src.entries if e.path.startswith("store/")]
        return {"kind": src.kind, "label": src.label, "path": str(src.origin),
                "created": src.created.isoformat(timespec="minutes") if src.created else None,
                "school": src.school, "evidence_files": len(evidence),
                "evidence_bytes": sum(e.size or 0 for e in evidence),
                "has_keys": any(e.path.startswith("keys/") for e in src.entries)}


def _copy_stream(fin, dst: Path, expected_sha: str | None, expected_size: int | None,
                 what: str, on_bytes=None, tmp_dir: Path | None = None) -> str:
    """Stream into dst via a temporary name; refuse content that differs from the manifest."""
    import hashlib
    tmp = (tmp_dir or dst.parent) / f"{dst.name}.tmp-{uuid.uuid4().hex[:8]}"
    if tmp_dir is not None:
        with os_errors(tmp_dir):
            tmp_dir.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    n = 0
    limit = expected_size if expected_size is not None else None
    try:
        with os_errors(dst.parent):
            dst.parent.mkdir(parents=True, exist_ok=True)
        with os_errors(dst), open(tmp, "wb") as out:
            while chunk := fin.read(1024 * 1024):
                n += len(chunk)
                if limit is not None and n > limit:
                    raise BackupRejected(f"备份中的“{what}”比清单记录的大，可能已被篡改或损坏，已停止恢复。")
                out.write(chunk)
                h.update(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if (expected_sha is not None and digest != expected_sha) or (limit is not None and n != limit):
            raise BackupRejected(f"备份中的“{what}”已损坏（校验值与清单不符），已停止恢复，未作任何更改。"
                                 "请换一份备份。")
        with os_errors(dst):
            replace_with_retry(tmp, dst)
        return digest
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)


def check_database_file(path: Path, label: str | None = None) -> dict:
    """Full checks on a staged copy (never on the user's original): ours, intact, not too new.

    Leaves the file in rollback-journal mode (WAL applied). Returns school name/code and counts.
    """
    from app.models.migrations import LATEST
    label = label or path.name
    with open(path, "rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise BackupRejected(f"“{label}”不是 SQLite 数据库文件，不能用于恢复。未作任何更改。")
    try:
        con = sqlite3.connect(path)
        # a damaged page can hold bytes that are not UTF-8 (in the check's report or in names)
        con.text_factory = lambda b: b.decode("utf-8", "replace")
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                raise BackupRejected(f"“{label}”已损坏（{describe_check_rows(rows)}），"
                                     "不能用于恢复。请选择另一份备份。")
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if version > LATEST:
                err = DatabaseTooNewError(found=version, supported=LATEST)
                err.user_message = (f"“{label}”由更新版本的本软件制作（数据版本 {version}，本软件支持到 {LATEST}），"
                                    "不能用于恢复，未作任何更改。请先安装最新版本再恢复。")
                err.args = (err.user_message,)
                raise err
            if version == 0 or not {"teacher", "blob", "evidencefile"} <= tables:
                raise BackupRejected(f"“{label}”不是本软件的数据文件，不能用于恢复。未作任何更改。")
            if con.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise BackupRejected(f"“{label}”中的记录互相引用不一致（外键检查未通过），不能用于恢复。")
            school = con.execute("SELECT name, code FROM school LIMIT 1").fetchone()
            teachers = con.execute("SELECT count(*) FROM teacher").fetchone()[0]
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        # UnicodeDecodeError: SQLite's own error text quotes damaged schema bytes that are not UTF-8
        raise BackupRejected(f"“{label}”已损坏，无法读取（{describe_database_error(exc)}），"
                             "不能用于恢复。请选择另一份备份。") from None
    return {"version": version, "school": school[0] if school else "", "code": school[1] if school else "",
            "teachers": teachers}


# ------------------------------------------------------------------ restore

JOURNAL = "restore-pending.json"


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    kind: str
    backup_time: datetime | None
    school: str
    teachers: int
    before_backup: Path | None          # the state just before the restore (undo with it)
    set_aside: Path | None              # a damaged database copied aside, never overwritten
    evidence_copied: int
    missing: tuple[str, ...]            # records whose evidence file is neither here nor in the backup
    key_restored: bool
    warnings: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        when = f"{self.backup_time:%Y-%m-%d %H:%M}" if self.backup_time else "备份时"
        parts = [f"已从{self.kind}恢复到 {when} 的数据（{self.school or '未设置学校'}，{self.teachers} 位教师）。",
                 f"{when} 之后所做的更改不在此备份中，如有需要请重新录入。"]
        if self.before_backup:
            parts.append(f"恢复前的数据已备份为“{self.before_backup.name}”，如需撤销可从它恢复。")
        if self.set_aside:
            parts.append(f"已损坏的数据文件另存为“{self.set_aside}”，未被覆盖。")
        if self.evidence_copied:
            parts.append(f"复制了 {self.evidence_copied} 个证据文件。")
        if self.missing:
            parts.append(f"有 {len(self.missing)} 个证据文件在本机和备份中都找不到，"
                         "可运行“tisheng fsck --from-backup 完整备份”从完整备份找回。")
        return "".join(parts + list(self.warnings))

    def to_dict(self) -> dict:
        return {"source": str(self.source), "kind": self.kind,
                "backup_time": self.backup_time.isoformat() if self.backup_time else None,
                "school": self.school, "teachers": self.teachers,
                "before_backup": str(self.before_backup) if self.before_backup else None,
                "set_aside": str(self.set_aside) if self.set_aside else None,
                "evidence_copied": self.evidence_copied, "missing": list(self.missing),
                "key_restored": self.key_restored, "warnings": list(self.warnings),
                "message": self.message}


def current_database_state(paths: DataPaths) -> str:
    """'none' (no data yet), 'ok', 'damaged' (fails quick_check or unreadable) or 'foreign'."""
    db = paths.database
    if not db.exists() or db.stat().st_size == 0:
        return "none"
    try:
        with open(db, "rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return "damaged"
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in con.execute("PRAGMA quick_check").fetchall()]
        finally:
            con.close()
    except (OSError, sqlite3.Error, UnicodeDecodeError):
        return "damaged"
    return "ok" if rows == ["ok"] else "damaged"


def set_aside_damaged(paths: DataPaths) -> Path:
    """Copy the current database (and its -wal/-shm) into <data>/damaged/; the original stays."""
    folder = paths.root / "damaged"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = folder / f"tisheng-damaged-{stamp}.sqlite3"
    n = 1
    while base.exists():
        n += 1
        base = folder / f"tisheng-damaged-{stamp}-{n}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(paths.database) + suffix)
        if src.exists():
            with os_errors(src):
                copy_verified(src, Path(str(base) + suffix))
    return base


def _audit_restore(db: Path, src: BackupSource, before: Path | None, set_aside: Path | None) -> None:
    """Record the restore inside the restored database itself, so it commits with it."""
    detail = {"source": str(src.origin), "kind": src.kind,
              "backup_time": src.created.isoformat(timespec="seconds") if src.created else None,
              "before_backup": before.name if before else None,
              "set_aside": str(set_aside) if set_aside else None}
    try:
        con = sqlite3.connect(db)
        try:
            con.execute("INSERT INTO auditentry (at, action, detail) VALUES (?, 'restore', ?)",
                        (datetime.now().isoformat(sep=" "), json.dumps(detail, ensure_ascii=False)))
            con.commit()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"准备恢复的数据写入失败（{exc}），未作任何更改。") from exc


def _has_school(database: Path) -> bool:
    """Whether the database holds a school (a fresh data folder on a new PC does not)."""
    try:
        con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            return con.execute("SELECT 1 FROM school LIMIT 1").fetchone() is not None
        finally:
            con.close()
    except sqlite3.Error:
        return True                        # unsure: keep the usual backup


def restore(target, source: str | os.PathLike, *, progress: Progress = NO_PROGRESS) -> RestoreResult:
    """Replace the data folder's database (and, from a full backup, evidence and key) by a backup.

    Backs up the current database first ("before-restore"); a damaged one is copied aside
    instead. Everything is staged and checked inside the data folder, then committed through
    a journal (see integrity.finish_pending_restore), so a kill at any moment leaves either
    the old or the new state. If `target` is an open Workspace it is closed; reopen it with
    integrity.open_checked(). The caller must hold the instance lock (the GUI does).
    Raises BackupRejected / DatabaseTooNewError (nothing changed) or StorageError.
    """
    from app.services.integrity import finish_pending_restore
    paths = _paths(target).ensure()
    finish_pending_restore(paths)
    src = open_backup_source(source)
    staging = paths.tmp / f"restore-{uuid.uuid4().hex[:12]}"
    committed = False
    try:
        with os_errors(staging):
            staging.mkdir(parents=True)
        progress.report(0, 1, "正在读取备份…", force=True)
        incoming = staging / "incoming.sqlite3"
        with src.open(src.db.path) as fin:
            _copy_stream(fin, incoming, src.db.sha256, src.db.size if src.kind != "data-folder" else None,
                         src.db.path)
        wal = src.extra_wal()
        if wal is not None:
            with open(wal, "rb") as fin:
                _copy_stream(fin, Path(str(incoming) + "-wal"), None, None, wal.name)
        faults.hit("restore.staged")
        info = check_database_file(incoming, label=src.origin.name)
        staged_db = staging / DB_NAME
        with os_errors(staged_db):
            with open(incoming, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(incoming, staged_db)
        progress.check()

        before = set_aside = None
        state = current_database_state(paths)
        if state == "ok" and _has_school(paths.database):   # an empty new folder has nothing to keep
            try:
                before = snapshot(paths, "before-restore")
            except BackupFailed:
                state = "damaged"
        if state == "damaged":
            set_aside = set_aside_damaged(paths)
        faults.hit("restore.before_backup")
        _audit_restore(staged_db, src, before, set_aside)

        refs = referenced_blobs(staged_db)
        store = paths.store
        wanted = [e for e in src.entries if e.path.startswith("store/") and e.path.rsplit("/", 1)[1] in refs]
        total = sum(e.size or 0 for e in wanted) or 1
        done = 0

        def on_bytes(k: int) -> None:
            nonlocal done
            done += k
            progress.report(min(done, total - 1), total, "正在恢复证据文件…")

        copied = 0
        staged_store = staging / "store"
        for e in wanted:                         # staged too: the live store changes only at commit
            sha = e.path.rsplit("/", 1)[1]
            dst = store / sha[:2] / sha[2:4] / sha
            if dst.is_file() and (e.size is None or dst.stat().st_size == e.size):
                continue
            with src.open(e.path) as fin:
                _copy_stream(fin, staged_store / sha[:2] / sha[2:4] / sha, sha, e.size, e.path, on_bytes)
            copied += 1
            faults.hit("restore.evidence")
        missing = []
        for sha, where in sorted(refs.items()):
            rel = Path(sha[:2]) / sha[2:4] / sha
            if where and not (store / rel).is_file() and not (staged_store / rel).is_file():
                missing.extend(f"{w}（{sha[:12]}…）" for w in where)

        key_restored = False
        warnings = []
        for e in src.entries:
            if not e.path.startswith("keys/"):
                continue
            with src.open(e.path) as fin:
                _copy_stream(fin, staging / e.path, e.sha256, e.size, e.path)
            live = paths.root / e.path
            if e.path == "keys/school-key.json":
                key_restored = not live.is_file() or live.read_bytes() != (staging / e.path).read_bytes()
                try:
                    from app.services import safejson
                    doc = safejson.loads((staging / e.path).read_bytes(), what="备份中的学校密钥文件",
                                         max_bytes=1024 * 1024)
                    if doc.get("protection") == "dpapi-user":
                        warnings.append("备份中的学校签名密钥受 Windows 账户加密保护，在新电脑或新账户上无法使用；"
                                        "导出报送包前请运行“tisheng key replace --yes”生成新密钥，并向区县登记新指纹。")
                except (ValueError, OSError, AttributeError, AppError):
                    warnings.append("备份中的学校密钥文件无法读取，恢复后请检查密钥。")
        faults.hit("restore.staged_all")
        progress.check()

        with _write_lock:                       # no automatic backup reads the file while it is swapped
            if hasattr(target, "close") and hasattr(target, "engine"):
                target.close()
            journal = {"staging": staging.name, "source": str(src.origin),
                       "created": datetime.now().isoformat(timespec="seconds")}
            from app.services.fileio import atomic_write_bytes
            atomic_write_bytes(paths.root / JOURNAL, json.dumps(journal, ensure_ascii=False).encode("utf-8"))
            committed = True
            faults.hit("restore.journal")
            try:
                finish_pending_restore(paths)
            except AppError as exc:
                raise BackupFailed(exc.user_message + "恢复已提交，排除问题后再次打开数据文件夹时会自动完成。") from exc
        progress.report(1, 1, "恢复完成", force=True)
        return RestoreResult(src.origin, src.label, src.created, info["school"], info["teachers"], before,
                             set_aside, copied, tuple(missing), key_restored, tuple(warnings))
    except OSError as exc:                       # a fault point or the stick pulled between steps
        raise BackupFailed(describe_os_error(exc, src.origin) + ("恢复已提交，下次启动时会自动完成。" if committed
                                                                 else "恢复未完成，数据没有任何更改。")) from exc
    finally:
        src.close()
        if not committed:
            remove_tree(staging)
