"""A field for a key fingerprint typed from paper: checked at every keystroke, grouped as it grows.

What is wrong is said under the field at once (a letter that cannot occur, in which group; too
many characters); how far the typing is shows beside it (第 3/8 组). A USB scanner that types the
whole fingerprint at once works the same way. The check is a pure function of the text
(`register.check_typed`), with no file or database behind it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.services.district.register import TypedFingerprint, check_typed
from app.ui.style import OK
from app.ui.widgets.error_line import ErrorLine


class FingerprintEdit(QWidget):
    checked = Signal(object)                 # the TypedFingerprint after every change

    def __init__(self, parent: QWidget | None = None, *, placeholder: str = "如 3F2A-91C0-…（8 组，每组 4 位）") -> None:
        super().__init__(parent)
        self.state = check_typed("")
        self._build_ui(placeholder)
        self.edit.textChanged.connect(self._on_edit_text_changed)

    def _build_ui(self, placeholder: str) -> None:
        self.edit = QLineEdit(placeholderText=placeholder)
        self.edit.setObjectName("fingerprintEdit")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSizeF(self.edit.font().pointSizeF() * 1.15)
        self.edit.setFont(font)
        self.edit.setMaxLength(80)
        self.count = QLabel("0/8 组")
        self.count.setObjectName("fingerprintCount")
        self.count.setMinimumWidth(70)
        self.error = ErrorLine()
        self.error.setObjectName("fingerprintError")
        self.error.set_message("")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.error)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def value(self) -> str:
        """The grouped fingerprint when complete and valid, else ''."""
        return self.state.text if self.state.ok else ""

    def _on_edit_text_changed(self, text: str) -> None:
        self.state: TypedFingerprint = check_typed(text)
        groups = min(8, self.state.typed // 4)
        self.count.setText("✔ 8/8 组" if self.state.ok else f"{groups}/8 组")
        self.count.setStyleSheet(f"color: {OK};" if self.state.ok else "")
        self.error.set_message(self.state.problem)
        self.checked.emit(self.state)
