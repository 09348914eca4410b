"""Issue 14 item 6: fields stay where they are when a validation message appears or goes away.

The administrator typed a wrong 身份证号 in 新增教师, moved the mouse to 手机号, and clicked — but the
message had pushed every field down a line and the click landed in the field above. Every form
dialog keeps the line for its messages; the 微能力 check keeps its box.
"""

from PySide6.QtCore import QPoint, Qt

from app.services.validation.id_number import check_char
from PySide6.QtWidgets import QToolButton

from tests.ui.conftest import settle, type_text


def _button_like(page, text):
    return next(b for b in page.findChildren(QToolButton) if b.defaultAction() and text in b.defaultAction().text())


def positions(dialog) -> dict[str, QPoint]:
    from PySide6.QtWidgets import QApplication
    QApplication.processEvents()                             # let the layout react, as it does before a click
    return {key: f.widget.mapTo(dialog, QPoint(0, 0)) for key, f in dialog._fields.items()}


def test_teacher_form_fields_stay_put_while_messages_come_and_go(qtbot, window):
    page = window.go_to("教师")
    settle()
    qtbot.mouseClick(_button_like(page, "新增教师"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    before = positions(dialog)
    phone = dialog.field("phone")
    aim = before["phone"] + phone.rect().center()            # where the user's mouse waits for 手机号
    first17 = "21028119850612003"
    wrong = "5" if check_char(first17) != "5" else "6"
    type_text(qtbot, dialog.field("id_number"), first17 + wrong)
    assert "校验位错误" in dialog.error_text("id_number")
    assert positions(dialog) == before                       # the message did not push 手机号 down
    under = dialog.childAt(aim)
    assert under is phone or phone.isAncestorOf(under)      # a click there still lands in 手机号
    id_field = dialog.field("id_number")
    qtbot.keyClick(id_field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(id_field, check_char(first17))
    assert dialog.error_text("id_number") == ""
    assert positions(dialog) == before
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)     # 姓名 empty: every message at once
    assert dialog.error_text("name")
    assert positions(dialog) == before
    assert "姓名" in dialog.message_strip.text()             # the whole message beside 保存, for the focused field
    dialog.reject()


def test_hours_form_fields_stay_put(qtbot, window):
    page = window.go_to("学时与活动")
    settle()
    page.tabs.setCurrentWidget(page.records)
    qtbot.keyClick(page.records.table.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)   # 新增…
    dialog = page.records.dialog
    qtbot.waitExposed(dialog)
    before = positions(dialog)
    type_text(qtbot, dialog.field("hours"), "abc")
    assert dialog.error_text("hours")
    assert positions(dialog) == before
    dialog.field("hours").clear()
    type_text(qtbot, dialog.field("hours"), "12")
    assert dialog.error_text("hours") == ""
    assert positions(dialog) == before
    dialog.reject()

