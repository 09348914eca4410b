"""Issue 14, keyboard: every dialog is done without a mouse, Tab follows the layout, the focus ring shows.

The administrator filled 新增教师 with the keyboard only: Tab must go from field to field in the
order they stand on the screen, then to 保存 and 取消, and the field that has the focus must be
clearly marked (a projector washes out a 1-px ring).
"""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.conftest import settle, type_text


def _owner(dialog, widget):
    for key, f in dialog._fields.items():
        if widget is f.widget or f.widget.isAncestorOf(widget):
            return key
    for name, button in (("保存", dialog.save_button), ("取消", dialog.buttons.button(dialog.buttons.StandardButton.Cancel))):
        if widget is button:
            return name
    return type(widget).__name__


def tab_order(qtbot, dialog, start: QWidget, steps: int) -> list[str]:
    dialog.activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    seen = [_owner(dialog, QApplication.focusWidget())]
    for _ in range(steps):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        owner = _owner(dialog, QApplication.focusWidget())
        if owner != seen[-1]:
            seen.append(owner)
    return seen


def test_tab_goes_down_the_teacher_form_then_to_save_and_cancel(qtbot, window):
    page = window.go_to("教师")
    settle()
    page.add_record()
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    fields = list(dialog._fields)
    order = tab_order(qtbot, dialog, dialog.field(fields[0]), len(fields) + 6)
    assert order[:len(fields) + 2] == fields + ["保存", "取消"]
    assert order[len(fields) + 2] == fields[0]               # and round again to the first field
    dialog.reject()


def test_a_teacher_is_added_with_the_keyboard_only(qtbot, window):
    from app.services import teachers
    from app.services.validation.id_number import check_char
    page = window.go_to("教师")
    settle()
    before = len(teachers.list_teachers(window.api.workspace))
    qtbot.keyClick(page.table.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)      # 新增…
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.field("name"))   # opens on the first field
    type_text(qtbot, dialog.field("name"), "键盘老师")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.field("id_number")
    first17 = "21028119850612003"
    qtbot.keyClicks(QApplication.focusWidget(), first17 + check_char(first17))
    assert dialog.field("id_number").text() == first17 + check_char(first17)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)        # Enter saves (保存 is the default)
    settle()
    assert not dialog.isVisible()
    assert len(teachers.list_teachers(window.api.workspace)) == before + 1
    added = next(t for t in teachers.list_teachers(window.api.workspace) if t.name == "键盘老师")
    assert added.stage == "小学"                             # the school's 学段 by default (item 13)


def _ring_colour(widget) -> set[str]:
    image = widget.grab().toImage()
    edge = [image.pixelColor(QPoint(x, 0)) for x in range(2, image.width() - 2)]
    return {QColor(c).name() for c in edge}


def test_the_focused_field_and_button_have_a_strong_ring(qtbot, window):
    from app.ui.style import FOCUS
    page = window.go_to("教师")
    settle()
    page.add_record()
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    name = dialog.field("name")
    name.setFocus()
    QApplication.processEvents()
    assert FOCUS in _ring_colour(name)
    phone = dialog.field("phone")
    assert FOCUS not in _ring_colour(phone)                  # only the focused field
    dialog.save_button.setFocus()
    QApplication.processEvents()
    assert FOCUS in _ring_colour(dialog.save_button)
    dialog.reject()
