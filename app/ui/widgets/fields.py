"""Small input widgets used by the forms: optional dates, hours, combos, a file chooser."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QWidget)

DATE_FORMAT = "yyyy-MM-dd"


def to_qdate(value: date | None) -> QDate:
    return QDate(value.year, value.month, value.day) if value else QDate.currentDate()


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class DateField(QWidget):
    """A date picker; when `optional`, a checkbox says whether there is a date at all."""

    changed = Signal()

    def __init__(self, value: date | None = None, *, optional: bool = False, check_text: str = "已填写",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QDateEdit(calendarPopup=True, displayFormat=DATE_FORMAT)
        self.edit.setDate(to_qdate(value))
        self.check = QCheckBox(check_text) if optional else None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        if self.check is not None:
            self.check.setChecked(value is not None)
            self.edit.setEnabled(value is not None)
            self.check.toggled.connect(self._on_check_toggled)
            lay.addWidget(self.check)
        lay.addWidget(self.edit)
        lay.addStretch(1)
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())

    def value(self) -> date | None:
        if self.check is not None and not self.check.isChecked():
            return None
        return from_qdate(self.edit.date())

    def set_value(self, value: date | None) -> None:
        if self.check is not None:
            self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(to_qdate(value))

    def _on_check_toggled(self, on: bool) -> None:
        self.edit.setEnabled(on)
        self.changed.emit()


def combo(items, current: str = "", *, editable: bool = False, blank: str | None = None) -> QComboBox:
    """A combo box of strings; `blank` adds a first empty choice shown as that text."""
    box = QComboBox()
    box.setEditable(editable)
    if blank is not None:
        box.addItem(blank, "")
    for item in items:
        box.addItem(item, item)
    set_combo(box, current)
    return box


def set_combo(box: QComboBox, value: str) -> None:
    i = box.findData(value)
    if i < 0:
        i = box.findText(value)
    if i >= 0:
        box.setCurrentIndex(i)
    elif box.isEditable():
        box.setEditText(value)


def combo_value(box: QComboBox) -> str:
    if box.isEditable():
        text = box.currentText().strip()
        i = box.findText(text)
        return box.itemData(i) if i >= 0 and box.itemData(i) is not None else text
    data = box.currentData()
    return data if data is not None else box.currentText()


class FileField(QWidget):
    """Shows the chosen file's name; 选择文件… opens a file dialog."""

    changed = Signal()

    def __init__(self, *, current_name: str = "", caption: str = "选择文件", filters: str = "所有文件 (*)",
                 start_dir: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._caption, self._filters, self.start_dir = caption, filters, start_dir
        self.label = QLabel(current_name or "（未选择文件）")
        self.label.setObjectName("fileName")
        self.button = QPushButton("选择文件…")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button)
        self.button.clicked.connect(self._on_button_clicked)

    def path(self) -> Path | None:
        return self._path

    def set_path(self, path: Path | None) -> None:
        self._path = path
        if path is not None:
            self.label.setText(path.name)
        self.changed.emit()

    def _on_button_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self._caption, self.start_dir, self._filters)
        if name:
            self.set_path(Path(name))


def line(text: str = "", placeholder: str = "", max_length: int = 200) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)
    return edit
