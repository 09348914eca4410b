"""Templates: what the office downloads, fills in and imports again."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from app.services.excel import import_hours, import_roster, write_template
from app.services.excel.templates import ROSTER_COLUMNS
from tests.excel.helpers import fill_template, hours, make_id, teachers


def _validations(sheet):
    out = {}
    for dv in sheet.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0].rstrip("0123456789")] = dv
    return out


def test_roster_template_layout(school, tmp_path):
    from app.services.school import add_teaching_point
    add_teaching_point(school, "东沟教学点")
    dest = write_template(school, "roster", tmp_path / "花名册模板.xlsx")
    wb = load_workbook(dest)
    assert wb.sheetnames[:2] == ["教师花名册", "说明"]
    assert wb["选项"].sheet_state == "hidden"
    sheet = wb["教师花名册"]
    assert [c.value for c in sheet[1]] == list(ROSTER_COLUMNS)
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert int(sheet.page_setup.paperSize) == 9           # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    col = {name: chr(ord("A") + i) for i, name in enumerate(ROSTER_COLUMNS)}
    # ID column kept as text, wide enough for 18 digits; Chinese headers fit
    assert sheet[f"{col['身份证号']}2"].number_format == "@"
    assert sheet[f"{col['身份证号']}500"].number_format == "@"
    assert sheet.column_dimensions[col["身份证号"]].width >= 20
    assert sheet.column_dimensions[col["编制类型"]].width >= 10
    dvs = _validations(sheet)
    assert dvs[col["性别"]].formula1 == '"男,女"'
    assert dvs[col["编制类型"]].formula1 == '"在编,临聘,代课"'
    assert dvs[col["性别"]].showDropDown in (False, None)       # True would hide the arrow
    assert dvs[col["学段"]].type == "list"
    subject = dvs[col["任教学科"]].formula1
    assert subject.startswith("'选项'!$") and not subject.startswith("=")
    options = wb["选项"]
    letter = subject.split("!$")[1].split("$")[0]
    values = [options[f"{letter}{r}"].value for r in range(2, options.max_row + 1)]
    assert "语文" in values and "道德与法治" in values
    point = dvs[col["教学点"]].formula1
    assert point.startswith("'选项'!$")
    assert options[point.split("!$")[1].replace("$", "").split(":")[0]].value == "东沟教学点"
    assert any(dv.type == "textLength" and dv.formula1 == "18" for dv in sheet.data_validations.dataValidation)
    assert "身份证号" in "".join(str(c.value) for c in wb["说明"]["A"] if c.value)


def test_roster_template_round_trip(school, tmp_path):
    template = write_template(school, "roster", tmp_path / "模板.xlsx")
    rows = [["王芳", "女", make_id(1, male=False), "13800000001", "语文", "小学", "在编", "一级教师", "T1",
             "东沟教学点", "", "在岗", "", ""],
            ["李强", "", make_id(2), "", "数学", "初中", "临聘", "", "T2", "", "", "", "", ""]]
    filled = fill_template(template, tmp_path / "已填.xlsx", rows)
    result = import_roster(school, filled)
    assert result.ok and result.added == 2, [e.describe() for e in result.errors]
    assert any("示例行" in n for n in result.notices)
    by_id = teachers(school)
    assert by_id[make_id(2)].gender == "男" and by_id[make_id(2)].staff_type == "临聘"
    assert "11010519491231002X" not in by_id        # the example row was skipped
    again = import_roster(school, filled)
    assert (again.added, again.unchanged) == (0, 2)


def test_hours_template_has_the_programmes_categories(school, tmp_path):
    dest = write_template(school, "hours", tmp_path / "学时模板.xlsx")
    wb = load_workbook(dest)
    sheet = wb.worksheets[0]
    dvs = _validations(sheet)
    assert dvs["D"].formula1 == '"网络研修,校本实践"'
    assert sheet["B2"].number_format == "@" and sheet.freeze_panes == "A2"
    assert "说明" in wb.sheetnames


def test_hours_template_round_trip(school, tmp_path):
    import_roster(school, fill_template(write_template(school, "roster", tmp_path / "r.xlsx"),
                                        tmp_path / "r2.xlsx",
                                        [["王芳", "女", make_id(1, male=False)], ["李强", "男", make_id(2)]]))
    template = write_template(school, "hours", tmp_path / "h.xlsx")
    filled = fill_template(template, tmp_path / "h2.xlsx", [
        ["王芳", make_id(1, male=False), "", "网络研修", "信息技术与学科融合", 12, date(2026, 10, 8)],
        ["李强", "", "", "校本实践", "", 6.5, "2026/10/9"]])
    result = import_hours(school, filled)
    assert result.ok and result.added == 2, [e.describe() for e in result.errors]
    recs = hours(school)
    assert [(r.category, r.hours, r.on_date) for r in recs] == [
        ("网络研修", 12.0, date(2026, 10, 8)), ("校本实践", 6.5, date(2026, 10, 9))]
    assert recs[0].source == "平台导入"


def test_hours_template_needs_a_programme(ws, tmp_path):
    from app.errors import AppError
    with pytest.raises(AppError):
        write_template(ws, "hours", tmp_path / "h.xlsx")


def test_inline_lists_never_exceed_255_characters(tmp_path):
    from app.services.excel.templates import write_hours_template
    cats = [f"很长的学时类别名称第{i}项" for i in range(30)]
    dest = write_hours_template(tmp_path / "long.xlsx", categories=cats)
    wb = load_workbook(dest)
    for dv in wb.worksheets[0].data_validations.dataValidation:
        assert len(dv.formula1 or "") <= 255
    assert wb["选项"].sheet_state == "hidden"
