"""The full text of the document a programme is based on, to read the sentences in their context."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from app.ui.widgets.screen_fit import resize_to_screen


class DocumentWindow(QDialog):
    def __init__(self, title: str, text: str, parent: QWidget | None = None, quote: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(f"依据文件：{title}")
        self.text = QTextBrowser()
        self.text.setObjectName("documentText")
        self.text.setPlainText(text)
        self.find = QLineEdit()
        self.find.setPlaceholderText("查找（回车找下一处），如：学时")
        self.find.returnPressed.connect(lambda: self.text.find(self.find.text()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.find)
        lay.addWidget(self.text, 1)
        lay.addWidget(buttons)
        resize_to_screen(self, 820, 640)
        if quote:                                   # open at the sentence the selected rule quotes
            self.find.setText(quote[:40])
            self.text.find(quote[:40])
