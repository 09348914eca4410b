"""Reading while the caller works: python-calamine parses the checked file on a thread, and the
caller's `meanwhile` runs only once the file has passed its checks."""

from __future__ import annotations

import threading

import pytest

from app.services.excel import read_roster
from app.services.excel.safety import FileRejected
from tests.excel.helpers import make_id, write_rows

HEADER = ["姓名", "身份证号", "手机号"]


def _roster(path, n=50):
    return write_rows(path, [HEADER] + [[f"教师{chr(0x4e00 + i)}", make_id(i), f"139{i:08d}"] for i in range(n)],
                      text_cols=(2, 3))


def _parsing() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "calamine-parse"]


def test_the_rows_are_read_with_the_callers_work_done_between(tmp_path):
    calls = []
    table = read_roster(_roster(tmp_path / "r.xlsx"), meanwhile=lambda: calls.append("meanwhile"))
    assert calls == ["meanwhile"]
    assert len(table.rows) == 50 and table.rows[0][1][1] == make_id(0)
    assert not _parsing()


def test_a_file_refused_by_its_checks_never_reaches_meanwhile(tmp_path):
    bad = tmp_path / "r.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)         # a zip that is not one
    calls = []
    with pytest.raises(FileRejected):
        read_roster(bad, meanwhile=lambda: calls.append("meanwhile"))
    assert calls == []


def test_an_error_in_meanwhile_is_raised_after_the_parse_is_over_and_the_file_closed(tmp_path):
    src = _roster(tmp_path / "r.xlsx", n=2000)

    def fail():
        raise RuntimeError("数据文件夹打不开")
    with pytest.raises(RuntimeError, match="数据文件夹打不开"):
        read_roster(src, meanwhile=fail)
    assert not _parsing()
    src.rename(tmp_path / "moved.xlsx")                     # (Windows: only a closed file can be moved)


def test_a_chosen_sheet_is_the_only_one_parsed_ahead(tmp_path, monkeypatch):
    """A preview where the user points at a sheet reads that sheet: the others are not parsed."""
    from openpyxl import Workbook

    from app.services.excel import parse_ahead

    parsed = []
    real = parse_ahead.ParseAhead.__init__

    def spy(self, workbook, names):
        parsed.append(list(names))
        real(self, workbook, names)
    monkeypatch.setattr(parse_ahead.ParseAhead, "__init__", spy)
    path = tmp_path / "two.xlsx"
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["请在“花名册”页填写"])
    roster = wb.create_sheet("花名册")
    for row in [HEADER, ["王芳", make_id(1), "13900000001"]]:
        roster.append(row)
    wb.save(path)
    assert read_roster(path, sheet="花名册").rows[0][1][0] == "王芳"
    assert read_roster(path).sheet == "花名册"
    assert parsed == [["花名册"], ["说明", "花名册"]]
