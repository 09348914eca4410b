"""The page the main window shows while its data folder is being opened (start-up checks, the
database, the first page's data): "正在打开学校数据…" and which folder.

Qt only, and not even the `Qt` namespace (see app.ui.main_window): the window shows it before
anything else is loaded (app.ui.opening).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

OPENING_TEXT = "正在打开学校数据…"


class OpeningPage(QWidget):
    def __init__(self, folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingPage")
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 32, 32, 32)
        column.addStretch(2)
        self.title = QLabel(OPENING_TEXT)
        self.title.setProperty("role", "pageTitle")
        self.title.setProperty("alignment", "AlignCenter")     # by name: no Qt namespace before the first paint
        column.addWidget(self.title)
        self.hint = QLabel("检查数据文件、读取本校信息，请稍候。"
                           + (f"\n数据文件夹：{folder}" if folder is not None else ""))
        self.hint.setProperty("role", "pageSubtitle")
        self.hint.setProperty("alignment", "AlignCenter")
        self.hint.setWordWrap(True)
        column.addWidget(self.hint)
        column.addStretch(3)
