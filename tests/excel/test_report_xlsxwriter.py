"""The summary workbook as XlsxWriter writes it (xw_cells): hostile text stays text, the styles
and widths are cells.py's, and a failed or cancelled write leaves nothing behind."""

from __future__ import annotations

import errno
import re
import tempfile
import zipfile

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from app.services.excel import cells, import_roster, write_report
from app.services.excel import xw_cells
from app.services.excel.plain import format_plain
from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, write_rows

EVIL = '=HYPERLINK("http://x","点我")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# what each teacher is made to be called (or to teach) in the database, past the roster's checks
HOSTILE = {
    1: {"name": "王\x01芳\x0b"},                              # control characters: cleaned to spaces
    2: {"name": EVIL},
    3: {"name": "@SUM(甲)", "subject": "\t制表"},
    4: {"name": "-李", "subject": "语" * 40000},                # over Excel's 32,767 characters
    5: {"name": "+王", "staff_no": "=1+1"},
    6: {"name": "http://evil.example/x", "subject": "\r回车"},
    7: {"name": "0012", "staff_no": "007"},                   # numbers as text keep their zeros
    8: {"name": "1E5", "subject": "www.example.com"},
    9: {"name": "mailto:a@b.c", "subject": "_x0041_"},        # literal OOXML escape: not an "A"
    10: {"name": "１２３", "subject": "a\nb\r\nc"},
}


@pytest.fixture
def hostile(school, tmp_path):
    rows = [ROSTER_HEADER] + [roster_row(n, f"教师{'甲乙丙丁戊己庚辛壬癸'[n - 1]}") for n in HOSTILE]
    rows[5] = roster_row(5, "教师戊", 联系电话="+86 138 0000 0005")
    result = import_roster(school, write_rows(tmp_path / "r.xlsx", rows))
    assert result.added == len(HOSTILE), [e.describe() for e in result.errors]
    with school.transaction() as conn:
        for n, fields in HOSTILE.items():
            for column, value in fields.items():
                conn.execute(f"UPDATE teacher SET {column} = ? WHERE id_number = ?", (value, make_id(n)))
    return school


