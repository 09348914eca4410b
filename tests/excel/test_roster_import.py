"""Roster import: real-world layouts, every problem reported, nothing half-written."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from app.errors import CancelledError
from app.services import faults
from app.services.excel import (FileRejected, commit_roster, import_roster, preview_roster,
                                remap_roster)
from app.services.excel.roster_import import NUMERIC_ID_MESSAGE
from app.services.progress import Progress
from tests.excel.helpers import (ROSTER_HEADER, id_with_bad_check, make_id, roster_row, teachers,
                                 write_rows)


def test_plain_roster_is_imported(ws, tmp_path):
    f = write_rows(tmp_path / "名单.xlsx", [ROSTER_HEADER, roster_row(1, "王芳", 性别="女",
                                                                      身份证号=make_id(1, male=False)),
                                             roster_row(2, "李强")])
    result = import_roster(ws, f)
    assert result.ok and result.written
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    by_id = teachers(ws)
    wang = by_id[make_id(1, male=False)]
    assert (wang.name, wang.gender, wang.phone, wang.staff_no) == ("王芳", "女", "13800000001", "T0001")
    assert wang.staff_type == "在编" and wang.status == "在岗"


def test_other_systems_export_with_titles_merges_extra_columns_and_totals(ws, tmp_path):
    """Title rows, a two-level merged header, unknown columns, IDs typed badly, blanks, 合计."""
    wang, li, zhou = make_id(13, male=False), make_id(17), make_id(7)
    spaced = f" {wang[:6]} {wang[6:14]} {wang[14:]} "
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in li)
    lower_x = zhou[:-1] + zhou[-1].lower()
    rows = [
        ["大连市某某小学教师信息统计表", None, None, None, None, None, None, None],
        ["填报单位：某某小学（盖章）", None, None, None, None, None, "2026年9月", None],
        ["序号", "教师姓名", "性别", "身份证号码（必填）", "联系方式", None, "政治面貌", "编制情况"],
        [None, None, None, None, "手机号", "邮箱", None, None],
        [1, "王  芳", "女", spaced, "13812345678", "w@x.cn", "党员", "在编"],
        [None, None, None, None, None, None, None, None],
        [2, "李强", "男", full_width, 13912345678, None, "群众", "编制内"],
        [3, "周晓", "男", lower_x, None, None, None, "代课教师"],
        ["合计", "3人", None, None, None, None, None, None],
        ["填表人：张老师", None, None, None, None, None, None, None],
    ]
    f = write_rows(tmp_path / "教师信息.xlsx", rows,
                   merges=["A1:H1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:G4", "H3:H4"])
    preview = preview_roster(ws, f)
    assert preview.header_rows == (3, 4)
    assert preview.recognised["name"] == "教师姓名"
    assert preview.recognised["id_number"] == "身份证号码（必填）"
    assert preview.recognised["phone"] == "联系方式"
    assert preview.recognised["staff_type"] == "编制情况"
    assert "政治面貌" in {c.header for c in preview.ignored}
    assert preview.ok, [p.describe() for p in preview.errors]
    assert [r.row for r in preview.rows] == [5, 7, 8]
    result = commit_roster(ws, preview)
    assert result.added == 3
    by_id = teachers(ws)
    assert by_id[wang].name == "王芳" and by_id[wang].gender == "女"
    assert by_id[li].phone == "13912345678" and by_id[li].staff_type == "在编"
    assert by_id[zhou].staff_type == "代课"
    assert any("合计" in n or "第 9、10 行" in n for n in preview.notices)


def test_merged_cells_in_data_rows_are_filled_down(ws, tmp_path):
    rows = [["姓名", "身份证号", "教学点"],
            ["甲老师", make_id(1), "东沟教学点"],
            ["乙老师", make_id(2), None],
            ["丙老师", make_id(3), "西岭教学点"]]
    f = write_rows(tmp_path / "a.xlsx", rows, merges=["C2:C3"])
    result = import_roster(ws, f)
    assert result.ok
    by_id = teachers(ws)
    assert by_id[make_id(1)].teaching_point_id == by_id[make_id(2)].teaching_point_id is not None
    assert by_id[make_id(3)].teaching_point_id != by_id[make_id(1)].teaching_point_id


def test_id_stored_as_number_is_refused_with_the_reason(ws, tmp_path):
    rows = [ROSTER_HEADER, roster_row(1), roster_row(2)]
    rows[2][2] = 330102198001010000          # what Excel keeps of 330102198001010035
    f = write_rows(tmp_path / "n.xlsx", rows)
    result = import_roster(ws, f)
    assert not result.ok and not result.written
    [err] = result.errors
    assert (err.row, err.column, err.letter) == (3, "身份证号", "C")
    assert err.value == "330102198001010000"
    assert err.message == NUMERIC_ID_MESSAGE and "末尾几位已经丢失" in err.message
    assert teachers(ws) == {}


def test_scientific_notation_text_is_also_recognised(ws, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("姓名,身份证号\n王芳,3.30102E+17\n", encoding="utf-8")
    result = import_roster(ws, f, error_workbook=False)
    assert "科学计数法" in result.errors[0].message


def test_all_problems_are_reported_together_and_nothing_written(ws, tmp_path):
    rows = [ROSTER_HEADER,
            roster_row(1),
            roster_row(2, 身份证号=id_with_bad_check(2)),
            roster_row(3, 联系电话="12345", 编制类型="外包"),
            roster_row(4, 性别="未知"),
            roster_row(5, name=""),
            roster_row(6, 身份证号="11010519900230123X")]
    f = write_rows(tmp_path / "bad.xlsx", rows)
    result = import_roster(ws, f)
    assert not result.ok and not result.written and result.added == 0
    got = {(e.row, e.column) for e in result.errors}
    assert got == {(3, "身份证号"), (4, "联系电话"), (4, "编制类型"), (5, "性别"), (6, "姓名"),
                   (7, "身份证号")}
    msgs = {(e.row, e.column): e.message for e in result.errors}
    assert "校验位错误" in msgs[(3, "身份证号")]
    assert "不是真实日期" in msgs[(7, "身份证号")]
    assert "在编、临聘、代课" in msgs[(4, "编制类型")]
    assert teachers(ws) == {}


def test_skip_invalid_imports_the_good_rows(ws, tmp_path):
    rows = [ROSTER_HEADER, roster_row(1), roster_row(2, 身份证号=id_with_bad_check(2)), roster_row(3)]
    f = write_rows(tmp_path / "s.xlsx", rows)
    result = import_roster(ws, f, skip_invalid=True)
    assert result.written and not result.ok
    assert result.added == 2 and result.skipped == 1
    assert set(teachers(ws)) == {make_id(1), make_id(3)}


def test_dry_run_writes_nothing(ws, tmp_path):
    f = write_rows(tmp_path / "d.xlsx", [ROSTER_HEADER, roster_row(1), roster_row(2)])
    result = import_roster(ws, f, dry_run=True)
    assert result.ok and result.dry_run and not result.written and result.added == 2
    assert teachers(ws) == {}


def test_reimport_updates_by_id_and_creates_no_duplicates(ws, tmp_path):
    f = write_rows(tmp_path / "r.xlsx", [ROSTER_HEADER, roster_row(1), roster_row(2)])
    assert import_roster(ws, f).added == 2
    again = import_roster(ws, f)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    changed = write_rows(tmp_path / "r2.xlsx", [ROSTER_HEADER, roster_row(1, 联系电话="13900000000"),
                                                roster_row(2), roster_row(3)])
    third = import_roster(ws, changed)
    assert (third.added, third.updated, third.unchanged) == (1, 1, 1)
    by_id = teachers(ws)
    assert len(by_id) == 3 and by_id[make_id(1)].phone == "13900000000"


def test_empty_cells_do_not_erase_known_values(ws, tmp_path):
    import_roster(ws, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1)]))
    f = write_rows(tmp_path / "b.xlsx", [["姓名", "身份证号", "联系电话"], [roster_row(1)[0], make_id(1), None]])
    result = import_roster(ws, f)
    assert result.unchanged == 1
    assert teachers(ws)[make_id(1)].phone == "13800000001"


def test_duplicate_inside_the_file_is_an_error_on_the_later_row(ws, tmp_path):
    f = write_rows(tmp_path / "dup.xlsx", [ROSTER_HEADER, roster_row(1), roster_row(2),
                                           roster_row(1, 工号="T9999")])
    result = import_roster(ws, f)
    [err] = result.errors
    assert err.row == 4 and err.column == "身份证号" and "第 2 行" in err.message
    assert teachers(ws) == {}


def test_same_id_with_another_name_is_a_conflict_never_merged(ws, tmp_path):
    import_roster(ws, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "王芳")]))
    f = write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(1, "王芬")])
    result = import_roster(ws, f)
    [err] = result.errors
    assert err.column == "姓名" and "王芳" in err.message and "不一致" in err.message
    assert teachers(ws)[make_id(1)].name == "王芳"


def test_staff_number_belonging_to_someone_else_is_an_error(ws, tmp_path):
    import_roster(ws, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, 工号="A1")]))
    f = write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(2, 工号="A1")])
    [err] = import_roster(ws, f).errors
    assert err.column == "工号" and "已属于" in err.message


def test_teacher_added_without_id_is_matched_by_name_and_completed(ws, tmp_path):
    from app.models import Teacher
    with ws.sessions() as s:
        s.add(Teacher(name="赵敏"))
        s.commit()
    result = import_roster(ws, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, "赵敏")]))
    assert result.updated == 1 and result.added == 0
    assert result.warnings and "尚未登记身份证号" in result.warnings[0].message
    assert teachers(ws)[make_id(1)].name == "赵敏"


def test_gender_is_taken_from_the_id_when_missing_and_checked_when_given(ws, tmp_path):
    rows = [ROSTER_HEADER, roster_row(1, 性别=""), roster_row(2, 性别="女")]
    result = import_roster(ws, write_rows(tmp_path / "g.xlsx", rows))
    [err] = result.errors
    assert err.row == 3 and err.column == "性别" and "不一致" in err.message
    ok = import_roster(ws, write_rows(tmp_path / "g2.xlsx", [ROSTER_HEADER, roster_row(1, 性别="")]))
    assert ok.added == 1 and teachers(ws)[make_id(1)].gender == "男"


def test_missing_id_column_is_a_file_level_error(ws, tmp_path):
    f = write_rows(tmp_path / "noid.xlsx", [["姓名", "性别", "任教学科"], ["王芳", "女", "语文"]])
    with pytest.raises(FileRejected) as exc:
        import_roster(ws, f)
    assert "noid.xlsx" in exc.value.user_message and "身份证号" in exc.value.user_message


def test_column_mapping_can_be_overridden_before_commit(ws, tmp_path):
    f = write_rows(tmp_path / "m.xlsx", [["姓名", "证件", "电话号"], ["王芳", make_id(1), "13800000001"]])
    with pytest.raises(FileRejected):
        preview_roster(ws, f)           # "证件" alone is not a name we guess
    from app.services.excel.roster_import import read_roster
    blocked = preview_roster(ws, read_roster(f, header_row=1))     # the user points at the header row …
    assert not blocked.ok and "身份证号" in blocked.blocked and blocked.rows == ()
    assert [c.header for c in blocked.columns] == ["姓名", "证件", "电话号"]
    preview = remap_roster(ws, preview_roster(ws, read_roster(f, header_row=1), mapping={1: "id_number"}),
                           {2: "phone"})                     # … and at the columns
    assert preview.ok and preview.recognised == {"name": "姓名", "id_number": "证件", "phone": "电话号"}
    with pytest.raises(FileRejected, match="没有名为“花名册”的工作表"):
        read_roster(f, sheet="花名册")
    f2 = write_rows(tmp_path / "m2.xlsx", [["姓名", "身份证号", "电话号", "备用"],
                                           ["王芳", make_id(1, male=False), "13800000001", "13900000002"]])
    table = read_roster(f2)
    preview = preview_roster(ws, table)
    assert "phone" not in preview.recognised
    preview = remap_roster(ws, preview, {3: "phone"})
    assert preview.recognised["phone"] == "备用"
    result = commit_roster(ws, preview)
    assert result.added == 1 and teachers(ws)[make_id(1, male=False)].phone == "13900000002"


def test_cancel_leaves_nothing(ws, tmp_path):
    f = write_rows(tmp_path / "c.xlsx", [ROSTER_HEADER] + [roster_row(i) for i in range(1, 450)])
    progress = Progress()
    progress.cancel()
    with pytest.raises(CancelledError):
        import_roster(ws, f, progress=progress)
    assert teachers(ws) == {}


def test_a_failure_between_write_steps_rolls_everything_back(ws, tmp_path):
    f = write_rows(tmp_path / "f.xlsx", [ROSTER_HEADER, roster_row(1), roster_row(2)])

    def boom():
        raise OSError(28, "No space left on device")
    faults.inject("import.roster.before_commit", boom)
    with pytest.raises(OSError):
        import_roster(ws, f)
    faults.clear()
    assert teachers(ws) == {}
    assert import_roster(ws, f).added == 2


def test_error_workbook_marks_the_bad_cells(ws, tmp_path):
    rows = [["某某小学教师名单", None, None], ["姓名", "身份证号", "联系电话"],
            ["王芳", id_with_bad_check(1), "13800000001"],
            ["李强", make_id(2), "123"],
            ["=HYPERLINK(\"http://x\",\"点我\")", make_id(3), None]]
    f = write_rows(tmp_path / "教师.xlsx", rows, merges=["A1:C1"])
    result = import_roster(ws, f)
    assert result.error_workbook == tmp_path / "教师_错误标注.xlsx"
    wb = load_workbook(result.error_workbook)
    sheet = wb.worksheets[0]
    red = {c.coordinate for row in sheet.iter_rows() for c in row
           if c.fill is not None and c.fill.fgColor is not None and c.fill.fgColor.rgb == "00FF9999"}
    assert red == {"B3", "C4"}
    assert "校验位错误" in sheet["B3"].comment.text
    assert "格式不正确" in sheet["C4"].comment.text
    assert sheet["A1"].value == "某某小学教师名单"          # same row numbers as the original
    assert sheet["B4"].value == make_id(2) and sheet["B4"].data_type == "s"
    assert sheet["A5"].value.startswith("=HYPERLINK") and sheet["A5"].data_type == "s"
    assert sheet["D3"].value and "校验位错误" in sheet["D3"].value
    listing = wb["错误清单"]
    assert [listing.cell(row=r, column=1).value for r in (2, 3)] == [3, 4]


def test_template_example_row_and_footer_rows_are_skipped(ws, tmp_path):
    from app.services.excel.fields import EXAMPLE_MARK
    rows = [ROSTER_HEADER + ["备注"], roster_row(90, "张三（示例）") + [EXAMPLE_MARK], roster_row(1) + [""],
            ["小计", None, None], ["注：本表由教务处填报", None, None]]
    result = import_roster(ws, write_rows(tmp_path / "t.xlsx", rows))
    assert result.ok and result.added == 1


def test_header_only_file_says_there_is_no_data(ws, tmp_path):
    with pytest.raises(FileRejected) as exc:
        import_roster(ws, write_rows(tmp_path / "h.xlsx", [ROSTER_HEADER]))
    assert "没有教师数据" in exc.value.user_message


def test_retire_date_and_exempt_reason(ws, tmp_path):
    rows = [["姓名", "身份证号", "状态", "状态说明", "退休日期"],
            ["王芳", make_id(1), "免修", "", "2027-06-30"],
            ["李强", make_id(2), "免修", "距退休不满5年", "2027/6/30"]]
    result = import_roster(ws, write_rows(tmp_path / "e.xlsx", rows))
    [err] = result.errors
    assert err.row == 2 and "原因" in err.message
    result = import_roster(ws, write_rows(tmp_path / "e2.xlsx", rows[:1] + rows[2:]))
    assert result.added == 1 and teachers(ws)[make_id(2)].retire_date == date(2027, 6, 30)


def test_peek_shows_the_first_rows_of_each_sheet(tmp_path):
    from app.services.excel.table import peek
    f = write_rows(tmp_path / "p.xlsx", [["标题"], ["姓名", "证件"], ["王芳", "x"]])
    [(sheet, rows)] = peek(f, rows=2)
    assert sheet == "Sheet1" and rows == [(1, ("标题",)), (2, ("姓名", "证件"))]
