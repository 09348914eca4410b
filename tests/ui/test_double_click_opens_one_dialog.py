"""A double-click on a row opens its form once (the view's activated and doubleClicked both fired)."""

from PySide6.QtWidgets import QApplication, QDialog

from tests.ui.conftest import click_row, settle


def _open_dialogs():
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def test_each_record_table_opens_one_form_per_double_click(qtbot, window):
    for title, table_of in (("教师", lambda p: p.table), ("方案与计划", lambda p: p.table),
                            ("项目方案", lambda p: p.table)):
        page = window.go_to(title)
        settle()
        table = table_of(page)
        key = table.model.key(table.model.rows()[0])
        before = set(map(id, _open_dialogs()))
        click_row(qtbot, table, key, double=True)
        settle()
        opened = [d for d in _open_dialogs() if id(d) not in before]
        assert len(opened) == 1, (title, [d.windowTitle() for d in opened])
        opened[0].reject()
        settle()
