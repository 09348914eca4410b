"""Bringing a backup's files in: streamed under a temporary name, checked against the manifest,
and the incoming database checked in full before anything live is touched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from app.dbfile import SQLITE_HEADER
from app.errors import DatabaseTooNewError
from app.services.backup.source import BackupRejected
from app.services.dbcheck import describe_check_rows, describe_database_error
from app.services.fileio import COPY_CHUNK, advise_sequential, os_errors, replace_with_retry, temp_tag


def copy_stream(fin, dst: Path, expected_sha: str | None, expected_size: int | None,
                what: str, on_bytes=None, tmp_dir: Path | None = None) -> str:
    """Stream into dst via a temporary name; refuse content that differs from the manifest."""
    tmp = (tmp_dir or dst.parent) / f"{dst.name}.tmp-{temp_tag()}"
    if tmp_dir is not None:
        with os_errors(tmp_dir):
            tmp_dir.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    n = 0
    limit = expected_size if expected_size is not None else None
    try:
        with os_errors(dst.parent):
            dst.parent.mkdir(parents=True, exist_ok=True)
        advise_sequential(fin)
        with os_errors(dst), open(tmp, "wb") as out:
            while chunk := fin.read(COPY_CHUNK):
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

