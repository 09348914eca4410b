"""Entry points for menus and pages: open the import dialog, and the pages' Excel button.

    open_import_dialog(parent, ws, events, "roster")   # 导入花名册… (教师 page, 文件 › 导入)
    open_import_dialog(parent, ws, events, "hours")    # 导入学时… (学时与活动 page, 文件 › 导入)
    excel_button(parent, ws, events, "roster" | "hours") # the page button: 导入… / 下载导入模板… / 导出到 Excel…

Saving a template or an export is in excel_files.py (the import dialog offers the template too).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QToolButton, QWidget

from app.ui.importing.excel_files import download_template, export_to_excel
from app.ui.importing.import_dialog import ImportDialog
from app.ui.importing.import_kinds import KINDS


def open_import_dialog(parent: QWidget | None, ws, events, kind: str, path: Path | None = None) -> ImportDialog:
    """Show the import dialog (window-modal, never blocking); with `path`, start checking that file."""
    dialog = ImportDialog(ws, kind, events, parent)
    dialog.open()
    if path is not None:
        dialog.load(path)
    return dialog


def excel_button(parent: QWidget, ws, events, kind: str) -> QToolButton:
    """"从 Excel 导入…" for a page: a click imports; its menu also has 下载导入模板… and 导出到 Excel…."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    info = KINDS[kind]
    button = QToolButton(parent)
    button.setObjectName(f"excel_{kind}")
    import_action = QAction("从 Excel 导入…" if kind == "roster" else "从 Excel 导入学时…", button)
    import_action.setToolTip(f"{info.title}：先预览、检查每一行，再导入")
    template_action = QAction("下载导入模板…", button)
    export_action = QAction("导出到 Excel…", button)
    import_action.triggered.connect(lambda: open_import_dialog(parent, ws, events, kind))
    template_action.triggered.connect(lambda: download_template(parent, ws, kind))
    export_action.triggered.connect(lambda: export_to_excel(parent, ws, kind))
    menu = QMenu(button)
    for action in (import_action, template_action, export_action):
        menu.addAction(action)
    button.setDefaultAction(import_action)
    button.setMenu(menu)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.import_action, button.template_action, button.export_action = import_action, template_action, export_action
    return button
