"""Database snapshots: one consistent copy of the live database, checked, fsynced, renamed.

SQLite's online backup API copies the database in one step (consistent even in WAL
mode and while the app writes) to `<name>.tmp-…`; the copy is checked with
quick_check, switched to rollback-journal mode (a single self-contained file),
fsynced and only then renamed into
`<data>/backups/tisheng-YYYYmmdd-HHMMSS-<reason>.sqlite3`. One writer at a time in
this process (WRITE_LOCK), so a backup never reads a file a restore is swapping.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.dbfile import connect_readonly
from app.errors import StorageError
from app.paths import DataPaths, data_paths
from app.services import faults
from app.services.dbcheck import describe_check_rows, describe_database_error
from app.services.fileio import describe_os_error, fsync_dir, os_errors, replace_with_retry, temp_tag

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^tisheng-(\d{8})-(\d{6})-([A-Za-z0-9][A-Za-z0-9.\-]*)\.sqlite3$")
REASON_LABELS = {"auto": "自动备份", "close": "关闭时自动备份", "manual": "手动备份",
                 "before-import": "导入前自动备份", "before-export": "导出前自动备份",
                 "before-restore": "恢复前自动备份", "before-fsck": "修复前自动备份",
                 "before-pack-merge": "合并采集包前自动备份"}
WRITE_LOCK = threading.RLock()        # one backup writer at a time in this process
CHECK_HINT = "检查数据：tisheng fsck"


class BackupFailed(StorageError):
    """A backup could not be written; the data folder is unchanged."""


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
        if base in REASON_LABELS:
            return REASON_LABELS[base]
        # A reason this version does not know (a newer version's, a renamed file): still Chinese.
        return "操作前自动备份" if base.startswith("before-") else "其他备份"

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


def paths_of(target) -> DataPaths:
    """`target` is a Workspace, DataPaths or a data-folder path."""
    if isinstance(target, DataPaths):
        return target
    if hasattr(target, "paths"):
        return target.paths
    return data_paths(target)


def _sqlite_error(exc: sqlite3.Error, path: Path) -> BackupFailed:
    return BackupFailed(f"读取数据库“{path}”失败（{describe_database_error(exc)}），备份未完成。数据文件可能已损坏。",
                        cli_hint=CHECK_HINT)


def snapshot_database(db_file: Path, dest: Path, *, check: str = "quick_check") -> Path:
    """Copy a live database to dest: backup API, self-check, journal_mode=DELETE, fsync, rename."""
    dest = Path(dest)
    tmp = dest.with_name(f"{dest.name}.tmp-{temp_tag()}")
    with WRITE_LOCK:
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                src = connect_readonly(db_file)
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
                raise BackupFailed(f"备份“{dest.name}”自检失败（{describe_check_rows([result])}）。数据库可能已损坏。",
                                   cli_hint=CHECK_HINT)
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


def unused_path(folder: Path, reason: str, when: datetime | None = None) -> Path:
    dest = folder / backup_name(reason, when)
    n = 1
    while dest.exists():
        n += 1
        dest = folder / backup_name(f"{reason}-{n}", when)
    return dest


def snapshot(paths: DataPaths, reason: str) -> Path:
    """Back up the school's database into its backups folder; returns the file."""
    with WRITE_LOCK:
        dest = unused_path(paths.backups, reason)
        return snapshot_database(paths.database, dest)


def parse_backup_name(name: str) -> tuple[datetime, str] | None:
    m = NAME_RE.match(name)
    if not m:
        return None
    try:
        # (ISO 8601's basic form; not strptime, whose module and locale cost 4 ms of a command's start)
        return datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}"), m.group(3)
    except ValueError:
        return None


def probe_writable(folder: Path) -> None:
    """Fail early, naming the folder, if a backup cannot be written there (read-only, pulled stick)."""
    probe = folder / f".tisheng-probe-{temp_tag()}"
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
