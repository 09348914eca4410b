"""Forms from the app: preview, save as PDF, print (through the real print path onto a PDF printer),
one teacher's form from the 教师 page, and the Excel summary."""

from PySide6.QtCore import Qt

from tests.ui_export.conftest import keep_shot, pdf_pages, pdf_text, settle


def _page(window):
    page = window.go_to("导出与打印")
    settle()
    return page


def _pick(combo, text_part: str) -> str:
    for i in range(combo.count()):
        if text_part in combo.itemText(i):
            combo.setCurrentIndex(i)
            return combo.itemText(i)
    raise AssertionError(f"{text_part} not in combo")


def _first_teacher(page) -> tuple[str, str]:
    """(combo label, name) of the first real teacher in the 教师 combo."""
    page.teacher.setCurrentIndex(1)
    return page.teacher.currentText(), page.teacher.currentData()[1]


def test_preview_one_teacher_then_save_as_pdf(qtbot, window, dialogs, tmp_path):
    page = _page(window)
    _pick(page.kind, "教师个人")
    assert page.teacher.isEnabled() and not page.use_period.isEnabled()
    _label, name = _first_teacher(page)
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    settle()
    dialog = page.preview_dialog
    assert dialog is not None and dialog.isVisible()
    assert name in dialog.windowTitle()
    assert dialog.pages >= 1 and dialog.page_label.text().startswith("第 1 / ")
    qtbot.waitUntil(lambda: 0 in dialog.view.rendered_pages, timeout=20000)
    assert "没有封存码" in dialog.note.text()
    keep_shot(dialog, "forms_preview_dialog")
    dialogs.save_file = str(tmp_path / "out" / "个人表")          # no suffix: .pdf is added
    (tmp_path / "out").mkdir()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()                                             # copied in the background
    saved = tmp_path / "out" / "个人表.pdf"
    assert saved.exists() and dialog.saved_to == saved
    text = pdf_text(saved)
    assert name in text and "签字确认表" in text.replace(" ", "")
    temp = dialog.pdf
    dialog.close()
    settle()
    assert not temp.exists()                                     # the preview's temporary PDF is gone


def test_save_notice_with_period_writes_pdf_without_preview(qtbot, window, dialogs, tmp_path):
    page = _page(window)
    _pick(page.kind, "公示表")
    assert not page.teacher.isEnabled()
    page.use_period.setChecked(True)
    assert page.period_start.isEnabled()
    req = page.forms_request()
    assert req["kind"] == "公示" and "~" in req["period"]
    dialogs.save_file = str(tmp_path / "公示.pdf")
    qtbot.mouseClick(page.save_pdf_button, Qt.MouseButton.LeftButton)
    settle()
    text = pdf_text(tmp_path / "公示.pdf").replace(" ", "")
    start = page.period_start.date().toPython()
    assert f"公示期：{start.year}年{start.month}月{start.day}日至" in text
    assert any("已保存" in t for t in dialogs.texts("information"))


def test_print_all_forms_goes_through_the_print_dialog(qtbot, window, dialogs, print_to):
    page = _page(window)
    _pick(page.kind, "学校汇总")
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    settle()
    dialog = page.preview_dialog
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    settle()
    assert print_to.exists() and pdf_pages(print_to) == dialog.pages
    assert "已发送到打印机" in window.statusBar().currentMessage()
    dialog.close()
    settle()


def test_teacher_page_prints_that_teachers_form(qtbot, window, dialogs, print_to):
    teachers_page = window.go_to("教师")
    settle()
    table = teachers_page.table
    table.view.selectRow(2)
    item = table.current_row()
    assert item is not None
    from PySide6.QtWidgets import QToolButton
    buttons = [b for b in teachers_page.findChildren(QToolButton) if b.defaultAction() is teachers_page.act_print_form]
    assert buttons, "打印个人签字确认表 button on the 教师 page"
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    settle()
    dialog = teachers_page.form_preview
    assert item.row.name in dialog.windowTitle()
    text = pdf_text(dialog.pdf)
    assert item.row.name in text
    import re
    assert set(re.findall(r"教师个人签字确认表 · (\S+)", text)) == {item.row.name}     # only this teacher's pages
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    settle()
    assert pdf_pages(print_to) == dialog.pages >= 1
    dialog.close()
    settle()


def test_teacher_page_print_without_selection_asks_to_choose(window, dialogs):
    teachers_page = window.go_to("教师")
    settle()
    teachers_page.table.view.clearSelection()
    teachers_page.table.view.setCurrentIndex(teachers_page.table.view.model().index(-1, -1))
    teachers_page.act_print_form.trigger()
    settle()
    assert any("请先在列表中选择一位教师" in t for t in dialogs.texts("information"))


def test_export_summary_workbook_masks_by_default(qtbot, window, dialogs, tmp_path):
    from openpyxl import load_workbook
    page = _page(window)
    dialogs.save_file = str(tmp_path / "汇总.xlsx")
    qtbot.mouseClick(page.report_button, Qt.MouseButton.LeftButton)
    settle()
    wb = load_workbook(tmp_path / "汇总.xlsx", read_only=True)
    assert "教师学时" in wb.sheetnames
    assert any("已打码" in t for t in dialogs.texts("information"))
