"""Hours import: long and wide layouts, matching teachers, never counting twice."""

from __future__ import annotations

from datetime import date

import pytest

from app.services import faults
from app.services.excel import FileRejected, import_hours, import_roster, preview_hours
from tests.excel.helpers import ROSTER_HEADER, hours, make_id, roster_row, write_rows


@pytest.fixture
def staffed(school, tmp_path):
    rows = [ROSTER_HEADER, roster_row(1, "王芳"), roster_row(2, "李强"), roster_row(3, "张伟", 工号="Z3"),
            roster_row(4, "张伟", 工号="Z4")]
    assert import_roster(school, write_rows(tmp_path / "roster.xlsx", rows)).added == 4
    return school


def test_long_format_from_a_platform_export(staffed, tmp_path):
    rows = [["“提升工程2.0”研修平台 学员学时明细", None, None, None, None, None],
            ["导出时间：2026-11-01", None, None, None, None, None],
            ["学员姓名", "证件号码", "研修类别", "课程名称", "获得学时", "完成日期"],
            ["王芳", make_id(1), "网络研修", "微能力点A1学习", "10学时", "2026-10-01"],
            ["王芳", make_id(1), "校本实践", "校本研修活动", 6, date(2026, 10, 12)],
            ["李强", None, "网络研修（线上）", "微能力点A1学习", "８", None],
            [None, None, None, None, None, None],
            ["合计", None, None, None, 24, None]]
    result = import_hours(staffed, write_rows(tmp_path / "平台导出.xlsx", rows))
    assert result.ok and result.added == 3, [e.describe() for e in result.errors]
    got = [(r.category, r.topic, r.hours, r.on_date) for r in hours(staffed)]
    assert got == [("网络研修", "微能力点A1学习", 10.0, date(2026, 10, 1)),
                   ("校本实践", "校本研修活动", 6.0, date(2026, 10, 12)),
                   ("网络研修", "微能力点A1学习", 8.0, None)]
    assert all(r.source == "平台导入" and "平台导出.xlsx" in r.source_ref for r in hours(staffed))


def test_wide_format_one_column_per_category(staffed, tmp_path):
    rows = [["序号", "姓名", "工号", "网络研修学时", "校本实践", "合计"],
            [1, "王芳", None, 25, 26, 51],
            [2, "张伟", "Z3", 20, 0, 20],
            [3, "李强", None, None, None, 0]]
    preview = preview_hours(staffed, write_rows(tmp_path / "wide.xlsx", rows))
    assert preview.mode == "wide"
    assert preview.recognised == {"name": "姓名", "staff_no": "工号", "cat:网络研修": "网络研修学时",
                                  "cat:校本实践": "校本实践"}
    assert preview.ok and preview.count("add") == 3
    assert any("均为空" in w.message for w in preview.warnings)
    result = import_hours(staffed, write_rows(tmp_path / "wide.xlsx", rows))
    assert result.added == 3
    assert sorted((r.category, r.hours) for r in hours(staffed)) == [
        ("校本实践", 26.0), ("网络研修", 20.0), ("网络研修", 25.0)]


def test_importing_the_same_file_twice_does_not_double_hours(staffed, tmp_path):
    rows = [["姓名", "身份证号", "类别", "专题", "学时", "日期"],
            ["王芳", make_id(1), "网络研修", "A1", 10, "2026-10-01"],
            ["李强", make_id(2), "校本实践", "", 5, None]]
    f = write_rows(tmp_path / "h.xlsx", rows)
    first = import_hours(staffed, f)
    assert first.added == 2
    second = import_hours(staffed, f)
    assert second.ok and (second.added, second.unchanged) == (0, 2)
    assert len(hours(staffed)) == 2
    copy = write_rows(tmp_path / "另存的副本.xlsx", rows + [["王芳", make_id(1), "网络研修", "A2", 4, None]])
    third = import_hours(staffed, copy)
    assert (third.added, third.unchanged) == (1, 2)
    assert sum(r.hours for r in hours(staffed)) == 19


def test_identical_rows_inside_one_file_are_imported_once(staffed, tmp_path):
    rows = [["姓名", "类别", "学时", "日期"], ["王芳", "网络研修", 3, "2026-10-01"],
            ["王芳", "网络研修", 3, "2026-10-01"]]
    result = import_hours(staffed, write_rows(tmp_path / "d.xlsx", rows))
    assert result.ok and result.added == 1
    assert result.warnings and result.warnings[0].row == 3 and "第 2 行" in result.warnings[0].message
    assert len(hours(staffed)) == 1


