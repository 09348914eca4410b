"""A backup the user asked for: into the backups folder, to a folder or file on a stick, or full."""

from __future__ import annotations

import os
from pathlib import Path

from app.paths import DataPaths
from app.services.backup.automatic import reset_change_marker
from app.services.backup.full import write_full_backup
from app.services.backup.retention import thin_backups
from app.services.backup.snapshot import (WRITE_LOCK, BackupFailed, BackupResult, paths_of, probe_writable,
                                          snapshot, snapshot_database, unused_path)
from app.services.fileio import describe_os_error
from app.services.progress import NO_PROGRESS, Progress


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
    paths = paths_of(target)
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
        with WRITE_LOCK:
            return write_full_backup(paths, Path(dest), progress)
    if dest is None:
        path = snapshot(paths, reason)
        reset_change_marker(target)
        removed = thin_backups(paths)
        return BackupResult(path, False, 1, path.stat().st_size, removed=tuple(removed))
    dest = Path(dest).expanduser()
    if dest.suffix.lower() in (".sqlite3", ".db", ".sqlite"):
        if dest.exists():
            raise BackupFailed(f"“{dest}”已存在。为避免覆盖，请换一个文件名。")
        probe_writable(dest.parent)
        path = snapshot_database(paths.database, dest)
    else:
        if dest.exists() and not dest.is_dir():
            raise BackupFailed(f"“{dest}”已存在且不是文件夹。")
        probe_writable(dest)
        with WRITE_LOCK:
            path = snapshot_database(paths.database, unused_path(dest, reason))
    return BackupResult(path, False, 1, path.stat().st_size)
