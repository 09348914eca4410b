"""CSV in every encoding WPS and Excel produce, and old .xls files (§9 cases 14–16)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.services.excel import FileRejected, import_roster, preview_roster
from app.services.excel.csv_reader import decode_text
from tests.excel.helpers import make_id, teachers

FIXTURES = Path(__file__).parent / "fixtures"
TRAP_NAMES = ["卢鲁", "楼芦", "鲁卢楼"]     # every character's GBK bytes are also valid UTF-8


def _csv(names: list[str], *, sep: str = ",", eol: str = "\r\n") -> str:
    lines = [sep.join(["姓名", "身份证号", "手机"])]
    for i, name in enumerate(names, 1):
        lines.append(sep.join([name, make_id(i), f"1380000000{i}"]))
    return eol.join(lines) + eol


def test_gbk_bytes_that_also_decode_as_utf8_are_read_as_gbk():
    raw = "卢鲁楼".encode("gbk")
    assert raw.decode("utf-8")            # the trap: it "decodes" without error …
    text, enc = decode_text(raw)
    assert (text, enc) == ("卢鲁楼", "gb18030")


def test_gbk_csv_with_trap_names_imports_correct_names(ws, tmp_path):
    f = tmp_path / "名单.csv"
    f.write_bytes(_csv(TRAP_NAMES).encode("gbk"))
    result = import_roster(ws, f)
    assert result.ok and result.added == 3
    assert result.encoding == "GB18030（GBK）"
    assert sorted(t.name for t in teachers(ws).values()) == sorted(TRAP_NAMES)


def test_ordinary_gbk_csv(ws, tmp_path):
    f = tmp_path / "gbk.csv"
    f.write_bytes(_csv(["王芳", "李强"]).encode("gbk"))
    assert import_roster(ws, f).added == 2
    assert {t.name for t in teachers(ws).values()} == {"王芳", "李强"}


@pytest.mark.parametrize("encoding,label", [("utf-8-sig", "UTF-8（带BOM）"), ("utf-8", "UTF-8"),
                                            ("utf-16", "UTF-16")])
def test_utf_encodings_and_the_bom_never_reaches_the_header(ws, tmp_path, encoding, label):
    f = tmp_path / "u.csv"
    f.write_bytes(_csv(["卢晓", "欧阳·娜"]).encode(encoding))
    preview = preview_roster(ws, f)
    assert preview.encoding == label
    assert preview.recognised["name"] == "姓名"         # not "\ufeff姓名"
    assert [r.values["name"] for r in preview.rows] == ["卢晓", "欧阳·娜"]


def test_semicolon_tab_and_mixed_line_endings(ws, tmp_path):
    f = tmp_path / "semi.csv"
    lines = _csv(["王芳", "李强", "赵敏"], sep=";", eol="\n").splitlines()
    text = lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n" + lines[3] + "\n"
    f.write_bytes(text.encode("utf-8"))
    assert import_roster(ws, f).added == 3
    g = tmp_path / "tab.txt"
    g.write_bytes(f"姓名\t身份证号\r周一\t{make_id(9)}\r".encode("gbk"))
    result = import_roster(ws, g)
    assert result.added == 1


def test_csv_formula_escape_is_undone_on_reimport(ws, tmp_path):
    """Our CSV exports write '+86… ; importing them must give back +86…."""
    f = tmp_path / "q.csv"
    f.write_text(f"姓名,身份证号,手机\n王芳,{make_id(1)},'+86 138 0000 0001\n", encoding="utf-8-sig")
    assert import_roster(ws, f).added == 1
    assert teachers(ws)[make_id(1)].phone == "13800000001"


def test_undecodable_csv_is_refused(ws, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_bytes(b"\xff\xff\xff\x81\x30\xff\xfe\x00abc")
    with pytest.raises(FileRejected) as exc:
        import_roster(ws, f)
    assert "bad.csv" in exc.value.user_message


def test_old_xls_roster(ws, tmp_path):
    f = tmp_path / "旧系统.xls"
    shutil.copy(FIXTURES / "roster_old.xls", f)
    result = import_roster(ws, f)
    assert not result.ok
    [err] = result.errors                       # 楼一's ID was typed as a number in the old system
    assert err.row == 5 and err.column == "身份证号码" and "末尾几位已经丢失" in err.message
    assert err.value == "330102198001010000"
    result = import_roster(ws, f, skip_invalid=True)
    assert result.added == 2
    names = {t.name: t for t in teachers(ws).values()}
    assert set(names) == {"卢晓", "鲁强"}
    assert names["鲁强"].phone == "13800000022"
    assert result.error_workbook is not None and result.error_workbook.suffix == ".xlsx"


def test_xls_renamed_to_xlsx_is_still_read(ws, tmp_path):
    f = tmp_path / "改名.xlsx"
    shutil.copy(FIXTURES / "roster_old.xls", f)
    result = import_roster(ws, f, skip_invalid=True)
    assert result.added == 2
    assert any("旧版 .xls" in n for n in result.notices)
