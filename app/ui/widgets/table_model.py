"""A table model over frozen DTO rows, declared as a tuple of columns, and its search proxy.

Each feature declares its columns once:

    class TeacherTableModel(RowTableModel):
        COLUMNS = (Column("姓名", lambda r: r.name), Column("学时", fmt_hours, sort=lambda r: r.hours), …)

Cell text is computed once per `set_rows` (not on every paint), so views and
the search filter only read lists. `ROW_ROLE` returns the DTO and `SORT_ROLE`
the raw sort value, so selections and sorting never depend on the proxy's
mapping. `SearchProxy` filters on a lower-cased haystack per row, every typed
word must match, plus an optional predicate (e.g. a status combo).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QCollator, QLocale, QModelIndex, QObject, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QBrush, QColor

ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Column:
    title: str
    display: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None      # default: the displayed text
    width: int = 100                              # initial width in pixels
    align: Qt.AlignmentFlag | None = None
    tooltip: Callable[[Any], str] | None = None
    colour: Callable[[Any], str | None] | None = None   # a foreground colour name, or None
    searchable: bool = True


def fmt_hours(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def fmt_date(value) -> str:
    return value.isoformat() if value else ""


class RowTableModel(QAbstractTableModel):
    COLUMNS: tuple[Column, ...] = ()
    SORT_ROLE = Qt.ItemDataRole.UserRole
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._cells: list[list[str]] = []
        self._search: list[str] = []
        self._index: dict[Any, int] = {}

    @staticmethod
    def key(row: Any) -> Any:
        """The identity of a row (default: its `id`)."""
        return row.id

    def _render(self, row: Any) -> list[str]:
        return [c.display(row) for c in self.COLUMNS]

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells = [self._render(r) for r in self._rows]
        searchable = [i for i, c in enumerate(self.COLUMNS) if c.searchable]
        self._search = ["\x1f".join(cells[i] for i in searchable).casefold() for cells in self._cells]
        self._index = {self.key(r): i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def replace_row(self, row: Any) -> None:
        i = self._index.get(self.key(row))
        if i is None:
            return
        self._rows[i] = row
        self._cells[i] = self._render(row)
        searchable = [k for k, c in enumerate(self.COLUMNS) if c.searchable]
        self._search[i] = "\x1f".join(self._cells[i][k] for k in searchable).casefold()
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.COLUMNS) - 1), [])

    def refresh_cells(self) -> None:
        """Re-render every cell (when something the columns read has changed)."""
        if not self._rows:
            return
        self._cells = [self._render(r) for r in self._rows]
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1), [])

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, i: int) -> Any:
        return self._rows[i]

    def position_of(self, key: Any) -> int | None:
        return self._index.get(key)

    def search_text(self, i: int) -> str:
        return self._search[i]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[r][c]
        column = self.COLUMNS[c]
        if role == self.SORT_ROLE:
            return column.sort(self._rows[r]) if column.sort else self._cells[r][c]
        if role == self.ROW_ROLE:
            return self._rows[r]
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align is not None:
            return column.align
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(self._rows[r]) if column.tooltip else (self._cells[r][c] or None)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            name = column.colour(self._rows[r])
            return QBrush(QColor(name)) if name else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section].title
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


class SearchProxy(QSortFilterProxyModel):
    """Filters a RowTableModel by typed words (all must match) and an optional row predicate."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._predicate: Callable[[Any], bool] | None = None
        self.setSortRole(RowTableModel.SORT_ROLE)
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self._collator.setNumericMode(True)      # 工号 T2 before T10; names by pinyin

    def set_text(self, text: str) -> None:
        words = text.casefold().split()
        if words == self._words:
            return
        self.beginFilterChange()
        self._words = words
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_predicate(self, predicate: Callable[[Any], bool] | None) -> None:
        self.beginFilterChange()
        self._predicate = predicate
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        model: RowTableModel = self.sourceModel()  # type: ignore[assignment]
        if self._words:
            hay = model.search_text(source_row)
            for w in self._words:
                if w not in hay:
                    return False
        if self._predicate is not None:
            return bool(self._predicate(model.row_at(source_row)))
        return True

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        a, b = left.data(RowTableModel.SORT_ROLE), right.data(RowTableModel.SORT_ROLE)
        if a is None or b is None:
            return (a is None) and (b is not None)
        if isinstance(a, str) and isinstance(b, str):
            return self._collator.compare(a, b) < 0
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
