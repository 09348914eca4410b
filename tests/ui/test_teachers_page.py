"""教师: add with live validation, filter as you type, status filter, delete with its consequences."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from app.services import teachers
from app.services.validation.id_number import check_char
from app.ui.widgets.table_model import RowTableModel
from tests.ui.conftest import choose, clear_text, click_row, settle, type_text


def _button(page, text):
    return next(b for b in page.findChildren(QToolButton) if b.defaultAction() and b.defaultAction().text() == text)


def _visible(table):
    return [table.proxy.index(i, 0).data(RowTableModel.ROW_ROLE) for i in range(table.proxy.rowCount())]


def test_add_teacher_shows_the_id_problem_beside_the_field_then_saves(qtbot, window):
    page = window.go_to("教师")
    settle()
    before = page.table.model.rowCount()
    qtbot.mouseClick(_button(page, "新增教师…"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    type_text(qtbot, dialog.field("name"), "测试老师")
    first17 = "21028119850612003"
    wrong = "5" if check_char(first17) != "5" else "6"
    type_text(qtbot, dialog.field("id_number"), first17 + wrong)
    error = dialog.findChild(type(dialog.general_error), "error_id_number")
    assert error.isVisible()
    assert "校验位错误" in error.full_text() and f"最后一位应为 {check_char(first17)}" in error.full_text()
    assert dialog.error_text("name") == ""                     # only the wrong field complains

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)    # refused while wrong
    assert dialog.isVisible()
    assert len(teachers.list_teachers(window.api.workspace)) == before

    id_field = dialog.field("id_number")
    qtbot.keyClick(id_field, Qt.Key.Key_Backspace)
    qtbot.keyClicks(id_field, check_char(first17))
    assert not error.isVisible()
    type_text(qtbot, dialog.field("phone"), "13912345678")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()                                             # the save runs in the background
    assert not dialog.isVisible()

    added = teachers.resolve(window.api.workspace, first17 + check_char(first17))
    assert added.name == "测试老师" and added.gender == "男"      # derived: the 17th digit (3) is odd
    assert page.table.model.rowCount() == before + 1
    item = page.table.current_row()
    assert item.row.id == added.id                              # the new teacher is selected
    pos = page.table.model.position_of(added.id)
    cells = [page.table.model.index(pos, c).data() for c in range(page.table.model.columnCount())]
    assert added.id_masked in cells and first17 + check_char(first17) not in cells
    assert "139****5678" in cells


def test_exempt_needs_a_reason_beside_the_field(qtbot, window):
    page = window.go_to("教师")
    settle()
    click_row(qtbot, page.table, teachers.list_teachers(window.api.workspace)[3].id)
    qtbot.mouseClick(_button(page, "修改…"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    choose(qtbot, dialog.field("status"), "免修")
    assert "必须写明原因" in dialog.error_text("status_reason")
    type_text(qtbot, dialog.field("status_reason"), "距退休不满5年")
    assert dialog.error_text("status_reason") == ""
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    row = teachers.get_teacher(window.api.workspace, teachers.list_teachers(window.api.workspace)[3].id)
    assert (row.status, row.status_reason) == ("免修", "距退休不满5年")
    item = page.table.model.row_at(page.table.model.position_of(row.id))
    assert item.status_text == "免修（距退休不满5年）" and item.pass_text == "免修"


def test_search_filters_as_you_type_and_status_filter(qtbot, window):
    page = window.go_to("教师")
    settle()
    all_rows = teachers.list_teachers(window.api.workspace)
    assert page.table.proxy.rowCount() == len(all_rows) == 40
    type_text(qtbot, page.table.search, "数学")
    maths = [r for r in all_rows if "数学" in (r.subject + r.group + r.name)]
    assert {t.id for t in _visible(page.table)} == {r.id for r in maths}
    assert page.table.count_label.text() == f"显示 {len(maths)} / 共 40 条"
    word = maths[1].staff_no.lower()                             # typed in lower case
    qtbot.keyClicks(page.table.search, " " + word)               # two words: both must match
    both = [r for r in maths if word in r.staff_no.casefold()]
    assert 0 < len(both) < len(maths)
    assert {t.id for t in _visible(page.table)} == {r.id for r in both}
    clear_text(qtbot, page.table.search)
    assert page.table.proxy.rowCount() == 40 and page.table.count_label.text() == "共 40 条"
    choose(qtbot, page.status_filter, "免修")
    exempt = [t for t in _visible(page.table)]
    assert [t.row.status for t in exempt] == ["免修"] and exempt[0].row.status_reason
    choose(qtbot, page.status_filter, "未达标")
    failing = _visible(page.table)
    assert failing and all(t.pass_text.startswith("未达标") for t in failing)


def test_delete_says_what_goes_with_the_teacher(qtbot, window, dialogs):
    page = window.go_to("教师")
    settle()
    victim = teachers.list_teachers(window.api.workspace)[5]
    impact = teachers.deletion_impact(window.api.workspace, victim.id)
    assert impact.hours_records > 0
    click_row(qtbot, page.table, victim.id)
    dialogs.answers = [False]
    qtbot.mouseClick(_button(page, "删除…"), Qt.MouseButton.LeftButton)
    settle()                                             # what goes with the teacher is read in the background
    assert teachers.get_teacher(window.api.workspace, victim.id)           # 否: nothing happens
    question = dialogs.texts("question")[-1]
    assert f"学时记录 {impact.hours_records} 条" in question and victim.name in question
    dialogs.answers = [True]
    qtbot.mouseClick(_button(page, "删除…"), Qt.MouseButton.LeftButton)
    settle()
    assert victim.id not in {r.id for r in teachers.list_teachers(window.api.workspace)}
    assert page.table.model.position_of(victim.id) is None
