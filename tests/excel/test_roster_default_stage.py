"""Issue 14 item 13: a roster without 学段 gives new teachers the school's 学段 (and says so)."""

from app.services.excel import import_roster, preview_roster
from app.services.school import init_school
from tests.excel.helpers import ROSTER_HEADER, make_id, roster_row, teachers, write_rows


def _junior_school(ws):
    init_school(ws, name="示例初级中学", code="21028101", stage="初中", environment="多媒体",
                programme_id="wafangdian-2023")


def test_no_stage_column_takes_the_schools(ws, tmp_path):
    _junior_school(ws)
    header = [h for h in ROSTER_HEADER if h != "学段"]
    rows = [header] + [[v for h, v in zip(ROSTER_HEADER, roster_row(i)) if h != "学段"] for i in (1, 2)]
    preview = preview_roster(ws, write_rows(tmp_path / "名单.xlsx", rows))
    assert any("2 位新教师没有填写学段，已按本校学段“初中”填写" in n for n in preview.notices)
    result = import_roster(ws, write_rows(tmp_path / "名单.xlsx", rows))
    assert result.ok and result.added == 2
    assert {t.stage for t in teachers(ws).values()} == {"初中"}


def test_a_blank_stage_cell_too_but_a_given_one_wins(ws, tmp_path):
    _junior_school(ws)
    rows = [ROSTER_HEADER, roster_row(1, 学段=""), roster_row(2, 学段="小学")]
    assert import_roster(ws, write_rows(tmp_path / "名单.xlsx", rows)).ok
    by_id = teachers(ws)
    assert (by_id[make_id(1)].stage, by_id[make_id(2)].stage) == ("初中", "小学")


def test_an_existing_teachers_stage_is_not_overwritten(ws, tmp_path):
    _junior_school(ws)
    assert import_roster(ws, write_rows(tmp_path / "a.xlsx", [ROSTER_HEADER, roster_row(1, 学段="高中")])).ok
    assert import_roster(ws, write_rows(tmp_path / "b.xlsx", [ROSTER_HEADER, roster_row(1, 学段="")])).ok
    assert teachers(ws)[make_id(1)].stage == "高中"
