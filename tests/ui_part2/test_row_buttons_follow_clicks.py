"""Issue 14 item 1: a mouse click on a row enables the buttons that act on it, in every view.

The administrator clicked a candidate in 校本考核 › 优秀案例 and 标记为优秀案例 stayed grey (it enabled
only after an arrow key): the row was read on currentChanged, before the click selected it.
"""

from PySide6.QtCore import Qt

from app.services import assessment
from tests.ui_part2.helpers import wait_idle
from tests.ui_part2.test_assessment_page import open_page, school_with_evidence


def click(qtbot, table, row: int = 0) -> None:
    """Click a row of a RecordTable the way a user does: on the row's rectangle in the viewport."""
    index = table.proxy.index(row, 0)
    table.view.scrollTo(index)
    qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=table.view.visualRect(index).center())


def grade_all(ws, s, fail_item=None):
    for name in ("王芳", "李明"):
        for code in ("A1", "A3", "A11"):
            for seq in ("1", "2"):
                grade = "不合格" if (name, code, seq) == fail_item else "优秀" if name == "李明" else "合格"
                assessment.assess(ws, s.ids[name], code, seq, grade, reviewer="张伟")


def test_clicking_a_candidate_enables_mark_and_clicking_a_case_enables_unmark(qtbot, small, events, dialogs,
                                                                               tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    grade_all(ws, s)
    assessment.mark_case(ws, s.ids["李明"], "A1")
    page = open_page(qtbot, ws, events)
    page.tabs.setCurrentIndex(3)
    c = page.cases
    c.candidates.view.clearSelection()
    c.cases.view.clearSelection()
    assert not c.mark_button.isEnabled() and not c.unmark_button.isEnabled()
    click(qtbot, c.candidates)
    assert c.candidates.current_row() is not None
    assert c.mark_button.isEnabled()
    click(qtbot, c.cases)
    assert c.unmark_button.isEnabled()
    qtbot.mouseClick(c.mark_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert page.dashboard.value("cases") == 2


def test_clicking_a_support_row_enables_open_and_close(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    grade_all(ws, s, fail_item=("王芳", "A11", "2"))
    page = open_page(qtbot, ws, events)
    page.tabs.setCurrentIndex(2)
    sup = page.support
    sup.needs.view.clearSelection()
    assert not sup.open_button.isEnabled()
    click(qtbot, sup.needs)
    assert sup.open_button.isEnabled()                      # 建立帮扶…
    qtbot.mouseClick(sup.open_button, Qt.MouseButton.LeftButton)
    dlg = page.support_dialog
    dlg.field("helper").setEditText("张伟")
    dlg.save_button.click()
    wait_idle(qtbot)
    sup.records.view.clearSelection()
    assert not sup.close_button.isEnabled()
    click(qtbot, sup.records)
    assert sup.close_button.isEnabled()                     # 复评并结束帮扶…


def test_every_record_table_reports_the_clicked_row(qtbot):
    """The class: any RecordTable tells its listeners about the row a click selected, with that row."""
    from dataclasses import dataclass

    from app.ui.widgets.record_table import RecordTable
    from app.ui.widgets.table_model import Column, RowTableModel

    @dataclass(frozen=True)
    class Row:
        id: int
        name: str

    class Model(RowTableModel):
        COLUMNS = (Column("名称", lambda r: r.name),)

    table = RecordTable(Model())
    qtbot.addWidget(table)
    table.resize(400, 300)
    table.show()
    table.set_rows([Row(1, "甲"), Row(2, "乙"), Row(3, "丙")])
    seen = []
    table.selection_changed.connect(seen.append)
    click(qtbot, table, 1)
    assert seen[-1] == table.current_row() and seen[-1].name == table.proxy.index(1, 0).data()
    click(qtbot, table, 2)
    assert seen[-1].name == table.proxy.index(2, 0).data()
    assert None not in seen                                 # no flicker through "nothing selected"
    table.select_key(1)                                     # selected from code: reported once, correctly
    assert seen[-1].id == 1 and seen.count(seen[-1]) == 1
    qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     pos=table.view.visualRect(table.view.currentIndex()).center())
    assert table.current_row() is None and seen[-1] is None  # Ctrl+click deselects: buttons go grey
    table.select_key(2)
    table.set_rows([Row(1, "甲")])                          # the selected record is gone after a reload
    assert seen[-1] is None
