"""What went wrong with the database file: ordinary trouble or real damage, told apart.

A database locked by another program, a read-only data folder and a full disk are not damage,
and advising a restore for them is dangerous (a user may restore over good data). `classify()`
reads the actual SQLite result code (`sqlite_errorcode`, through SQLAlchemy's wrapper and the
exception chain) or the OS errno; `unavailable()` turns the ordinary kinds into an AppError
with its own message and no restore advice. The start-up checks (integrity.check_database,
Workspace.open) and the command line's error handling all go through here.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from app.dbfile import BUSY_TIMEOUT_S
from app.errors import AppError

BUSY, READONLY, FULL, CANTOPEN, IO, DAMAGED = "busy", "readonly", "full", "cantopen", "io", "damaged"
_CODES = {5: BUSY, 6: BUSY, 8: READONLY, 3: READONLY, 13: FULL, 14: CANTOPEN, 10: IO, 11: DAMAGED,
          26: DAMAGED}
_TEXT = (("locked", BUSY), ("busy", BUSY), ("readonly", READONLY), ("read-only", READONLY),
         ("disk is full", FULL), ("unable to open", CANTOPEN), ("disk i/o", IO), ("malformed", DAMAGED),
         ("not a database", DAMAGED))
_ERRNO = {errno.ENOSPC: FULL, errno.EDQUOT: FULL, errno.EROFS: READONLY, errno.EACCES: READONLY,
          errno.EPERM: READONLY, errno.EIO: IO}
_WINERROR = {112: FULL, 39: FULL, 5: READONLY, 19: READONLY, 32: BUSY, 33: BUSY}


class DatabaseUnavailableError(AppError):
    """The database cannot be used right now (locked, read-only, disk full); it is not damaged."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message, cli_hint="检查数据：tisheng fsck" if kind == IO else "")
        self.kind = kind


def _kind_of(exc: BaseException) -> str | None:
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) in _CODES:
            return _CODES[code & 0xFF]
        text = str(exc).lower()
        return next((kind for words, kind in _TEXT if words in text), None)
    if isinstance(exc, OSError):
        winerror = getattr(exc, "winerror", None)
        if winerror in _WINERROR:
            return _WINERROR[winerror]
        return _ERRNO.get(exc.errno)
    return None


def classify(exc: BaseException | None) -> str | None:
    """BUSY, READONLY, FULL, CANTOPEN, IO, DAMAGED or None (not a database/file error)."""
    seen = 0
    while exc is not None and seen < 8:
        orig = getattr(exc, "orig", None)                 # SQLAlchemy wraps the driver's error
        for candidate in (orig, exc):
            if isinstance(candidate, BaseException):
                kind = _kind_of(candidate)
                if kind is not None:
                    return kind
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _disk_nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 2 * 1024 * 1024
    except OSError:
        return False


def message(kind: str, db: Path) -> str:
    folder = Path(db).parent
    if kind == BUSY:
        return (f"数据文件“{db}”正被其他程序占用（例如本软件的窗口，或另一个正在运行的命令），"
                f"等待 {BUSY_TIMEOUT_S} 秒后仍未释放。操作没有完成，未完成的更改已全部撤销，数据完好。"
                "请稍后重试，或先关闭本软件的窗口。")
    if kind == READONLY:
        return (f"数据文件夹“{folder}”是只读的，或当前用户没有写入权限，本软件无法保存任何更改。"
                "操作没有完成，数据完好，不需要恢复。请把数据文件夹放在可以写入的位置"
                "（例如本机硬盘；U盘请检查写保护开关），或检查文件夹的权限后重试。")
    if kind == FULL:
        return (f"数据文件夹“{folder}”所在的磁盘已满，操作没有完成，未完成的更改已全部撤销，数据完好，"
                "不需要恢复。请清理磁盘空间（至少留出几百 MB）后重试。")
    if kind == CANTOPEN:
        return (f"无法打开数据文件“{db}”：文件夹只读、没有访问权限，或文件已被移走。数据没有被改动。"
                "请检查数据文件夹的位置和权限后重试。")
    if kind == IO:
        return (f"读写数据文件“{db}”时磁盘出错（U盘可能已拔出，或磁盘有故障）。操作没有完成，"
                "未完成的更改已全部撤销。请检查磁盘后重试；如果反复出现，请检查数据是否完好。")
    raise ValueError(kind)


def unavailable(exc: BaseException, db: Path) -> DatabaseUnavailableError | None:
    """The AppError for ordinary trouble with the database, or None (damage or another error)."""
    kind = classify(exc)
    folder = Path(db).parent
    if kind == IO and _disk_nearly_full(folder):
        kind = FULL                                      # SQLite reports some ENOSPC as I/O errors
    if kind == CANTOPEN and folder.is_dir() and not os.access(folder, os.W_OK):
        kind = READONLY                                  # WAL needs to create -wal/-shm beside the file
    if kind is None or kind == DAMAGED:
        return None
    return DatabaseUnavailableError(kind, message(kind, db))
