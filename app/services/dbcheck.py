"""Is this database file ours, intact and not too new? Read-only checks, with Chinese answers.

Used at start-up (startup.py), by backups (a snapshot checks itself) and by restore (a
staged copy is checked in full before anything live is touched). SQLite's English error
texts become short Chinese causes here; the originals go to the log.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from app.dbfile import SQLITE_HEADER, connect_readonly
from app.errors import DatabaseTooNewError
from app.services import dberrors

log = logging.getLogger(__name__)


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


def check_database(db: Path, *, full: bool) -> str | None:
    """None if the database passes; otherwise a short description of the damage. Read-only.

    A database that is locked, in a read-only folder or on a full disk is not damaged: that raises
    dberrors.DatabaseUnavailableError with its own message instead."""
    try:
        with open(db, "rb") as fh:
            if fh.read(16) != SQLITE_HEADER:
                return "文件不是 SQLite 数据库，可能被其他文件替换或严重损坏"
        con = connect_readonly(db)
        try:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
            if rows != ["ok"]:
                return describe_check_rows(rows)
            if full and con.execute("PRAGMA foreign_key_check").fetchone() is not None:
                return "记录之间的引用不一致（外键检查未通过）"
            problem = schema_problem(con)
            if problem is not None:
                return problem
        finally:
            con.close()
    except (sqlite3.DatabaseError, UnicodeDecodeError, OSError) as exc:   # damaged schema text may not be UTF-8
        trouble = dberrors.unavailable(exc, db)
        if trouble is not None:              # locked, read-only, disk full: not damage, nothing to restore
            raise trouble from None
        if isinstance(exc, OSError):
            from app.services.fileio import describe_os_error
            return describe_os_error(exc, db)
        return f"无法读取：{describe_database_error(exc)}"
    return None


def schema_problem(con: sqlite3.Connection) -> str | None:
    """A database at this app's version must have every table and column the app uses.

    quick_check does not read the schema's meaning: one damaged byte in a CREATE statement can
    rename a column and still parse, and the first query then fails half-way through a command.
    Older versions are left to their migration steps."""
    from app.dbfile import SCHEMA_VERSION, TABLES     # the tables' contract, without loading SQLModel
    if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
        return None
    have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not have:
        return None                                  # a new, empty file: created on first open
    for name, wanted in sorted(TABLES.items()):
        if name not in have:
            return f"数据库结构与本软件不符：缺少数据表“{name}”（文件可能已损坏，或被其他软件改动过）"
        columns = {r[1] for r in con.execute(f'PRAGMA table_info("{name}")')}
        missing = [c for c in wanted.split() if c not in columns]
        if missing:
            return (f"数据库结构与本软件不符：数据表“{name}”缺少列“{missing[0]}”"
                    "（文件可能已损坏，或被其他软件改动过）")
    return None


def database_version(db: Path) -> int | None:
    """PRAGMA user_version without creating -wal/-shm files when there is no WAL to read."""
    wal = Path(str(db) + "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        try:
            with open(db, "rb") as fh:
                header = fh.read(100)
        except OSError:
            return None
        if len(header) == 100 and header.startswith(SQLITE_HEADER):
            return int.from_bytes(header[60:64], "big")
        return None
    try:
        con = connect_readonly(db)
        try:
            return int(con.execute("PRAGMA user_version").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return None


def refuse_if_too_new(db: Path) -> None:
    """Raise DatabaseTooNewError before anything opens the file for writing.

    Opening with the app's engine would already switch journal_mode to WAL, which rewrites
    the header of a rollback-journal database: the check has to come first, read-only."""
    if not db.exists() or db.stat().st_size == 0:
        return
    from app.dbfile import SCHEMA_VERSION as LATEST
    version = database_version(db)
    if version is not None and version > LATEST:
        err = DatabaseTooNewError(found=version, supported=LATEST)
        err.user_message = (f"数据文件“{db}”由更新版本的本软件创建（数据版本 {version}，本软件支持到 {LATEST}）。"
                            "为避免损坏数据，本软件不会打开它，也没有作任何更改。请安装最新版本后再打开。")
        err.args = (err.user_message,)
        raise err


