"""The SQLite engine: foreign keys on, WAL, FULL sync, transactional DDL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine
from sqlmodel import Session, create_engine

from app.dbfile import BUSY_TIMEOUT_S, configure

SessionFactory = Callable[[], Session]


def make_engine(path: Path, *, journal_mode: str = "WAL") -> Engine:
    """Create the engine for one database file.

    The driver's own transaction handling is switched off and SQLAlchemy emits
    BEGIN IMMEDIATE itself, so DDL in migrations rolls back with the data (pysqlite notes)
    and a write waits for a busy database instead of failing at once.
    synchronous=FULL: rural power cuts are common and the write rate is tiny.
    The URL is built from its parts, not parsed from a string: parsing would take a `?` in a
    folder name for the query and decode a `%20` in it to a space (another file).
    """
    engine = create_engine(URL.create("sqlite", database=str(path)),
                           connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S})

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
