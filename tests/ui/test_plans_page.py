"""方案与计划: attach a plan document, check its dates as you type, open it, mark a deadline done."""

from datetime import date

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QToolButton

from app.services import dashboard, plans
from tests.ui.conftest import choose, click_row, settle, type_text


def _button(widget, text):
    return next(b for b in widget.findChildren(QToolButton) if b.defaultAction() and b.defaultAction().text() == text)


def _tick(qtbot, check):
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))   # on the box


def _year_back(qtbot, edit, years):
    """Press ↓ in the year part of a date box (Home puts the cursor there)."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Home)
    for _ in range(years):
        qtbot.keyClick(edit, Qt.Key.Key_Down)


def test_attach_a_plan_document(qtbot, window, dialogs, tmp_path):
    page = window.go_to("方案与计划")
    settle()
    doc = tmp_path / "2026学年第一学期培训计划.docx"
    doc.write_bytes("学期培训计划正文".encode("utf-8") * 50)
    qtbot.mouseClick(_button(page, "添加文档…"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    choose(qtbot, dialog.field("kind"), "学期培训计划")
    type_text(qtbot, dialog.field("title"), "第二学期培训计划")
    choose(qtbot, dialog.field("status"), "已提交")
    submitted, filed = dialog.field("submitted_on"), dialog.field("filed_on")
    _tick(qtbot, submitted.check)
    _year_back(qtbot, submitted.edit, 1)                 # submitted a year ago
    _tick(qtbot, filed.check)
    _year_back(qtbot, filed.edit, 2)                     # "filed" before it was submitted
    assert filed.edit.date() < submitted.edit.date()
    assert "不能早于提交日期" in dialog.error_text("filed_on")
    _tick(qtbot, filed.check)                            # not filed yet after all
    assert not filed.check.isChecked() and dialog.error_text("filed_on") == ""
    dialogs.open_file = str(doc)
    qtbot.mouseClick(dialog.field("file").button, Qt.MouseButton.LeftButton)
    assert dialog.field("file").label.text() == doc.name
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()                                             # the save runs in the background
    assert not dialog.isVisible()

    saved = next(p for p in plans.list_plans(window.api.workspace) if p.title == "第二学期培训计划")
    assert (saved.kind, saved.status, saved.original_name) == ("学期培训计划", "已提交", doc.name)
    assert saved.submitted_on is not None and saved.filed_on is None
    assert window.api.workspace.store.path_for(saved.sha256).read_bytes() == doc.read_bytes()
    assert page.table.current_row().id == saved.id
    pos = page.table.model.position_of(saved.id)
    assert doc.name in page.table.model.index(pos, 6).data()

    doc.unlink()                                   # the school's copy no longer needs the original
    qtbot.mouseClick(_button(page, "打开文件"), Qt.MouseButton.LeftButton)
    settle()                                       # the viewing copy is made in the background
    opened = dialogs.opened[-1]
    assert opened.endswith(doc.name)
    with open(opened, "rb") as fh:
        assert fh.read() == "学期培训计划正文".encode("utf-8") * 50


def test_mark_a_passed_deadline_done(qtbot, window):
    page = window.go_to("方案与计划")
    settle()
    passed = next(d for d in dashboard.list_deadlines(window.api.workspace) if d.state == "已过期")
    click_row(qtbot, page.deadlines, passed.id)
    qtbot.mouseClick(_button(page, "标记为已完成"), Qt.MouseButton.LeftButton)
    settle()
    row = next(d for d in dashboard.list_deadlines(window.api.workspace) if d.id == passed.id)
    assert (row.state, row.done_on) == ("逾期完成", date.today())     # done, but after its date (issue 14 item 11)
    shown = page.deadlines.model.row_at(page.deadlines.model.position_of(passed.id))
    assert shown.state == "逾期完成"
