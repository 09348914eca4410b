"""A searchable list of teachers with one status column, shared by the part-2 pages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QModelIndex, QSortFilterProxyModel, Qt,
                            QT_TRANSLATE_NOOP, Signal)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

TONES = {"ok": QColor("#1b7f3b"), "warn": QColor("#a15c00"), "bad": QColor("#c0392b"), "muted": QColor("#808080")}


@dataclass(frozen=True)
class PickerRow:
    teacher_id: int
    name: str
    staff_no: str
    subject: str
    group: str
    note: str
    tone: str = ""


class Col(IntEnum):
    NAME = 0
    SUBJECT = 1
    NOTE = 2


class TeacherPickerModel(QAbstractTableModel):
    SORT_ROLE = Qt.ItemDataRole.UserRole
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1
    HEADERS = (QT_TRANSLATE_NOOP("TeacherPicker", "教师"), QT_TRANSLATE_NOOP("TeacherPicker", "学科"),
               QT_TRANSLATE_NOOP("TeacherPicker", "状态"))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[PickerRow] = []
        self.note_header = ""

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Col)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = self._rows[index.row()], Col(index.column())
        if role == self.ROW_ROLE:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, self.SORT_ROLE):
            if col is Col.NAME:
                return row.name if role == Qt.ItemDataRole.DisplayRole else (row.staff_no or row.name)
            return row.subject if col is Col.SUBJECT else row.note
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [row.name, f"工号 {row.staff_no}" if row.staff_no else "", row.subject, row.group, row.note]
            return "　".join(p for p in parts if p)
        if role == Qt.ItemDataRole.ForegroundRole and col is Col.NOTE and row.tone in TONES:
            return QBrush(TONES[row.tone])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == Col.NOTE and self.note_header:
                return self.note_header
            return QCoreApplication.translate("TeacherPicker", self.HEADERS[section])
        return None

    def set_rows(self, rows: list[PickerRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[PickerRow]:
        return list(self._rows)


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:
        if not self._needle:
            return True
        row = self.sourceModel().index(source_row, 0, source_parent).data(TeacherPickerModel.ROW_ROLE)
        hay = f"{row.name} {row.staff_no} {row.subject} {row.group} {row.note}".casefold()
        return self._needle in hay


class TeacherPicker(QWidget):
    """Search box above a list of teachers; emits teacher_selected(id) when the choice changes."""

    teacher_selected = Signal(int)

    def __init__(self, note_header: str = "状态", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current: int | None = None
        self._build_ui(note_header)
        self._connect_signals()

    def _build_ui(self, note_header: str) -> None:
        self.search = QLineEdit(placeholderText=self.tr("搜索姓名、工号、学科…"))
        self.search.setClearButtonEnabled(True)
        self.model = TeacherPickerModel(self)
        self.model.note_header = note_header
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(TeacherPickerModel.SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.search)
        lay.addWidget(self.view)

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self.proxy.set_needle)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(TeacherPickerModel.ROW_ROLE) if current.isValid() else None
        if row is not None and row.teacher_id != self._current:
            self._current = row.teacher_id
            self.teacher_selected.emit(row.teacher_id)

    def set_rows(self, rows: list[PickerRow]) -> None:
        """Replace the list, keeping the current teacher selected when still present."""
        keep = self._current
        self.model.set_rows(rows)
        if keep is not None and not self.select_teacher(keep, emit=False):
            self._current = None

    def select_teacher(self, teacher_id: int, *, emit: bool = True) -> bool:
        for r in range(self.proxy.rowCount()):
            idx = self.proxy.index(r, 0)
            if idx.data(TeacherPickerModel.ROW_ROLE).teacher_id == teacher_id:
                if not emit:
                    self._current = teacher_id
                self.view.selectionModel().setCurrentIndex(
                    idx, self.view.selectionModel().SelectionFlag.ClearAndSelect
                    | self.view.selectionModel().SelectionFlag.Rows)
                self.view.scrollTo(idx)
                if emit and self._current != teacher_id:
                    self._current = teacher_id
                    self.teacher_selected.emit(teacher_id)
                return True
        return False

    def current_id(self) -> int | None:
        return self._current

    def row_for(self, teacher_id: int) -> PickerRow | None:
        return next((r for r in self.model.rows() if r.teacher_id == teacher_id), None)
