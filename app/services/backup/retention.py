"""Which database backups there are, which pass their check, and which to thin away (Anki's rules).

Thinning keeps everything from today and yesterday, then the newest of each of 12
days, 10 weeks and 9 months (rslib/src/collection/backup.rs).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from app.dbfile import SQLITE_HEADER, connect_readonly
from app.services.backup.snapshot import BackupInfo, parse_backup_name, paths_of
from app.services.dbcheck import describe_check_rows, describe_database_error
from app.services.fileio import describe_os_error

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Retention:
    daily: int = 12
    weekly: int = 10
    monthly: int = 9


def list_backups(target, *, check: bool = False, folder: Path | None = None) -> list[BackupInfo]:
    """Database backups in the backups folder (or `folder`), newest first.

    check=True runs integrity_check on each (read-only, the file is not changed).
    """
    folder = Path(folder) if folder is not None else paths_of(target).backups
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
            if fh.read(16) != SQLITE_HEADER:
                return False, "不是 SQLite 数据库文件"
        con = connect_readonly(path, immutable=True)
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
    folder = paths_of(target).backups
    if folder.is_dir():
        for p in folder.iterdir():
            if ".tmp-" in p.name or p.name.endswith(".tmp"):
                try:
                    p.unlink()
                    n += 1
                except OSError:
                    pass
    return n
