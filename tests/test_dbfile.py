"""app/dbfile.py states the database contract without SQLModel; it must match the tables."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import unquote

import pytest
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers every table
from app.dbfile import SCHEMA_VERSION, TABLES, configure, connect_readonly, file_uri, readonly_uri
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


# ------------------------------------------------------------------ read-only URIs

AWKWARD = ["1#楼", "a%20b", "%41", "x?y", "进修 资料", "[甲]", "a&b", "it's", "#", "a=b;c", "~ä€"]


@pytest.mark.parametrize("name", AWKWARD)
def test_readonly_uri_opens_exactly_that_file(tmp_path, name):
    folder = tmp_path / "base" / name
    folder.mkdir(parents=True)
    db = folder / "tisheng.sqlite3"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    ro = connect_readonly(db)
    try:
        assert Path(ro.execute("PRAGMA database_list").fetchone()[2]) == db
        assert ro.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            ro.execute("INSERT INTO t VALUES (1)")
    finally:
        ro.close()
    assert sorted(os.listdir(tmp_path / "base")) == [name]      # nothing created at a cut path


def test_readonly_uri_never_creates_a_missing_file(tmp_path):
    with pytest.raises(sqlite3.OperationalError):
        connect_readonly(tmp_path / "1#楼" / "tisheng.sqlite3")
    assert os.listdir(tmp_path) == []


def test_readonly_uri_of_a_relative_path_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert readonly_uri("a#b/x.db") == file_uri(tmp_path / "a#b" / "x.db") + "?mode=ro"
    assert readonly_uri("x.db", immutable=True).endswith("/x.db?mode=ro&immutable=1")


def _sqlite_path(uri: str) -> str:
    """The path SQLite takes from a file: URI (sqlite3ParseUri: an empty authority, the path up to
    `?` or `#`, %XX decoded)."""
    assert uri.startswith("file://")
    rest = uri[len("file://"):]
    assert rest.startswith("/"), "SQLite refuses a non-empty authority"
    return unquote(rest.split("?")[0].split("#")[0])


@pytest.mark.parametrize("path, uri", [
    (r"C:\数据\1#楼 %20 [甲] &'学校\tisheng.sqlite3",
     "file:///C:/%E6%95%B0%E6%8D%AE/1%23%E6%A5%BC%20%2520%20%5B%E7%94%B2%5D%20%26%27%E5%AD%A6%E6%A0%A1"
     "/tisheng.sqlite3"),
    (r"D:\tisheng.sqlite3", "file:///D:/tisheng.sqlite3"),
    (r"\\server\共享\1#楼\tisheng.sqlite3",
     "file:////server/%E5%85%B1%E4%BA%AB/1%23%E6%A5%BC/tisheng.sqlite3"),
])
def test_windows_drive_and_unc_paths(path, uri):
    got = file_uri(PureWindowsPath(path))
    assert got == uri
    back = _sqlite_path(got + "?mode=ro")
    # SQLite's Windows VFS drops the slash before a drive letter ("/C:/…" → "C:/…"); a UNC path
    # keeps its two leading slashes, which Windows reads as \\server\share
    back = back[1:] if back[2:3] == ":" else back
    assert PureWindowsPath(back) == PureWindowsPath(path)


@pytest.mark.parametrize("name", AWKWARD)
def test_posix_paths_round_trip(name):
    path = PurePosixPath("/home/校长") / name / "tisheng.sqlite3"
    assert _sqlite_path(file_uri(path) + "?mode=ro") == str(path)


def test_nothing_but_app_dbfile_builds_a_sqlite_uri():
    """A hand-built f"file:{path}?mode=ro" breaks on a folder named “1#楼”; a hand-built
    f"sqlite:///{path}" on one holding `?` or `%20`. Every open goes through app/dbfile.py."""
    pattern = re.compile(r"""uri\s*=\s*True|[frbFRB]{0,2}["']file:|sqlite:///|mode=ro""")
    found = []
    for root in ("app", "tests"):
        for path in sorted((ROOT / root).rglob("*.py")):
            if path in (ROOT / "app" / "dbfile.py", Path(__file__).resolve()):
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


def test_the_file_contract_is_stated_once():
    """The SQLite header, the "is this a database" test and the busy timeout live in app/dbfile.py
    alone; copies drift apart."""
    pattern = re.compile(r"""SQLite format 3|def looks_like_sqlite|BUSY_TIMEOUT_S\s*=|["']timeout["']\s*:\s*\d|"""
                         r"""timeout\s*=\s*10\b|busy_timeout\s*=\s*\d""")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "app").rglob("*.py"))
             if path != ROOT / "app" / "dbfile.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert found == []
