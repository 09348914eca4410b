"""One open data folder: its database, evidence store and paths.

Everything else takes a Workspace. Opening checks the file is ours, refuses a
newer schema untouched, backs up before any migration, and seeds the
micro-ability catalogue into a new database.

A database that is already up to date (this app's schema version, catalogue seeded, programme
in the current format) is opened without SQLAlchemy: the engine and the session factory are made
on first use. The command line's roster import never needs them (it works on a plain sqlite3
connection set up exactly as the engine's, app/dbfile.py), so it does not load the ORM at all.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.dbfile import SCHEMA_VERSION, connect, connect_readonly, looks_like_sqlite
from app.errors import AppError
from app.paths import DataPaths
from app.services.store import EvidenceStore

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from app.models.db import SessionFactory

log = logging.getLogger(__name__)

RESTORE_JOURNAL = "restore-pending.json"      # app.services.backup.restore.JOURNAL
PROGRAMME_FORMAT = 2                          # app.services.programmes.document.FORMAT_VERSION


class NotSQLiteError(AppError):
    pass


def finish_pending_restore(paths: DataPaths) -> bool:
    """Roll a committed restore forward (see app.services.backup.restore); the restore module
    (which loads the ORM) only when a restore is actually pending."""
    if not (paths.root / RESTORE_JOURNAL).exists():
        return False
    from app.services.backup.restore import finish_pending_restore as finish
    return finish(paths)


@dataclass
class Workspace:
    """paths, store, and the engine and session factory (made on first use)."""

    paths: DataPaths
    _engine: "Engine | None" = None
    _sessions: "SessionFactory | None" = None
    store: EvidenceStore = None            # type: ignore[assignment]  (the folder's, by default)

    def __post_init__(self) -> None:
        if self.store is None:
            self.store = EvidenceStore(self.paths.store)

    @property
    def engine(self) -> "Engine":
        if self._engine is None:
            self._engine = _make_engine(self.paths.database)
        return self._engine

    @property
    def sessions(self) -> "SessionFactory":
        if self._sessions is None:
            from app.models.db import session_factory
            self._sessions = session_factory(self.engine)
        return self._sessions

    @property
    def engine_loaded(self) -> bool:
        return self._engine is not None

    @classmethod
    def open(cls, data_dir: str | os.PathLike | None = None) -> "Workspace":
        from app.services import datafolder
        from app.services.dbcheck import refuse_if_too_new
        paths = datafolder.prepare(data_dir)
        finish_pending_restore(paths)          # a restore killed after its commit point
        db = paths.database
        if not looks_like_sqlite(db):
            raise NotSQLiteError(f"数据文件“{db}”不是 SQLite 数据库（可能已损坏或被替换），"
                                 "本软件不会改动它。请从备份恢复。")
        refuse_if_too_new(db)                  # before the engine's PRAGMA journal_mode writes
        if _up_to_date(db):
            return cls(paths)                  # nothing to create, migrate or seed
        engine = _make_engine(db)
        try:
            from app.models.migrations import create_or_upgrade
            from app.services.backup.snapshot import snapshot
            create_or_upgrade(engine, db, backup=lambda _f, reason: snapshot(paths, reason))
            ws = cls(paths, engine)
            ws._seed_catalogue()
            ws._upgrade_programme()
        except BaseException as exc:            # no -wal/-shm left beside a file we could not open
            engine.dispose()
            from app.services.dberrors import unavailable
            trouble = unavailable(exc, db)      # locked, read-only, disk full: say so, not "damaged"
            if trouble is not None:
                raise trouble from exc
            raise
        return ws

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def session(self) -> "Session":
        return self.sessions()

    @contextmanager
    def plain_connection(self) -> Iterator[sqlite3.Connection | None]:
        """One plain connection for a read and a later transaction(conn=…) on it (a caller that
        compares PRAGMA data_version between the two needs the same connection); None when the
        engine is loaded, whose transactions go through it."""
        if self._engine is not None:
            yield None
            return
        conn = connect(self.paths.database)
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def transaction(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """A DB-API connection inside one BEGIN IMMEDIATE transaction, committed when the block
        ends if it changed anything (rolled back otherwise, and whenever the block raises).

        Through the engine when it is loaded (the window counts the engine's commits for its
        automatic backups); otherwise on `conn` (from plain_connection, left open) or a plain
        connection of its own with the engine's settings.
        A database that is locked, read-only, on a full disk or unreadable (I/O) raises
        dberrors.DatabaseUnavailableError, the Chinese message the window and the command line
        show for it; damage and every other error pass through unchanged."""
        try:
            with self._transaction(conn) as conn:
                yield conn
        except Exception as exc:
            if _from_sqlite(exc):
                from app.services.dberrors import unavailable
                trouble = unavailable(exc, self.paths.database)
                if trouble is not None:
                    raise trouble from exc
            raise

    @contextmanager
    def _transaction(self, given: sqlite3.Connection | None) -> Iterator[sqlite3.Connection]:
        if self._engine is not None:
            with self.sessions() as s:
                conn = s.connection().connection.driver_connection      # BEGIN IMMEDIATE done
                before = conn.total_changes
                yield conn
                if conn.total_changes != before:
                    s.commit()
            return                                                      # closing rolls back
        conn = given if given is not None else connect(self.paths.database)
        try:
            conn.execute("BEGIN IMMEDIATE")
            before = conn.total_changes
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT" if conn.total_changes != before else "ROLLBACK")
        finally:
            if given is None:
                conn.close()

    def has_school(self) -> bool:
        from sqlmodel import select

        from app.models import School
        with self.session() as s:
            return s.exec(select(School.id)).first() is not None

    def _upgrade_programme(self) -> None:
        """A programme stored by the first release is rewritten with sources (format_version 2)."""
        from app.services.programmes.store import upgrade_stored
        with self.session() as s:
            if upgrade_stored(s):
                s.commit()

    def _seed_catalogue(self) -> None:
        from sqlmodel import select

        from app.models import AbilityPoint
        with self.session() as s:
            if s.exec(select(AbilityPoint.code)).first() is not None:
                return
            seed_catalogue(s)
            s.commit()


def _make_engine(db: Path) -> "Engine":
    """The engine, with the driver's ordinary trouble (locked, read-only, disk full, I/O) raised as
    dberrors.DatabaseUnavailableError wherever a session meets it: the window shows that message
    (an SQLAlchemy error would be “出现意外问题”), the command line prints it."""
    from sqlalchemy import event

    from app.models.db import make_engine
    from app.services.dberrors import unavailable
    engine = make_engine(db)

    @event.listens_for(engine, "handle_error")
    def _name_the_trouble(ctx) -> None:
        trouble = unavailable(ctx.original_exception, db)
        if trouble is not None:
            raise trouble from ctx.sqlalchemy_exception

    return engine


def _from_sqlite(exc: BaseException) -> bool:
    """Whether the driver raised this (directly or wrapped by SQLAlchemy); an OSError from a file
    the block wrote elsewhere is not the database's trouble."""
    return isinstance(exc, sqlite3.Error) or isinstance(getattr(exc, "orig", None), sqlite3.Error)


