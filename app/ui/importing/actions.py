"""Entry points for menus and pages: open the import dialog, and the pages' Excel button.

    open_import_dialog(parent, api, "roster")   # 导入花名册… (教师 page, 文件 › 导入)
    open_import_dialog(parent, api, "hours")    # 导入学时… (学时与活动 page, 文件 › 导入)
    excel_button(parent, api, "roster" | "hours") # the page button: 导入… / 下载导入模板… / 导出到 Excel…

What an import changed reaches the pages through the job runner (app.ui.jobs), not through here.

Saving a template or an export is in excel_files.py (the import dialog offers the template too).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QToolButton, QWidget

from app.ui.importing.excel_files import download_template, export_to_excel
from app.ui.importing.import_dialog import ImportDialog
from app.ui.importing.import_kinds import KINDS


def open_import_dialog(parent: QWidget | None, api, kind: str, path: Path | None = None) -> ImportDialog:
    """Show the import dialog (window-modal, never blocking); with `path`, start checking that file."""
    dialog = ImportDialog(api, kind, parent)
    dialog.open()
    if path is not None:
        dialog.load(path)
    return dialog


def excel_button(parent: QWidget, api, kind: str) -> QToolButton:
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
    import_action.triggered.connect(lambda: open_import_dialog(parent, api, kind))
    template_action.triggered.connect(lambda: download_template(parent, api, kind))
    export_action.triggered.connect(lambda: export_to_excel(parent, api, kind))
    menu = QMenu(button)
    for action in (import_action, template_action, export_action):
        menu.addAction(action)
    button.setDefaultAction(import_action)
    button.setMenu(menu)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.import_action, button.template_action, button.export_action = import_action, template_action, export_action
    return button
