"""修改规则: a form for one programme rule, built from the rule's parts (app.services.programmes.fields).

A single value gets one field, a rule of a few parts one field each, a list rule an editable
grid with 添加一行/删除所选行. The dialog turns the typed text into the rule's value and returns
it; the page saves it through the service, which checks it and says in Chinese what is wrong.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.services.programmes.fields import Part, Record, Scalar, Table, form_of
from app.ui.widgets.screen_fit import resize_to_screen

YES, NO = "是", "否"


def to_text(part: Part, value: Any) -> str:
    if value is None:
        return ""
    if part.kind == "bool":
        return YES if value else NO
    if part.kind == "share":
        return f"{value * 100:g}%"
    if part.kind == "list":
        return "、".join(str(x) for x in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def from_text(part: Part, text: str) -> Any:
    """The typed text as the value the service expects; the service checks it and names what is wrong."""
    text = text.strip()
    if part.kind == "bool":
        return text in (YES, "true", "1", "对")
    if part.kind == "list":
        return [x.strip() for x in text.replace("，", ",").replace("、", ",").split(",") if x.strip()]
    if part.kind == "number":
        if not text:
            return None
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text                    # the service says “应为数字”
    return text


def _field(part: Part, value: Any) -> QWidget:
    if part.kind == "bool" or part.options and part.kind == "choice":
        box = QComboBox()
        items = [YES, NO] if part.kind == "bool" else list(part.options)
        box.addItems(items)
        current = to_text(part, value)
        if current in items:
            box.setCurrentText(current)
        return box
    edit = QLineEdit(to_text(part, value))
    if part.hint:
        edit.setPlaceholderText(part.hint)
    return edit


def _read(widget: QWidget) -> str:
    return widget.currentText() if isinstance(widget, QComboBox) else widget.text()


class RuleEditor(QDialog):
    """Edit one rule's value; `value()` after accept."""

    def __init__(self, key: str, label: str, value: Any, basis: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"修改规则：{label}")
        self.key, self.form = key, form_of(key)
        self.fields: dict[str, QWidget] = {}
        lay = QVBoxLayout(self)
        if basis:
            source = QLabel(f"依据：{basis}")
            source.setWordWrap(True)
            source.setProperty("role", "hint")
            source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lay.addWidget(source)
        if isinstance(self.form, Table):
            lay.addWidget(self._grid(value or []), 1)
        else:
            form = QFormLayout()
            parts = (self.form.part,) if isinstance(self.form, Scalar) else self.form.parts
            for part in parts:
                current = value if isinstance(self.form, Scalar) else (value or {}).get(part.name)
                self.fields[part.name] = _field(part, current)
                form.addRow(part.label, self.fields[part.name])
                if part.hint and part.kind in ("choice", "bool"):
                    hint = QLabel(part.hint)
                    hint.setProperty("role", "hint")
                    hint.setWordWrap(True)
                    form.addRow("", hint)
            lay.addLayout(form)
        self.note = QLineEdit()
        self.note.setPlaceholderText("如：区教育局2026年9月通知")
        reason = QFormLayout()
        reason.addRow("调整原因", self.note)
        lay.addLayout(reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        resize_to_screen(self, 760, 520 if isinstance(self.form, Table) else 360)

    def _grid(self, rows: list[dict]) -> QWidget:
        parts = self.form.parts
        self.model = QStandardItemModel(0, len(parts), self)
        self.model.setHorizontalHeaderLabels([p.label for p in parts])
        for row in rows:
            self.model.appendRow([QStandardItem(to_text(p, row.get(p.name))) for p in parts])
        self.grid = QTableView()
        self.grid.setObjectName("ruleGrid")
        self.grid.setModel(self.model)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.grid.horizontalHeader().setStretchLastSection(True)
        self.grid.setWordWrap(True)
        add, remove = QPushButton("添加一行"), QPushButton("删除所选行")
        add.clicked.connect(lambda: self.model.appendRow([QStandardItem("") for _ in parts]))
        remove.clicked.connect(self._remove_selected)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        hints = [f"{p.label}：{p.hint}" for p in parts if p.hint]
        if hints or any(p.kind == "bool" for p in parts):
            tip = QLabel("；".join(hints + ["是/否一栏填“是”或“否”"] if any(p.kind == "bool" for p in parts) else hints))
            tip.setProperty("role", "hint")
            tip.setWordWrap(True)
            lay.addWidget(tip)
        lay.addWidget(self.grid, 1)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        lay.addLayout(row)
        return box

    def _remove_selected(self) -> None:
        for index in sorted(self.grid.selectionModel().selectedRows(), key=lambda i: -i.row()):
            self.model.removeRow(index.row())

    def value(self) -> Any:
        if isinstance(self.form, Scalar):
            return from_text(self.form.part, _read(self.fields["value"]))
        if isinstance(self.form, Record):
            out = {}
            for part in self.form.parts:
                v = from_text(part, _read(self.fields[part.name]))
                if v not in ("", None) or part.kind == "list":
                    out[part.name] = v
            return out
        rows = []
        for r in range(self.model.rowCount()):
            cells = {p.name: self.model.item(r, c).text() if self.model.item(r, c) else ""
                     for c, p in enumerate(self.form.parts)}
            if not any(v.strip() for v in cells.values()):
                continue                                        # an empty line added by mistake
            rows.append({p.name: from_text(p, cells[p.name]) for p in self.form.parts
                         if cells[p.name].strip() or p.kind in ("bool", "list")})
        return rows

    def reason(self) -> str:
        return self.note.text().strip()
