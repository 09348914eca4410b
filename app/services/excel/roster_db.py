"""The roster import's database work in plain SQL on a DB-API sqlite3 connection
(Workspace.transaction): the teachers a file is matched against, loaded in one query each, and
the rows written with one executemany each.

Plain SQL instead of ORM objects: 5,000 Teacher objects took longer to load than the file took
to read, and the command line's import then needs no SQLAlchemy at all. The tables are those of
app/models (names and columns checked against SQLModel.metadata by tests/test_dbfile.py); values
are stored in the text forms SQLAlchemy writes (dates `YYYY-MM-DD`, times
`YYYY-MM-DD HH:MM:SS.ffffff`), so rows written here read back through the ORM unchanged.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.errors import AppError

log = logging.getLogger(__name__)

# The teacher columns the import reads and writes (participation is left as it is).
TEACHER_ATTRS = ("name", "gender", "id_number", "phone", "subject", "stage", "staff_type", "title",
                 "staff_no", "status", "status_reason", "retire_date", "note")


class StoredValueDamaged(AppError):
    """A stored date or time is not one (damaged bytes inside a row; quick_check does not look
    at values). Said as the command line says it when the ORM fails converting one."""

    exit_code = 5

    def __init__(self, conn: sqlite3.Connection) -> None:
        try:
            db = conn.execute("PRAGMA database_list").fetchone()[2]
        except (sqlite3.Error, TypeError, IndexError):
            db = "数据库"
        super().__init__(f"读取数据文件“{db}”时出错（数据库中有无法识别的日期或数值，文件已损坏），操作没有完成，"
                         "未完成的更改已全部撤销。请检查数据文件，必要时从最近一份完好的备份恢复。",
                         cli_hint="检查数据：tisheng fsck；从最近一份完好的备份恢复：tisheng restore --latest")


class Known:
    """A teacher already in the database, as the import compares a row with it: `values` holds
    the imported fields (teaching point and group by name, a missing 工号 as "")."""

    __slots__ = ("id", "name", "id_number", "staff_no", "values")

    def __init__(self, id: int, name: str, id_number: str | None, staff_no: str | None,
                 values: dict[str, Any]) -> None:
        self.id, self.name, self.id_number, self.staff_no, self.values = id, name, id_number, staff_no, values


@dataclass
class RosterState:
    teachers: list[Known] = field(default_factory=list)
    points: dict[int, str] = field(default_factory=dict)       # teaching point id → name
    groups: dict[int, str] = field(default_factory=dict)       # study group id → name
    school_stage: str = ""                                     # a new teacher's 学段 when none is given


def _readable(values: list[Any], parse) -> bool:
    """Whether every stored time (or date) parses, as the ORM would parse it loading the row."""
    try:
        for v in values:
            if v is not None:
                parse(v)
    except (ValueError, TypeError):
        return False
    return True


def load_state(conn: sqlite3.Connection) -> RosterState:
    state = RosterState()
    state.points = dict(conn.execute("SELECT id, name FROM teachingpoint"))
    state.groups = dict(conn.execute("SELECT id, name FROM studygroup"))
    row = conn.execute("SELECT stage, created_at, updated_at FROM school ORDER BY id LIMIT 1").fetchone()
    if row is not None and not _readable([row[1], row[2]], datetime.fromisoformat):
        raise StoredValueDamaged(conn)
    state.school_stage = (row[0] or "") if row is not None else ""
    points, groups = state.points, state.groups
    keys = TEACHER_ATTRS
    rows = conn.execute(f"SELECT id, {', '.join(keys)}, teaching_point_id, group_id, created_at, updated_at "
                        "FROM teacher ORDER BY id").fetchall()
    if not (_readable([r[-1] for r in rows], datetime.fromisoformat)
            and _readable([r[-2] for r in rows], datetime.fromisoformat)
            and _readable([r[12] for r in rows], date.fromisoformat)):
        raise StoredValueDamaged(conn)
    for (tid, name, gender, id_number, phone, subject, stage, staff_type, title, staff_no, status,
         status_reason, retire_date, note, point_id, group_id, _created, _updated) in rows:
        values = dict(zip(keys, (name, gender, id_number, phone, subject, stage, staff_type, title,
                                 staff_no or "", status, status_reason,
                                 date.fromisoformat(retire_date) if retire_date else None, note)))
        values["teaching_point"] = points.get(point_id, "") if point_id else ""
        values["group"] = groups.get(group_id, "") if group_id else ""
        state.teachers.append(Known(tid, name, id_number, staff_no, values))
    return state


def data_version(conn: sqlite3.Connection) -> int:
    """Changes when another connection (or process) commits to the database."""
    return conn.execute("PRAGMA data_version").fetchone()[0]


def read_state_early(conn: sqlite3.Connection) -> tuple[int, RosterState] | None:
    """load_state in a read transaction of its own, with the data version it saw, for a caller that
    reads the teachers while a file is parsed and writes later on the same connection; None if
    anything goes wrong (the write transaction then loads the state itself and meets the error)."""
    try:
        conn.execute("BEGIN")
        try:
            return data_version(conn), load_state(conn)
        finally:
            conn.execute("COMMIT")
    except (sqlite3.Error, AppError):
        return None


def stored(value: Any) -> Any:
    """A value in the text form SQLAlchemy stores it in."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def add_points(conn: sqlite3.Connection, names: list[str]) -> dict[str, int]:
    """New teaching points (by name); returns every point's id by name."""
    for name in names:
        conn.execute("INSERT INTO teachingpoint (name, environment, address, note) VALUES (?, '', '', '')",
                     (name,))
    return {name: pid for pid, name in conn.execute("SELECT id, name FROM teachingpoint")}


