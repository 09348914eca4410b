"""Text that looks like an OOXML escape (`_x0041_`) is shown as typed: our openpyxl writers escape
it (Excel and python-calamine read `_x0041_` as "A"), and the openpyxl reader path decodes what a
sheet stores as Excel does."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from app.services.excel import readers
from app.services.excel.cells import put
from app.services.excel.ooxml_text import escape_literal, unescape
from app.services.excel.table import load_table
from app.services.excel.fields import ROSTER_FIELDS
from tests.excel.helpers import make_id

TRICKY = ["_x0041_", "_x0041_x0042_", "a_X00e9_b", "_x005F_", "_x005F_x0041_", "_x12_", "x0041_", "_x0041",
          "备注_x000D_第二行", "__x0041__", "普通文字", "_x"]


@pytest.mark.parametrize("text", TRICKY)
def test_escape_then_unescape_is_the_text(text):
    assert unescape(escape_literal(text)) == text


def test_unescape_decodes_as_excel_does():
    assert unescape("_x0041_") == "A"
    assert unescape("_x005F_x0041_") == "_x0041_"
    assert unescape("a_x000D_b") == "a\rb"
    assert unescape("_x0041") == "_x0041"


def _calamine_cells(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[0]


def test_cells_written_with_put_read_back_as_typed(tmp_path):
    wb = Workbook()
    sheet = wb.active
    for c, text in enumerate(TRICKY, 1):
        put(sheet.cell(row=1, column=c), text)
    path = tmp_path / "out.xlsx"
    wb.save(path)
    assert _calamine_cells(path) == TRICKY                  # as Excel decodes the stored text


def test_roster_export_and_error_comments_keep_the_text(school, tmp_path):
    from app.services.excel import import_roster
    from app.services.excel.exports import export_roster
    from app.services.teachers import add_teacher

    add_teacher(school, name="王芳", id_number=make_id(1, male=False), gender="女", note="_x0041_x0042_ 备注")
    out = export_roster(school, tmp_path / "roster.xlsx")
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert any("_x0041_x0042_ 备注" in [str(v) for v in row] for row in rows)

    bad = tmp_path / "bad.xlsx"
    wb = Workbook()
    for r, row in enumerate([["姓名", "身份证号", "联系电话", "备注"],
                             ["李雷", make_id(3), "_x0041_", "_x0041_x0042_"]], 1):   # the phone is refused
        for c, v in enumerate(row, 1):
            put(wb.active.cell(row=r, column=c), v)                     # stored as Excel stores typed text
    wb.save(bad)
    result = import_roster(school, bad, error_workbook=tmp_path / "errors.xlsx")
    assert not result.ok and result.error_workbook is not None
    echoed = CalamineWorkbook.from_path(str(result.error_workbook)).get_sheet_by_index(0).to_python()
    assert ["_x0041_", "_x0041_x0042_"] in [[str(v) for v in row[2:4]] for row in echoed]
    with zipfile.ZipFile(result.error_workbook) as z:
        comments = b"".join(z.read(n) for n in z.namelist() if "comments" in n).decode("utf-8")
    assert "联系电话 _x005F_x0041_ 格式不正确" in comments       # the message quotes the value as typed


def test_the_openpyxl_reader_decodes_as_excel(tmp_path, monkeypatch):
    path = tmp_path / "stored.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "身份证号", "备注"])
    wb.active.append(["王芳", make_id(2, male=False), "_x0041__x005F_x0042_"])   # stored as it is
    wb.save(path)
    fast = load_table(path, ROSTER_FIELDS)
    monkeypatch.setattr(readers, "GRID_CELLS", 0)                               # the streaming reader
    slow = load_table(path, ROSTER_FIELDS)
    assert fast.rows[0][1][2] == slow.rows[0][1][2] == "A_x0042_"
