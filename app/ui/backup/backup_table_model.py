"""The backups of one data folder as a table: when, what kind, size, whether it passes its check."""

from __future__ import annotations

from dataclasses import replace
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.backup.snapshot import BackupInfo
from app.ui.style import BAD, MUTED, OK


class Col(IntEnum):
    WHEN = 0
    KIND = 1
    SIZE = 2
    CHECK = 3
    NAME = 4


HEADERS = ("备份时间", "类型", "大小", "检查", "文件名")
WEEKDAYS = "一二三四五六日"


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    if n < 1024 ** 3:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024 ** 3:.2f} GB"


class BackupTableModel(QAbstractTableModel):
    SORT_ROLE = Qt.ItemDataRole.UserRole
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[BackupInfo] = []
        self._brushes = {True: QBrush(QColor(OK)), False: QBrush(QColor(BAD)), None: QBrush(QColor(MUTED))}

    def set_rows(self, rows: list[BackupInfo]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[BackupInfo]:
        return list(self._rows)

    def set_checked(self, checked: list[BackupInfo]) -> None:
        """Fill in the check results (matched by file), telling the view only the 检查 column changed."""
        by_path = {b.path: b for b in checked}
        for i, row in enumerate(self._rows):
            new = by_path.get(row.path)
            if new is not None and new.ok is not None:
                self._rows[i] = replace(row, ok=new.ok, problem=new.problem)
        if self._rows:
            self.dataChanged.emit(self.index(0, Col.CHECK), self.index(len(self._rows) - 1, Col.CHECK), [])

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(Col)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        b = self._rows[index.row()]
        col = Col(index.column())
        if role == self.ROW_ROLE:
            return b
        if role == self.SORT_ROLE:
            return {Col.WHEN: b.created.isoformat(), Col.KIND: b.label, Col.SIZE: b.size,
                    Col.CHECK: {True: 0, None: 1, False: 2}[b.ok], Col.NAME: b.path.name}[col]
        if role == Qt.ItemDataRole.DisplayRole:
            if col is Col.WHEN:
                return f"{b.created:%Y-%m-%d %H:%M}（周{WEEKDAYS[b.created.weekday()]}）"
            if col is Col.KIND:
                return b.label
            if col is Col.SIZE:
                return human_size(b.size)
            if col is Col.CHECK:
                return {True: "完好", False: "损坏", None: "检查中…"}[b.ok]
            return b.path.name
        if role == Qt.ItemDataRole.ForegroundRole and col is Col.CHECK:
            return self._brushes[b.ok]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col is Col.CHECK and b.ok is False:
                return f"这份备份未通过完整性检查，不能用于恢复：{b.problem}"
            return str(b.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and col is Col.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None
