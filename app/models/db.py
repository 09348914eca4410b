"""The SQLite engine: foreign keys on, WAL, FULL sync, transactional DDL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.dbfile import configure

SessionFactory = Callable[[], Session]
SQLITE_HEADER = b"SQLite format 3\x00"


def make_engine(path: Path, *, journal_mode: str = "WAL") -> Engine:
    """Create the engine for one database file.

    The driver's own transaction handling is switched off and SQLAlchemy emits
    BEGIN IMMEDIATE itself, so DDL in migrations rolls back with the data (pysqlite notes)
    and a write waits for a busy database instead of failing at once.
    synchronous=FULL: rural power cuts are common and the write rate is tiny.
    """
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False,
                                                             "timeout": 10})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
        configure(dbapi_conn, journal_mode=journal_mode)     # shared with plain connections

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # IMMEDIATE: take the write lock at the start, where SQLite waits busy_timeout for it. A
        # deferred transaction that has read first and then writes is refused at once when
        # another connection holds the lock (SQLite does not call the busy handler there, to
        # avoid deadlock): writes failed after 0.6 s instead of waiting the configured 10 s.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> SessionFactory:
    def _make() -> Session:
        return Session(engine, expire_on_commit=False)
    return _make


def looks_like_sqlite(path: Path) -> bool:
    """True for an empty or missing file too (it becomes a new database)."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    with open(path, "rb") as fh:
        return fh.read(16) == SQLITE_HEADER