def _up_to_date(db: Path) -> bool:
    """Whether opening needs no work: this schema version, the catalogue seeded and the stored
    programme (if any) in the current format. Read-only; any doubt means the full open."""
    if not db.exists() or db.stat().st_size == 0:
        return False
    try:
        con = connect_readonly(db)
    except sqlite3.Error:
        return False
    try:
        if con.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return False
        if con.execute("SELECT 1 FROM abilitypoint LIMIT 1").fetchone() is None:
            return False
        row = con.execute("SELECT rules_json FROM programme").fetchone()
        if row is not None and json.loads(row[0]).get("format_version") != PROGRAMME_FORMAT:
            return False
        return True
    except (sqlite3.Error, ValueError, TypeError, AttributeError):
        return False
    finally:
        con.close()


def seed_catalogue(s: "Session") -> None:
    from app.models import AbilityPoint, EvidenceItem
    from app.resources import load_json
    data = load_json("catalogue", "micro_abilities.json")
    for p in data["points"]:
        s.add(AbilityPoint(code=p["code"], name=p["name"], environment=p["environment"],
                           dimension=p["dimension"], description=p["description"],
                           sort_order=p["order"]))
    s.flush()
    for p in data["points"]:
        for seq, item in enumerate(p["evidence"], 1):
            s.add(EvidenceItem(point_code=p["code"], seq=seq, title=item["title"],
                               kinds=",".join(item["kinds"]), max_mb=item.get("max_mb"),
                               max_minutes=item.get("max_minutes")))
