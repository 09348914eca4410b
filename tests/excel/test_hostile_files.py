"""Hostile and broken files: a clear Chinese message naming the file, nothing written (§9 cases 1–7)."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from app.services.excel import FileRejected, Limits, import_roster
from app.services.excel.readers import scan_sheet_part
from app.services.excel.safety import prescan_xlsx, sniff
from app.services.excel.table import load_table
from app.services.excel.fields import ROSTER_FIELDS
from tests.excel.helpers import ROSTER_HEADER, roster_row, rewrite_zip_member, teachers, write_rows


def test_openpyxl_uses_defusedxml():
    import app.services.excel.xl  # noqa: F401  (checked where openpyxl is loaded)
    assert openpyxl.DEFUSEDXML is True


def _refused(ws, path, *words, **kw):
    with pytest.raises(FileRejected) as exc:
        import_roster(ws, path, **kw)
    msg = exc.value.user_message
    assert path.name in msg, msg
    for w in words:
        assert w in msg, msg
    assert teachers(ws) == {}
    return msg


def test_zero_byte_file(ws, tmp_path):
    f = tmp_path / "空.xlsx"
    f.write_bytes(b"")
    _refused(ws, f, "空文件")
    g = tmp_path / "空.csv"
    g.write_bytes(b"")
    _refused(ws, g, "空文件")


@pytest.mark.parametrize("content,word", [
    (b"<html><body><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr></table></body></html>", "网页"),
    ("姓名,身份证号\n王芳,110105194912310021\n".encode("utf-8"), "纯文本"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Excel 2007+"),
    (bytes(range(256)) * 4, "Excel 2007+"),
])
def test_not_a_spreadsheet_renamed_to_xlsx(ws, tmp_path, content, word):
    f = tmp_path / "花名册.xlsx"
    f.write_bytes(content)
    msg = _refused(ws, f, word)
    assert "xlsx" in msg


def test_truncated_xlsx(ws, tmp_path):
    good = write_rows(tmp_path / "good.xlsx", [ROSTER_HEADER, roster_row(1)])
    f = tmp_path / "截断.xlsx"
    f.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(ws, f, "损坏")


def test_a_zip_that_is_not_a_workbook(ws, tmp_path):
    f = tmp_path / "文档.xlsx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("word/document.xml", "<w/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    _refused(ws, f, "不是 Excel 工作簿")


def test_zip_bomb_ratio_is_refused_before_openpyxl(ws, tmp_path):
    f = write_rows(tmp_path / "bomb.xlsx", [ROSTER_HEADER, roster_row(1)])
    with zipfile.ZipFile(f, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))   # ~1000:1
    _refused(ws, f, "压缩比", "压缩炸弹")


def test_zip_limits_on_size_and_entries(tmp_path):
    f = write_rows(tmp_path / "big.xlsx", [ROSTER_HEADER, roster_row(1)])
    with pytest.raises(FileRejected, match="超过单个部件上限"):
        prescan_xlsx(f, Limits(max_part_uncompressed=1000))
    with pytest.raises(FileRejected, match="超过上限"):
        prescan_xlsx(f, Limits(max_total_uncompressed=2000))
    with pytest.raises(FileRejected, match="内部部件"):
        prescan_xlsx(f, Limits(max_entries=3))
    prescan_xlsx(f)        # the real limits accept a normal workbook


def test_encrypted_entries_are_refused(tmp_path):
    f = write_rows(tmp_path / "enc.xlsx", [ROSTER_HEADER, roster_row(1)])
    data = bytearray(f.read_bytes())
    pos = data.find(b"PK\x01\x02")              # central directory: set "encrypted" on the entries
    while pos != -1:
        data[pos + 8] |= 0x1
        pos = data.find(b"PK\x01\x02", pos + 4)
    f.write_bytes(bytes(data))
    with pytest.raises(FileRejected, match="已加密"):
        prescan_xlsx(f)


def test_xml_entity_bomb_is_stopped_by_defusedxml(ws, tmp_path):
    f = write_rows(tmp_path / "laughs.xlsx", [ROSTER_HEADER, roster_row(1)])
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
            + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
              'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    dtd = bomb.split("<sst")[0].replace('<?xml version="1.0"?>', "").encode()

    def plant(xml: bytes) -> bytes:
        start = xml.index(b"<worksheet")
        return xml[:start] + dtd + xml[start:].replace(b"<t>", b"<t>&lol9;", 1)
    rewrite_zip_member(f, "xl/worksheets/sheet1.xml", plant)
    _refused(ws, f, "不安全")


def test_row_limit_is_stated(ws, tmp_path):
    f = write_rows(tmp_path / "大.xlsx", [ROSTER_HEADER] + [roster_row(i) for i in range(1, 61)])
    msg = _refused(ws, f, "50 行", limits=Limits(max_rows=50))
    assert "分成几个文件" in msg


def test_lying_dimension_is_ignored(ws, tmp_path):
    f = write_rows(tmp_path / "dim.xlsx", [ROSTER_HEADER] + [roster_row(i) for i in range(1, 31)])
    rewrite_zip_member(f, "xl/worksheets/sheet1.xml",
                       lambda d: d.replace(b'<dimension ref="A1:K31"', b'<dimension ref="A1:A1"'))
    with zipfile.ZipFile(f) as z:
        assert b'<dimension ref="A1:A1"' in z.read("xl/worksheets/sheet1.xml")
    result = import_roster(ws, f)
    assert result.added == 30


def test_formulas_without_cached_values_are_refused(ws, tmp_path):
    rows = [["姓名", "身份证号", "工号"], ["王芳", '=CONCATENATE("3301","02198001010027")', "T1"]]
    f = write_rows(tmp_path / "公式.xlsx", rows, formulas=True)
    _refused(ws, f, "含未计算的公式，请在 Excel/WPS 中打开并保存后再导入", "B2")


def test_uncalculated_formula_in_an_unused_column_does_not_block(ws, tmp_path):
    from tests.excel.helpers import make_id
    rows = [["姓名", "身份证号", "年龄"], ["王芳", make_id(1), "=DATEDIF(A1,TODAY(),\"y\")"]]
    f = write_rows(tmp_path / "年龄.xlsx", rows, formulas=True)
    assert import_roster(ws, f).added == 1


def test_scan_tells_cached_from_uncached(tmp_path):
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c>'
           b'<c r="B1"><f>1+1</f><v></v></c><c r="C1" t="str"><f>""</f><v></v></c>'
           b'<c r="D1"><f t="shared" si="0"/></c></row></sheetData>'
           b'<mergeCells count="1"><mergeCell ref="A3:B5"/></mergeCells></worksheet>')
    f = tmp_path / "z.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("s.xml", xml)
    from app.services.safezip import SafeZip
    with SafeZip(f) as z:
        scan = scan_sheet_part(z, "s.xml", chunk=16, overlap=200)
    assert scan.uncached == [(1, 2), (1, 4)]
    assert scan.merged == [(3, 1, 5, 2)]


def test_hidden_sheets_are_not_read(tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    wb.active.title = "封面"
    wb.active["A1"] = "2026年教师名单"
    hidden = wb.create_sheet("旧名单")
    hidden.append(["姓名", "身份证号", "手机"])
    hidden.sheet_state = "hidden"
    f = tmp_path / "hidden.xlsx"
    wb.save(f)
    with pytest.raises(FileRejected, match="没有找到教师花名册的表头"):
        load_table(f, ROSTER_FIELDS, what="教师花名册")


def test_sniff_reports_kinds(tmp_path):
    f = tmp_path / "a.bin"
    f.write_bytes(b"PK\x03\x04rest")
    assert sniff(f).name == "zip"
    f.write_bytes(b"\xef\xbb\xbf<!DOCTYPE html><html>")
    assert sniff(f).name == "html"


def test_unsupported_extension(ws, tmp_path):
    f = tmp_path / "名单.docx"
    f.write_bytes(b"PK\x03\x04")
    _refused(ws, f, "不支持")


def test_missing_file_is_named(ws, tmp_path):
    with pytest.raises(FileRejected, match="不存在"):
        import_roster(ws, tmp_path / "没有.xlsx")


def test_xls_that_is_not_really_xls(ws, tmp_path):
    f = tmp_path / "旧.xls"
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    _refused(ws, f, "另存为", ".xlsx")


def test_memory_stays_bounded_on_a_large_sheet(ws, tmp_path):
    """A sheet above the row limit is refused at the limit, streaming (read-only mode)."""
    import tracemalloc

    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    sh = wb.create_sheet("名单")
    sh.append(ROSTER_HEADER)
    row = roster_row(1)
    for _ in range(3000):
        sh.append(row)
    f = tmp_path / "big.xlsx"
    wb.save(f)
    tracemalloc.start()
    try:
        with pytest.raises(FileRejected, match="2,000"):
            load_table(f, ROSTER_FIELDS, limits=Limits(max_rows=2000))
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024
