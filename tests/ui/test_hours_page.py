"""学时与活动: an activity's hours reach every participant, and follow its edits."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from app.services import activities, hours, teachers
from app.ui.widgets.table_model import RowTableModel
from tests.ui.conftest import choose, click_row, settle, type_text


def _button(widget, text):
    return next(b for b in widget.findChildren(QToolButton) if b.defaultAction() and b.defaultAction().text() == text)


def _totals(page) -> dict[int, float]:
    """Each teacher's 合计 as the 学时汇总 table shows it on screen."""
    table = page.summary.table
    proxy = table.proxy
    column = next(c for c in range(proxy.columnCount())
                  if proxy.headerData(c, Qt.Orientation.Horizontal).startswith("合计"))
    shown = {}
    for i in range(proxy.rowCount()):
        row = proxy.index(i, 0).data(RowTableModel.ROW_ROLE)
        shown[row.id] = float(proxy.index(i, column).data())
    assert shown == {r.id: r.total for r in table.model.rows()}
    return shown


def _open_tab(qtbot, page, widget):
    bar = page.tabs.tabBar()
    index = page.tabs.indexOf(widget)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert page.tabs.currentWidget() is widget


def test_recording_an_activity_raises_every_participants_hours(qtbot, window):
    page = window.go_to("学时与活动")
    settle()
    before = _totals(page)
    assert len(before) == 40
    _open_tab(qtbot, page, page.activities)
    qtbot.mouseClick(_button(page.activities, "登记培训活动…"), Qt.MouseButton.LeftButton)
    dialog = page.activities.dialog
    type_text(qtbot, dialog.field("title"), "希沃白板应用培训")
    qtbot.keyClicks(dialog.field("hours"), "3x")
    assert "不是数字" in dialog.error_text("hours")
    qtbot.keyClick(dialog.field("hours"), Qt.Key.Key_Backspace)
    assert dialog.error_text("hours") == ""
    type_text(qtbot, dialog.picker.search, "语文")
    chosen = set(dialog.picker.visible_ids())
    qtbot.mouseClick(dialog.picker.select_all, Qt.MouseButton.LeftButton)
    assert set(dialog.picker.value()) == chosen and dialog.picker.count.text() == f"已选 {len(chosen)} 人"
    chinese = {t.id for t in teachers.list_teachers(window.api.workspace) if t.subject == "语文"}
    assert chosen == chinese
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()                                             # the save runs in the background
    assert not dialog.isVisible()

    after = _totals(page)
    for tid, total in before.items():
        assert after[tid] == total + (3 if tid in chosen else 0), tid
    act = next(a for a in activities.list_activities(window.api.workspace) if a.title == "希沃白板应用培训")
    assert page.activities.table.model.position_of(act.id) is not None

    # Editing the activity's hours updates every participant.
    click_row(qtbot, page.activities.table, act.id)
    qtbot.mouseClick(_button(page.activities, "修改…"), Qt.MouseButton.LeftButton)
    dialog = page.activities.dialog
    hours_field = dialog.field("hours")
    hours_field.selectAll()
    qtbot.keyClicks(hours_field, "5")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    edited = _totals(page)
    for tid, total in before.items():
        assert edited[tid] == total + (5 if tid in chosen else 0), tid


def test_hours_record_for_one_teacher(qtbot, window):
    page = window.go_to("学时与活动")
    settle()
    short = next(r for r in page.summary.table.model.rows() if not r.ok and not r.exempt and "总学时" in r.state)
    _open_tab(qtbot, page, page.records)
    choose(qtbot, page.records.teacher_filter, data=short.id)
    settle()                                             # the totals are read in the background
    assert page.records.totals.text().startswith(short.name)
    assert f"合计 {short.total:g}/50" in page.records.totals.text()
    shown = page.records.table.visible_rows()
    assert shown and {h.teacher_id for h in shown} == {short.id}
    qtbot.mouseClick(_button(page.records, "录入学时…"), Qt.MouseButton.LeftButton)
    dialog = page.records.dialog
    qtbot.keyClicks(dialog.field("hours"), "12")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert hours.teacher_totals(window.api.workspace, short.id).total == short.total + 12
    assert f"合计 {short.total + 12:g}/50" in page.records.totals.text()
    row = next(r for r in page.summary.table.model.rows() if r.id == short.id)
    assert row.state == "学时达标"


def test_activity_hours_cannot_be_deleted_as_a_record(qtbot, window, dialogs):
    page = window.go_to("学时与活动")
    settle()
    _open_tab(qtbot, page, page.records)
    from_activity = next(h for h in page.records.table.model.rows() if h.activity_id)
    click_row(qtbot, page.records.table, from_activity.id)
    dialogs.answers = [True]
    qtbot.mouseClick(_button(page.records, "删除…"), Qt.MouseButton.LeftButton)
    settle()
    assert "请在活动/课程中修改参加人员" in dialogs.texts("warning")[-1]
    assert from_activity.id in {h.id for h in hours.list_hours(window.api.workspace)}