def _cells(path):
    wb = load_workbook(path)
    return wb, [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("unmask", [False, True])
def test_hostile_names_and_values_stay_text(hostile, tmp_path, unmask):
    dest = write_report(hostile, tmp_path / "汇总.xlsx", unmask=unmask)
    with zipfile.ZipFile(dest) as z:
        for name in z.namelist():
            part = z.read(name)
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in part and b"<f " not in part and b"hyperlink" not in part, name
    wb, every = _cells(dest)
    texts = [c for c in every if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in texts), [(c.coordinate, c.data_type) for c in texts if c.data_type != "s"]
    # the quote prefix exactly where Excel would otherwise read a formula
    wrong = [(c.parent.title, c.coordinate, c.value[:10]) for c in texts
             if bool(c.quotePrefix) != c.value.startswith(TRIGGERS + ("_x0009_", "_x000D_"))]
    assert not wrong, wrong
    values = {c.value for c in texts}
    assert {EVIL, "@SUM(甲)", "-李", "+王", "=1+1", "http://evil.example/x", "mailto:a@b.c", "0012", "1E5",
            "１２３", "www.example.com", "王 芳 "} <= values
    assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", v) for v in values)
    assert max(len(v) for v in values) == 32767

    # Excel's reading of the escapes, as python-calamine (the app's own reader) does it
    book = CalamineWorkbook.from_path(str(dest))
    seen = {v for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for v in row}
    assert {"\t制表", "\r回车", "a\nb\r\nc", "_x0041_", "007"} <= seen and "A" not in seen

    sheet = wb["教师学时"]
    header = [c.value for c in sheet[2]]
    for title in ("工号", "身份证号", "联系电话"):
        column = [row[header.index(title)] for row in sheet.iter_rows(min_row=3)]
        assert all(isinstance(c.value, str) and c.number_format == "@" for c in column if c.value is not None), title
    ids = {c.value for c in sheet["D"][2:]}
    assert (make_id(1) in ids) is unmask
    assert ("13800000005" in {c.value for c in sheet["E"][2:]}) is unmask


def test_styles_are_those_of_cells_py():
    def rgb(color):
        return "#" + color.rgb[-6:]
    assert dict(xw_cells.GOOD) == {"font_color": rgb(cells.GOOD_FONT.color)}
    assert dict(xw_cells.BAD) == {"font_color": rgb(cells.BAD_FONT.color), "bold": cells.BAD_FONT.b}
    assert dict(xw_cells.TITLE) == {"bold": cells.TITLE_FONT.b, "font_size": cells.TITLE_FONT.sz}
    assert dict(xw_cells.HEADER) == {
        "bold": cells.HEADER_FONT.b, "pattern": 1, "bg_color": rgb(cells.HEADER_FILL.fgColor),
        "border": 1, "border_color": rgb(cells.THIN.color), "align": cells.CENTER.horizontal, "valign": "vcenter"}
    assert cells.HEADER_FILL.fill_type == "solid" and cells.THIN.style == "thin" and cells.CENTER.vertical == "center"
    assert dict(xw_cells.CENTER) == {"align": "center", "valign": "vcenter"}
    assert dict(xw_cells.WRAP) == {"text_wrap": cells.WRAP.wrap_text, "valign": cells.WRAP.vertical}


def test_header_title_fonts_and_comments(hostile, tmp_path):
    wb = load_workbook(write_report(hostile, tmp_path / "汇总.xlsx"))
    assert wb.active.title == "教师学时" and wb.worksheets[0].sheet_view.tabSelected
    for sheet in wb.worksheets:
        title = sheet["A1"]
        assert title.font.b and title.font.sz == 14 and sheet.row_dimensions[1].height == 24
        assert [str(r) for r in sheet.merged_cells.ranges] == [f"A1:{sheet.cell(2, sheet.max_column).column_letter}1"] \
            or sheet.title == "能力点统计", sheet.title
        for c in sheet[2]:
            if c.value is None:
                continue
            assert c.font.b and c.fill.fill_type == "solid" and c.fill.fgColor.rgb.endswith("DDEBF7"), c.coordinate
            assert c.border.left.style == "thin" and c.border.bottom.color.rgb.endswith("A6A6A6")
            assert (c.alignment.horizontal, c.alignment.vertical) == ("center", "center")
        assert sheet.page_setup.fitToHeight == 0 and sheet.print_options.horizontalCentered
        assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
    hours = wb["教师学时"]
    col = [c.value for c in hours[2]].index("学时达标") + 1
    for row in hours.iter_rows(min_row=3):
        ok = row[col - 1]
        assert ok.alignment.horizontal == "center"
        if ok.value == "未达标":
            assert ok.font.b and ok.font.color.rgb.endswith("C00000")
        assert row[col].alignment.wrap_text                                      # 说明
    assert {c.value for c in hours[hours.cell(3, col).column_letter][2:]} == {"未达标"}
    matrix = wb["微能力选点"]
    a1 = next(c for c in matrix[2] if c.value == "A1")
    assert a1.comment.author == "提升工程助手" and a1.comment.text.startswith("A1 ")
    assert all(c.alignment.horizontal == "center" for c in matrix[a1.column_letter][2:])
    results = wb["考核结果"]
    for row in results.iter_rows(min_row=3):
        if row[8].value == "否":
            assert row[8].font.color.rgb.endswith("C00000") and row[8].font.b
    findings = wb["未达标清单"]
    must = [row[1] for row in findings.iter_rows(min_row=3) if row[1].value == "必须处理"]
    assert must and all(c.font.b and c.font.color.rgb.endswith("C00000") for c in must)
    assert wb["概况"].page_setup.orientation == "portrait" and wb["教师学时"].page_setup.orientation == "landscape"


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    root = tmp_path / "系统临时"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def _width(sheet, col):
    return next(d.width for d in sheet.column_dimensions.values() if d.min <= col <= d.max)


def test_widths_follow_fit_widths_rule(hostile, tmp_path, temp_root):
    """Columns are as wide as cells.fit_widths makes them from the header and first rows (the
    file stores the same width openpyxl stored: Excel shows the same pixels)."""
    wb = load_workbook(write_report(hostile, tmp_path / "汇总.xlsx"))
    assert list(temp_root.iterdir()) == []                           # XlsxWriter's parts removed
    sheet = wb["教师学时"]
    last = sheet.max_column
    for col in range(2, last + 1):
        if col in (4, 5, last):                                      # fixed: 身份证号, 联系电话, 说明
            assert _width(sheet, col) == {4: 21, 5: 14, last: 48}[col]
            continue
        text = max(cells.text_width(format_plain(r[0].value)) for r in sheet.iter_rows(min_col=col, max_col=col))
        assert _width(sheet, col) == max(6, min(40, text + 2)), col
    first = max(len(str(r[0].value or "")) for r in sheet.iter_rows(min_row=2, max_col=1))
    assert _width(sheet, 1) == max(6, min(first * 2 + 2, 30))
    assert _width(wb["教师学时"], 6) == 40                             # 40,000 characters: the maximum
    # 4.5 characters can only be stored to the pixel: the 31 pixels Excel showed before
    matrix = wb["微能力选点"]
    assert xw_cells.excel_pixels(_width(matrix, 6)) == xw_cells.excel_pixels(4.5) == 31


def test_disk_full_while_zipping_leaves_the_old_file(hostile, tmp_path, temp_root, monkeypatch):
    from app.errors import StorageError
    dest = tmp_path / "汇总.xlsx"
    dest.write_bytes(b"the report of yesterday")

    def full(self, *args, **kwargs):
        self.fp.write(b"PK\x03\x04 half a part")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    with pytest.raises(StorageError) as err:
        write_report(hostile, dest)
    assert "磁盘空间不足" in err.value.user_message and "汇总.xlsx" in err.value.user_message
    assert dest.read_bytes() == b"the report of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []
    assert list(temp_root.iterdir()) == []                           # XlsxWriter's parts removed


def test_disk_full_in_the_temporary_folder_says_so(hostile, tmp_path, temp_root, monkeypatch):
    from xlsxwriter.packager import Packager

    from app.errors import StorageError

    def full(self):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(Packager, "_write_worksheet_files", full)
    with pytest.raises(StorageError) as err:
        write_report(hostile, tmp_path / "汇总.xlsx")
    assert "写入临时文件" in err.value.user_message and "磁盘空间不足" in err.value.user_message
    assert str(temp_root) in err.value.user_message
    assert list(tmp_path.glob("汇总.xlsx*")) == [] and list(temp_root.iterdir()) == []


def test_cancel_between_sheets_leaves_no_temporary_parts(hostile, tmp_path, temp_root):
    from app.errors import CancelledError
    from app.services.progress import Progress
    progress = Progress(lambda done, total, text: progress.cancel() if done == 5 else None, min_interval=0)
    with pytest.raises(CancelledError):
        write_report(hostile, tmp_path / "取消.xlsx", progress=progress)
    assert list(tmp_path.glob("取消.xlsx*")) == [] and list(temp_root.iterdir()) == []


def test_the_hours_export_has_the_reports_hours_sheet(hostile, tmp_path):
    """exports.export_hours writes the same 教师学时 table into its own (openpyxl) workbook."""
    from app.services.excel.exports import export_hours
    paths = write_report(hostile, tmp_path / "汇总.xlsx"), export_hours(hostile, tmp_path / "学时.xlsx")
    report, export = (load_workbook(p)["教师学时"] for p in paths)

    def look(sheet):
        return [[(bool(c.font.b), c.font.color.rgb[-6:] if c.font.color is not None and
                  isinstance(c.font.color.rgb, str) else None, c.alignment.horizontal, bool(c.quotePrefix),
                  c.number_format) for c in row] for row in sheet.iter_rows()]
    assert look(report) == look(export)
    # the values as Excel reads them (openpyxl leaves XlsxWriter's _x000D_ for a carriage return)
    # (and openpyxl writes a literal "_x0041_" unescaped, which Excel reads as "A": left out here)
    values = [[[v for v in row if v not in ("_x0041_", "A")] for row in
               CalamineWorkbook.from_path(str(p)).get_sheet_by_name("教师学时").to_python()] for p in paths]
    assert values[0] == values[1]
    assert [_width(report, c) for c in range(1, report.max_column + 1)] == \
        [_width(export, c) for c in range(1, export.max_column + 1)]
