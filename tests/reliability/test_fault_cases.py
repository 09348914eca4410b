"""Fault cases of reference §9 that no other test covered, and regressions found by the bad-input
corpus (tests/corpus). The table of all 48 cases and their tests is docs/fault-cases.md."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from app.errors import StorageError
from app.services import fileio


def _blocked(times: int, calls: list):
    real = fileio.os.replace

    def replace(src, dst):
        calls.append(dst)
        if len(calls) <= times:
            err = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。")
            err.winerror = 32                     # ERROR_SHARING_VIOLATION, what antivirus causes
            raise err
        return real(src, dst)
    return replace


def test_case31_rename_held_by_antivirus_is_retried_then_succeeds(tmp_path, monkeypatch):
    calls: list = []
    monkeypatch.setattr(fileio.os, "replace", _blocked(2, calls))
    monkeypatch.setattr(fileio.time, "sleep", lambda s: None)
    target = tmp_path / "记录.json"
    fileio.atomic_write_bytes(target, b"{}")
    assert target.read_bytes() == b"{}" and len(calls) == 3
    assert not list(tmp_path.glob("*.tmp"))


def test_case31_rename_held_for_good_stops_with_a_chinese_message_naming_the_file(tmp_path, monkeypatch):
    calls: list = []
    monkeypatch.setattr(fileio.os, "replace", _blocked(99, calls))
    monkeypatch.setattr(fileio.time, "sleep", lambda s: None)
    target = tmp_path / "记录.json"
    with pytest.raises(StorageError) as exc:
        fileio.atomic_write_bytes(target, b"{}")
    assert len(calls) == 5                        # bounded: five attempts, then a clear error
    assert "记录.json" in exc.value.user_message and "杀毒软件" in exc.value.user_message
    assert not target.exists()


def _sheet_without_dimension(rows: bytes) -> bytes:
    from openpyxl import Workbook
    buf = io.BytesIO()
    wb = Workbook()
    wb.active.append(["姓名", "身份证号"])
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>' + rows)
            zout.writestr(info.filename, data)
    return out.getvalue()


def test_case5_sheet_size_is_not_found_by_parsing_the_whole_sheet(tmp_path):
    """openpyxl's read-only dimension lookup parsed a sheet without <dimension> to its end (a
    million rows: half a minute before the row limit could apply). It must stop at <sheetData>:
    here everything after <sheetData> is not even XML, and opening still succeeds."""
    from app.services.excel.readers import open_xlsx
    from app.services.excel.safety import FileRejected
    f = tmp_path / "无尺寸.xlsx"
    f.write_bytes(_sheet_without_dimension(b"\x00 not xml at all <<<" * 1000))
    src = open_xlsx(f)                            # no parse of the rows yet
    try:
        with pytest.raises(FileRejected, match="无尺寸.xlsx.*内部的表格数据格式错误"):
            list(src.sheets[0].rows())            # the damage is reported when the rows are read
    finally:
        src.close()


def _db_with_damaged_schema_text(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE teacher(id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("CREATE TABLE blob(sha256 TEXT PRIMARY KEY)")
    con.execute("CREATE TABLE evidencefile(id INTEGER PRIMARY KEY)")
    con.execute("PRAGMA user_version=1")
    con.commit()
    con.close()
    data = bytearray(path.read_bytes())
    at = data.find(b"CREATE TABLE teacher")
    data[at + 13:at + 15] = b"\xcc\x28"            # not UTF-8: SQLite's error text then is not either
    path.write_bytes(bytes(data))
    return path


def test_case43_schema_damage_that_is_not_utf8_is_described_in_chinese(tmp_path):
    from app.services.backup.retention import verify_backup_file
    from app.services.backup.source import BackupRejected
    from app.services.backup.staging import check_database_file
    from app.services.dbcheck import check_database
    db = _db_with_damaged_schema_text(tmp_path / "坏.sqlite3")
    problem = check_database(db, full=False)
    assert problem is not None and "已损坏" in problem and "malformed" not in problem
    ok, why = verify_backup_file(db)
    assert not ok and "已损坏" in why
    with pytest.raises(BackupRejected, match="坏.sqlite3.*已损坏"):
        check_database_file(db)


def test_case43_a_command_never_writes_into_a_damaged_database(tmp_path):
    """Every command, not only the window, refuses a damaged database before opening it."""
    from app.cli.main import main
    from app.services.workspace import Workspace
    root = tmp_path / "data"
    Workspace.open(root).close()
    db = root / "tisheng.sqlite3"
    data = db.read_bytes()
    db.write_bytes(data[:4096] + b"\xa5" * (len(data) - 4096))   # every page after the first
    before = db.read_bytes()
    assert main(["teacher", "list", "--data-dir", str(root)]) == 5
    assert db.read_bytes() == before


def test_case3_damaged_old_xls_is_refused_not_a_crash(tmp_path):
    """xlrd fails with AssertionError/IndexError while parsing a damaged sheet (on demand)."""
    from app.services.excel.readers import open_source
    from app.services.excel.safety import FileRejected
    xls = (Path(__file__).resolve().parent.parent / "excel" / "fixtures" / "roster_old.xls").read_bytes()
    refused = 0
    for i in range(0, len(xls), 97):              # one byte damaged at a time, across the file
        f = tmp_path / f"坏{i}.xls"
        f.write_bytes(xls[:i] + bytes([xls[i] ^ 0xFF]) + xls[i + 1:])
        try:
            src = open_source(f)
            try:
                for sheet in src.sheets:
                    list(sheet.rows())
            finally:
                src.close()
        except FileRejected as exc:
            refused += 1
            assert f.name in exc.user_message
    assert refused > 0


def test_case43_a_column_renamed_by_damage_is_caught_at_start_up(tmp_path):
    """One damaged byte inside a CREATE statement still parses (quick_check passes) but renames a
    column; the start-up check compares the schema with the app's tables instead of failing later."""
    from app.services.dbcheck import check_database
    from app.services.workspace import Workspace
    root = tmp_path / "data"
    Workspace.open(root).close()
    db = root / "tisheng.sqlite3"
    data = db.read_bytes()
    assert data.count(b"environment") >= 1
    db.write_bytes(data.replace(b"environment", b"envirXnment"))
    problem = check_database(db, full=False)
    assert problem is not None and "缺少列" in problem and "environment" in problem
