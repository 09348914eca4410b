"""Database snapshots with SQLite's online backup API (consistent even in WAL mode)."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from app.errors import StorageError
from app.paths import DataPaths
from app.services.fileio import fsync_dir, os_errors, replace_with_retry


def snapshot_database(db_file: Path, dest: Path) -> Path:
    """Copy a live database to dest (tmp, backup API, quick_check on the copy, rename)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    with os_errors(dest):
        src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            out = sqlite3.connect(tmp)
            try:
                src.backup(out)
                ok = out.execute("PRAGMA quick_check").fetchone()[0]
                out.commit()
            finally:
                out.close()
        finally:
            src.close()
        if ok != "ok":
            tmp.unlink(missing_ok=True)
            raise StorageError(f"备份“{dest.name}”自检失败：{ok}")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        replace_with_retry(tmp, dest)
        fsync_dir(dest.parent)
    return dest


def backup_name(reason: str, when: datetime | None = None) -> str:
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"tisheng-{stamp}-{reason}.sqlite3"


def snapshot(paths: DataPaths, reason: str) -> Path:
    """Back up the school's database into its backups folder; returns the file."""
    dest = paths.backups / backup_name(reason)
    n = 1
    while dest.exists():
        n += 1
        dest = paths.backups / backup_name(f"{reason}-{n}")
    return snapshot_database(paths.database, dest)
