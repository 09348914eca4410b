"""Saving an Excel file the user asked for: this school's import template, or the roster/hours export.

    download_template(parent, api, "roster" | "hours")  # 下载导入模板…: asks where to save
    export_to_excel(parent, api, "roster" | "hours")    # 导出到 Excel…: asks where to save
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.ui import jobs
from app.ui.importing.import_kinds import KINDS
from app.ui.settings import LAST_FILE_DIR, Settings


def download_template(parent: QWidget | None, api, kind: str) -> jobs.Job | None:
    """下载导入模板…: ask where to save this school's template, write it, offer to open it."""
    info = KINDS[kind]
    start = Settings().get(LAST_FILE_DIR) or str(Path.home())
    path, _ = QFileDialog.getSaveFileName(parent, f"保存{info.noun}导入模板", str(Path(start) / info.template_name),
                                          "Excel 工作簿 (*.xlsx)")
    if not path:
        return None
    dest = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
    Settings().set(LAST_FILE_DIR, str(dest.parent))

    def done(saved: Path) -> None:
        answer = QMessageBox.question(
            parent, "模板已保存",
            f"已保存导入模板：{saved}\n\n请按模板中的“使用说明”填写（不要删除使用说明和表头），"
            f"填好后用“{info.title}…”导入。\n\n要现在打开它吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(saved)))

    return jobs.run_with_progress(parent, lambda ctx: api.importing.write_template(kind, dest), title="下载导入模板",
                                  text="正在生成导入模板…", on_done=done)


EXPORTS = {"roster": ("导出教师名单", "教师花名册", "导出的名单含完整的身份证号和联系电话，请妥善保管。"
                                                  "可在 Excel 中修改后用“从 Excel 导入…”导回（按身份证号更新）。"),
           "hours": ("导出学时", "教师学时", "“教师学时”表列出每位教师各类学时与达标情况，“学时记录”表列出每一条记录；"
                                          "身份证号和电话已隐去中间几位。")}


def export_to_excel(parent: QWidget | None, api, kind: str) -> jobs.Job | None:
    """导出到 Excel…: ask where to save the roster or the hours workbook, write it, offer to open it."""
    from datetime import date

    title, stem, note = EXPORTS[kind]
    start = Settings().get(LAST_FILE_DIR) or str(Path.home())
    suggested = Path(start) / f"{stem}_{date.today():%Y%m%d}.xlsx"
    path, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), "Excel 工作簿 (*.xlsx)")
    if not path:
        return None
    dest = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
    Settings().set(LAST_FILE_DIR, str(dest.parent))

    def done(saved: Path) -> None:
        answer = QMessageBox.question(parent, title, f"已保存：{saved}\n\n{note}\n\n要现在打开它吗？",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(saved)))

    def work(ctx) -> Path:
        if kind == "roster":
            return api.importing.export_roster(dest, progress=ctx.progress)
        return api.importing.export_hours(dest, progress=ctx.progress)

    return jobs.run_with_progress(parent, work, title=title, text=f"正在{title}…", on_done=done)