def test_unmatched_and_ambiguous_teachers_are_reported(staffed, tmp_path):
    rows = [["姓名", "身份证号", "工号", "类别", "学时"],
            ["王芳", make_id(1), None, "网络研修", 2],
            ["陈某", None, None, "网络研修", 2],
            ["张伟", None, None, "网络研修", 2],
            ["李强", make_id(1), None, "网络研修", 2],
            ["赵某", make_id(99), None, "网络研修", 2],
            ["钱某", None, "X9", "网络研修", 2],
            ["王芳", None, None, "校本研修", 2],
            ["王芳", None, None, "网络研修", -1]]
    result = import_hours(staffed, write_rows(tmp_path / "u.xlsx", rows))
    assert not result.ok and not result.written
    msgs = {(e.row, e.column): e.message for e in result.errors}
    assert "没有名为“陈某”" in msgs[(3, "姓名")]
    assert "2 位教师叫“张伟”" in msgs[(4, "姓名")]
    assert "王芳" in msgs[(5, "姓名")] and "不一致" in msgs[(5, "姓名")]
    assert "没有这个身份证号" in msgs[(6, "身份证号")]
    assert "没有这个工号" in msgs[(7, "工号")]
    assert "不属于本校项目方案" in msgs[(8, "类别")] and "网络研修、校本实践" in msgs[(8, "类别")]
    assert "正数" in msgs[(9, "学时")]
    assert hours(staffed) == []
    assert result.error_workbook is not None and result.error_workbook.exists()


def test_skip_invalid_keeps_the_good_rows(staffed, tmp_path):
    rows = [["姓名", "类别", "学时"], ["王芳", "网络研修", 2], ["陈某", "网络研修", 2]]
    result = import_hours(staffed, write_rows(tmp_path / "s.xlsx", rows), skip_invalid=True)
    assert result.written and result.added == 1 and result.skipped == 1


def test_record_cap_of_the_programme(staffed, tmp_path):
    rows = [["姓名", "类别", "学时"], ["王芳", "网络研修", 500]]
    result = import_hours(staffed, write_rows(tmp_path / "c.xlsx", rows))
    assert "上限" in result.errors[0].message


def test_no_hours_columns_is_a_file_level_error(staffed, tmp_path):
    with pytest.raises(FileRejected) as exc:
        import_hours(staffed, write_rows(tmp_path / "n.xlsx", [["姓名", "身份证号"], ["王芳", make_id(1)]]))
    assert "n.xlsx" in exc.value.user_message and "学时" in exc.value.user_message


def test_gbk_csv_hours(staffed, tmp_path):
    f = tmp_path / "学时.csv"
    f.write_bytes("姓名,类别,学时\r\n王芳,网络研修,4\r\n李强,校本实践,2.5\r\n".encode("gbk"))
    assert import_hours(staffed, f).added == 2


def test_dry_run_and_fault_leave_nothing(staffed, tmp_path):
    f = write_rows(tmp_path / "f.xlsx", [["姓名", "类别", "学时"], ["王芳", "网络研修", 2]])
    assert import_hours(staffed, f, dry_run=True).added == 1
    assert hours(staffed) == []

    def boom():
        raise OSError(5, "I/O error")
    faults.inject("import.hours.keys", boom)
    with pytest.raises(OSError):
        import_hours(staffed, f)
    faults.clear()
    assert hours(staffed) == []
    from sqlmodel import select

    from app.models import ImportedRow
    with staffed.sessions() as s:
        assert s.exec(select(ImportedRow)).all() == []
    assert import_hours(staffed, f).added == 1


def test_hours_need_a_programme(ws, tmp_path):
    from app.errors import AppError
    f = write_rows(tmp_path / "x.xlsx", [["姓名", "类别", "学时"], ["王芳", "网络研修", 2]])
    with pytest.raises(AppError):
        import_hours(ws, f)


def test_cumulative_platform_totals_warn_before_adding_on_top(staffed, tmp_path):
    first = write_rows(tmp_path / "10月.xlsx", [["姓名", "网络研修"], ["王芳", 10]])
    assert import_hours(staffed, first).added == 1
    later = write_rows(tmp_path / "11月.xlsx", [["姓名", "网络研修"], ["王芳", 18]])
    preview = preview_hours(staffed, later)
    [warning] = preview.warnings
    assert warning.row == 2 and "已有从平台导入的网络研修学时 10" in warning.message
    assert "累计" in warning.message