def group_ids(conn: sqlite3.Connection) -> dict[str, int]:
    return {name: gid for gid, name in conn.execute("SELECT id, name FROM studygroup")}


def _row(v: dict[str, Any], point_ids: dict[str, int], groups: dict[str, int]) -> tuple[Any, ...]:
    """TEACHER_ATTRS, then the teaching point and group ids, as stored (spelt out: 5,000 rows)."""
    retire = v.get("retire_date")
    return (v["name"], v.get("gender") or "", v.get("id_number"), v.get("phone") or "",
            v.get("subject") or "", v.get("stage") or "", v.get("staff_type"), v.get("title") or "",
            v.get("staff_no") or None, v.get("status"), v.get("status_reason") or "",
            retire.isoformat() if retire else None, v.get("note") or "",
            point_ids.get(v.get("teaching_point") or ""), groups.get(v.get("group") or ""))


def insert_teachers(conn: sqlite3.Connection, adds: list[dict[str, Any]], point_ids: dict[str, int],
                    groups: dict[str, int], stamp: datetime) -> int:
    when = stored(stamp)
    rows = [(*_row(v, point_ids, groups), when, when, "") for v in adds]
    if rows:
        columns = (*TEACHER_ATTRS, "teaching_point_id", "group_id", "created_at", "updated_at", "participation")
        conn.executemany(f"INSERT INTO teacher ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                         rows)
    return len(rows)


def update_teachers(conn: sqlite3.Connection, updates: list[tuple[int, dict[str, Any]]],
                    point_ids: dict[str, int], groups: dict[str, int], stamp: datetime) -> int:
    when = stored(stamp)
    rows = [(*_row(v, point_ids, groups), when, tid) for tid, v in updates]
    if rows:
        sets = ", ".join(f"{c} = ?" for c in (*TEACHER_ATTRS, "teaching_point_id", "group_id", "updated_at"))
        conn.executemany(f"UPDATE teacher SET {sets} WHERE id = ?", rows)
    return len(rows)


def audit(conn: sqlite3.Connection, action: str, detail: str, stamp: datetime) -> None:
    conn.execute("INSERT INTO auditentry (at, action, detail) VALUES (?, ?, ?)", (stored(stamp), action, detail))


class EarlyState:
    """The school's teachers, read on a connection of its own while python-calamine parses the
    file; the write transaction later takes that same connection and keeps the read only if no
    one has committed to the database since (PRAGMA data_version). Close it when done.

    `backup`: the safety backup is taken then too (the parse leaves the caller idle for longer
    than the copy takes). It stands for the backup before the import only on the same test as the
    read (adopt_backup); otherwise, or if nothing is written, close() deletes it unannounced, and
    the import takes its own when it writes, as without one."""

    def __init__(self, ws, backup: bool = False) -> None:
        self._ws = ws
        self._connection = ws.plain_connection()
        self.conn = self._connection.__enter__()      # None when the engine is loaded (the window)
        self.backup: Path | None = None
        try:
            self.read = read_state_early(self.conn) if self.conn is not None else None
        except BaseException:
            self.close()
            raise
        if backup and self.read is not None:
            from app.services.backup.automatic import take_backup_before
            try:
                self.backup = take_backup_before(ws, "import")
            except (AppError, OSError):               # (taken again, and refused, if the import writes)
                self.backup = None

    def adopt_backup(self) -> Path | None:
        """The backup taken early, now the import's own (the caller has checked the data version)."""
        path, self.backup = self.backup, None
        if path is not None:
            from app.services.backup.automatic import settle_backup
            settle_backup(self._ws)
        return path

    def close(self) -> None:
        try:
            self._connection.__exit__(None, None, None)
        finally:
            if self.backup is not None:               # never announced: nothing was written after it
                try:
                    self.backup.unlink(missing_ok=True)
                except OSError as exc:                # (Windows: a virus scanner may hold a new file a moment)
                    log.warning("could not delete the unused backup %s: %s", self.backup.name, exc)
                self.backup = None
