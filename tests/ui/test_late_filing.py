"""Issue 14 item 11: a 一划两案 filing after its deadline shows 逾期完成, not 已完成 (filed 12-06, due 09-30)."""

from datetime import date

from PySide6.QtCore import Qt

from app.services import dashboard, plans
from app.ui.style import OK, WARN
from tests.ui.conftest import settle


def _file_last_plan(ws, on: date) -> None:
    for p in plans.list_plans(ws):
        if p.status != "已备案":
            plans.save_plan(ws, p.id, kind=p.kind, title=p.title, semester=p.semester, status="已备案",
                            submitted_on=p.submitted_on, filed_on=on, note=p.note)


def _plans_deadline(rows):
    # the demo school's 校本应用考核方案 is still 已提交; its deadline is met when it is 已备案
    return next(d for d in rows if d.kind == "document:校本应用考核方案")


def test_late_filing_is_shown_as_late(qtbot, window):
    due = _plans_deadline(dashboard.list_deadlines(window.api.workspace)).due_on
    _file_last_plan(window.api.workspace, date(due.year, 12, 6))
    row = _plans_deadline(dashboard.list_deadlines(window.api.workspace))
    assert (row.state, row.done_on) == ("逾期完成", date(due.year, 12, 6))
    page = window.go_to("方案与计划")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    settle()
    table = page.deadlines
    pos = table.model.position_of(row.id)
    cells = {table.model.headerData(c, Qt.Orientation.Horizontal): table.model.index(pos, c) for c in
             range(table.model.columnCount())}
    assert cells["状态"].data() == "逾期完成"
    assert cells["状态"].data(Qt.ItemDataRole.ForegroundRole).color().name() == WARN
    assert cells["完成日期"].data() == f"{due.year}-12-06"
    home = window.go_to("首页")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    settle()
    assert "逾期完成" in home.plans_text.text()


def test_filing_on_time_is_done(window):
    due = _plans_deadline(dashboard.list_deadlines(window.api.workspace)).due_on
    _file_last_plan(window.api.workspace, due)
    assert _plans_deadline(dashboard.list_deadlines(window.api.workspace)).state == "已完成"
    assert OK != WARN
