"""The list of every problem an import check found: row (as Excel shows it), column, value, what is wrong.

Below the preview table; clicking a problem shows its cell in the table.
Errors come first, then 提醒 (warnings), each sorted by row.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.excel import RowProblem
from app.ui.style import BAD, WARN


class ProblemCol(IntEnum):
    KIND = 0
    ROW = 1
    COLUMN = 2
    VALUE = 3
    MESSAGE = 4


HEADERS = ("类型", "行号", "列", "值", "问题")


class ProblemListModel(QAbstractTableModel):
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RowProblem] = []
        self._brushes = {"error": QBrush(QColor(BAD)), "warning": QBrush(QColor(WARN))}

    def set_problems(self, errors, warnings) -> None:
        self.beginResetModel()
        self._rows = sorted(errors, key=lambda p: (p.row, len(p.letter), p.letter)) + \
            sorted(warnings, key=lambda p: (p.row, len(p.letter), p.letter))
        self.endResetModel()

    def problems(self) -> list[RowProblem]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(ProblemCol)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        p = self._rows[index.row()]
        col = ProblemCol(index.column())
        if role == self.ROW_ROLE:
            return p
        if role == Qt.ItemDataRole.DisplayRole:
            if col is ProblemCol.KIND:
                return "错误" if p.severity == "error" else "提醒"
            if col is ProblemCol.ROW:
                return str(p.row) if p.row else "—"
            if col is ProblemCol.COLUMN:
                return (f"{p.letter} 列 {p.column}" if p.letter else p.column) or "—"
            if col is ProblemCol.VALUE:
                return p.value or "（空）"
            return p.message
        if role == Qt.ItemDataRole.ForegroundRole and col is ProblemCol.KIND:
            return self._brushes["error" if p.severity == "error" else "warning"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return p.describe()
        if role == Qt.ItemDataRole.TextAlignmentRole and col is ProblemCol.ROW:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None
