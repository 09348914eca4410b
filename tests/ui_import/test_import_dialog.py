"""导入花名册 / 导入学时 driven like a user: choose a file, read the preview, fix, import, cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.services import teachers
from app.services.backup import retention
from app.services.dashboard import teacher_progress
from app.ui import jobs
from app.ui.importing.import_dialog import ImportDialog
from app.ui.importing.preview_model import ImportPreviewModel
from tests.excel.helpers import ROSTER_HEADER, id_with_bad_check, make_id, roster_row, write_rows
from tests.ui.conftest import settle


def find_dialog(parent, kind: str) -> ImportDialog | None:
    found = [d for d in parent.findChildren(ImportDialog) if d.kind.key == kind and d.isVisible()]
    return found[-1] if found else None


def _roster(path: Path, bad_row: int | None = None, n: int = 4, first: int = 900) -> Path:
    rows = [["教师花名册（2025学年）"], ROSTER_HEADER] + [roster_row(i) for i in range(first, first + n)]
    if bad_row is not None:
        rows[2 + bad_row][2] = id_with_bad_check(first + bad_row)
    return write_rows(path, rows)


def _names(window) -> set[str]:
    page = window.go_to("教师")
    page.ensure_loaded()
    settle()
    return {item.row.name for item in page.table.model.rows()}


def _open_from_teacher_page(qtbot, window, dialogs, path: Path):
    page = window.go_to("教师")
    dialogs.open_file = str(path)
    page.excel_button.import_action.trigger()
    dialog = find_dialog(page, "roster")
    assert dialog is not None and dialog.isVisible()
    dialog.choose_button.click()
    settle()
    return dialog


def test_bad_id_is_highlighted_and_nothing_is_written(qtbot, window, dialogs, tmp_path):
    before = {t.name for t in teachers.list_teachers(window.api.workspace)}
    dialog = _open_from_teacher_page(qtbot, window, dialogs, _roster(tmp_path / "花名册.xlsx", bad_row=1))
    model = dialog.model
    row, col = model.row_for(4), model.column_for("C")       # 2nd data row = Excel row 4; 身份证号 = C
    cell = model.index(row, col)
    assert model.data(cell, Qt.ItemDataRole.BackgroundRole).color() == QColor("#f8d4d2")
    assert "校验位" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(row, 1)) == "有错误"
    other = model.index(model.row_for(3), col)
    assert model.data(other, Qt.ItemDataRole.BackgroundRole) is None
    # the list of every problem: row as Excel shows it, column, value, message
    problems = dialog.problems_model.problems()
    assert [(p.row, p.letter, p.value) for p in problems] == [(4, "C", id_with_bad_check(901))]
    assert dialog.problems_box.isVisibleTo(dialog) and "错误 <b>1</b> 处" in dialog.problems_title.text()
    dialog.problems_view.clicked.emit(dialog.problems_model.index(0, 4))
    assert dialog.view.currentIndex().data(ImportPreviewModel.ROW_ROLE).row == 4
    # errors and no "skip" → 导入 is disabled, and nothing was written
    assert not dialog.import_button.isEnabled()
    assert "有错误" in dialog.reason_label.text()
    assert {t.name for t in teachers.list_teachers(window.api.workspace)} == before


def test_skip_invalid_imports_the_good_rows_into_the_teacher_table(qtbot, window, dialogs, tmp_path):
    path = _roster(tmp_path / "花名册.xlsx", bad_row=1)
    dialog = _open_from_teacher_page(qtbot, window, dialogs, path)
    dialog.skip_invalid.setChecked(True)
    assert dialog.import_button.isEnabled() and "新增 3 人" in dialog.import_button.text()
    dialog.import_button.click()
    settle()
    assert dialog.current_page() == 2
    text = dialog.result_label.text()
    assert "新增 3 位教师" in text and "1 行没有导入" in text
    error_book = dialog.result.error_workbook
    assert error_book is not None and error_book.is_file() and str(error_book) in text
    assert "before-import" in text or "导入前已自动备份" in text
    dialog.done_button.click()
    names = _names(window)
    assert {"教师" + chr(0x4e00 + i) for i in (900, 902, 903)} <= names
    assert "教师" + chr(0x4e00 + 901) not in names


def test_fixed_file_imports_every_row(qtbot, window, dialogs, tmp_path):
    dialog = _open_from_teacher_page(qtbot, window, dialogs, _roster(tmp_path / "bad.xlsx", bad_row=0))
    assert not dialog.import_button.isEnabled()
    dialogs.open_file = str(_roster(tmp_path / "fixed.xlsx"))          # the office fixes the ID, picks it again
    dialog.rechoose_button.click()
    settle()
    assert not dialog.preview.errors and dialog.import_button.isEnabled()
    dialog.import_button.click()
    settle()
    assert "新增 4 位教师" in dialog.result_label.text()
    assert {"教师" + chr(0x4e00 + i) for i in range(900, 904)} <= _names(window)


def test_changing_a_column_mapping_checks_again(qtbot, window, dialogs, tmp_path):
    rows = [["教师", "证件", "电话"]] + [[f"张{c}", make_id(800 + i), f"1390000{i:04d}"]
                                          for i, c in enumerate("甲乙丙")]
    path = write_rows(tmp_path / "其他系统导出.xlsx", rows)
    dialog = _open_from_teacher_page(qtbot, window, dialogs, path)
    assert dialog.preview.blocked and "身份证号" in dialog.blocked_label.text()   # "证件" is not recognised
    assert not dialog.import_button.isEnabled()
    combo = dialog.mapping_bar.combo_for(1)                                      # column B
    combo.setCurrentIndex(combo.findData("id_number"))
    settle()
    assert not dialog.preview.blocked and dialog.preview.count("add") == 3
    assert dialog.preview.recognised["id_number"] == "证件"
    assert dialog.mapping_bar.combo_for(1).currentData() == "id_number"
    dialog.import_button.click()
    settle()
    assert {"张甲", "张乙", "张丙"} <= _names(window)


def test_cancelling_the_import_changes_nothing(qtbot, window, dialogs, tmp_path, monkeypatch):
    before = sorted(t.name for t in teachers.list_teachers(window.api.workspace))
    dialog = _open_from_teacher_page(qtbot, window, dialogs, _roster(tmp_path / "花名册.xlsx", n=6))
    import app.services.excel.roster_import as roster_import
    real_apply = roster_import._apply

    def apply_then_cancel(s, plan, table, progress):          # the user presses 取消 half way through
        real_apply(s, plan, table, progress)
        job.cancel()
        progress.check()

    monkeypatch.setattr(roster_import, "_apply", apply_then_cancel)
    job = dialog.commit()
    settle()
    assert job.outcome == "cancelled"
    assert dialog.current_page() == 1 and "已取消导入" in dialog.reason_label.text()
    assert sorted(t.name for t in teachers.list_teachers(window.api.workspace)) == before


def test_hours_import_raises_hours(qtbot, window, dialogs, tmp_path):
    ws = window.api.workspace
    t = teachers.list_teachers(ws)[0]
    total_before = teacher_progress(ws)[t.id].total_hours
    rows = [["姓名", "身份证号", "类别", "专题", "学时", "日期"],
            [t.name, t.id_number, "网络研修", "信息技术与学科融合", 6, "2025-10-08"]]
    from app.services.programmes import current_rules
    with ws.sessions() as s:
        rows[1][2] = current_rules(s).category_keys[0]
    path = write_rows(tmp_path / "学时.xlsx", rows, text_cols=(2,))
    page = window.go_to("学时与活动")
    dialogs.open_file = str(path)
    page.excel_button.import_action.trigger()
    dialog = find_dialog(page, "hours")
    dialog.choose_button.click()
    settle()
    assert dialog.preview.count("add") == 1 and dialog.import_button.isEnabled()
    dialog.import_button.click()
    settle()
    assert "新增 1 条学时记录" in dialog.result_label.text()
    assert teacher_progress(ws)[t.id].total_hours == total_before + 6
    # the same file again adds nothing
    dialog.again_button.click()
    settle()
    assert dialog.preview.count("add") == 0 and not dialog.import_button.isEnabled()


def test_file_menu_template_and_export(qtbot, window, dialogs, tmp_path):
    assert window.act_import_roster.text() == "导入教师名单…" and window.act_import_hours.text() == "导入学时…"
    window.act_import_hours.trigger()
    assert find_dialog(window, "hours").isVisible()
    page = window.go_to("教师")
    dialogs.save_file = str(tmp_path / "模板")
    dialogs.answers = [False]
    page.excel_button.template_action.trigger()
    settle()
    assert (tmp_path / "模板.xlsx").is_file()
    dialogs.save_file = str(tmp_path / "名单.xlsx")
    dialogs.answers = [False]
    page.excel_button.export_action.trigger()
    settle()
    assert (tmp_path / "名单.xlsx").is_file() and "已保存" in dialogs.texts("question")[-1]
    from app.services.excel import preview_roster
    again = preview_roster(window.api.workspace, tmp_path / "名单.xlsx")            # exported roster imports back unchanged
    assert not again.errors and again.count("add") == 0 and again.count("update") == 0
    dialogs.save_file = str(tmp_path / "学时.xlsx")
    dialogs.answers = [False]
    window.go_to("学时与活动").excel_button.export_action.trigger()
    settle()
    from openpyxl import load_workbook
    assert load_workbook(tmp_path / "学时.xlsx", read_only=True).sheetnames == ["教师学时", "学时记录"]
    assert retention.list_backups(window.api.workspace) is not None
    assert jobs.wait_idle()
