"""app/dbfile.py states the database contract without SQLModel; it must match the tables."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table
from app.dbfile import SCHEMA_VERSION, TABLES, configure
from app.models.migrations import LATEST

ROOT = Path(__file__).resolve().parent.parent


def test_schema_version_is_the_migrations_latest():
    assert SCHEMA_VERSION == LATEST


def test_tables_and_columns_match_the_models():
    defined = {name: " ".join(c.name for c in table.columns)
               for name, table in SQLModel.metadata.tables.items()}
    assert TABLES == defined


def test_plain_connection_gets_the_engine_settings(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.sqlite3")
    configure(conn)
    assert conn.isolation_level is None
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2          # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    conn.close()


def test_dbfile_loads_no_orm():
    code = ("import sys, app.dbfile, app.services.dbcheck; "
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True).stdout
    assert out.strip() == "[]"
