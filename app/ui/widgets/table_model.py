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
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

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
    stretch: bool = False                         # takes the table's spare width (long text)


def fmt_hours(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def fmt_date(value) -> str:
    return value.isoformat() if value else ""


# Roles as plain ints: the views pass ints, and comparing ints is much cheaper than enum members.
_DISPLAY = 0
_TOOLTIP = 3
_ALIGN = 7
_FOREGROUND = 9


def _int_flag(flag) -> int:
    return int(getattr(flag, "value", flag))


class RowTableModel(QAbstractTableModel):
    COLUMNS: tuple[Column, ...] = ()
    SORT_ROLE = Qt.ItemDataRole.UserRole
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._cells: list[list[str]] = []
        self._colours: list[list | None] = []       # per row: a QBrush (or None) per column, or None
        self._search: list[str] = []
        self._index: dict[Any, int] = {}
        self._sort_keys: dict[int, list] = {}
        self._aligns = [(_int_flag(c.align) if c.align is not None else None) for c in self.COLUMNS]
        self._align_flags = [c.align for c in self.COLUMNS]      # the same, as Qt flags (for the delegate)
        self._coloured = [i for i, c in enumerate(self.COLUMNS) if c.colour is not None]
        self._searchable = [i for i, c in enumerate(self.COLUMNS) if c.searchable]
        self._brushes: dict[str, QBrush] = {}

    @staticmethod
    def key(row: Any) -> Any:
        """The identity of a row (default: its `id`)."""
        return row.id

    def _render(self, row: Any) -> list[str]:
        return [c.display(row) for c in self.COLUMNS]

    def _paint_colours(self, row: Any) -> list | None:
        if not self._coloured:
            return None
        out: list = [None] * len(self.COLUMNS)
        any_colour = False
        for i in self._coloured:
            name = self.COLUMNS[i].colour(row)
            if name:
                brush = self._brushes.get(name)
                if brush is None:
                    brush = self._brushes[name] = QBrush(QColor(name))
                out[i] = brush
                any_colour = True
        return out if any_colour else None

    def _cache_row(self, i: int) -> None:
        row = self._rows[i]
        self._cells[i] = cells = self._render(row)
        self._colours[i] = self._paint_colours(row)
        self._search[i] = "\x1f".join(cells[k] for k in self._searchable).casefold()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        n = len(self._rows)
        self._cells, self._colours, self._search = [[]] * n, [None] * n, [""] * n
        for i in range(n):
            self._cache_row(i)
        self._index = {self.key(r): i for i, r in enumerate(self._rows)}
        self._sort_keys = {}
        self.endResetModel()

    def replace_row(self, row: Any) -> None:
        i = self._index.get(self.key(row))
        if i is None:
            return
        self._rows[i] = row
        self._cache_row(i)
        self._sort_keys = {}
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.COLUMNS) - 1), [])

    def update_rows(self, rows: Sequence[Any], columns: Sequence[int]) -> None:
        """Same rows, same order, new values in these (non-searchable) columns only: no reset."""
        if (len(rows) != len(self._rows) or not rows
                or any(self.key(a) != self.key(b) for a, b in zip(rows, self._rows))):
            self.set_rows(rows)
            return
        cols = [self.COLUMNS[c] for c in columns]
        for i, row in enumerate(rows):
            self._rows[i] = row
            cells = self._cells[i]
            for c, col in zip(columns, cols):
                cells[c] = col.display(row)
            if any(self.COLUMNS[c].colour is not None for c in columns):
                self._colours[i] = self._paint_colours(row)
        for c in columns:
            self._sort_keys.pop(c, None)
        self.dataChanged.emit(self.index(0, min(columns)), self.index(len(rows) - 1, max(columns)), [])

    def refresh_cells(self) -> None:
        """Re-render every cell (when something the columns read has changed)."""
        if not self._rows:
            return
        for i in range(len(self._rows)):
            self._cache_row(i)
        self._sort_keys = {}
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.COLUMNS) - 1), [])

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, i: int) -> Any:
        return self._rows[i]

    def position_of(self, key: Any) -> int | None:
        return self._index.get(key)

    def search_text(self, i: int) -> str:
        return self._search[i]

    def sort_key(self, row: int, column: int) -> Any:
        """The raw sort value of a cell, computed once per column after each load."""
        keys = self._sort_keys.get(column)
        if keys is None:
            col = self.COLUMNS[column]
            keys = ([col.sort(r) for r in self._rows] if col.sort is not None
                    else [cells[column] for cells in self._cells])
            self._sort_keys[column] = keys
        return keys[row]

    def fill_roles(self, r: int, c: int, span) -> None:
        """Answer a view's whole request for one cell (multiData) from the caches.

        The delegate reuses its span from cell to cell, so a role this model sometimes
        answers (alignment, colour) is cleared when absent; roles it never answers (font,
        icon, background, check state) were never set and stay empty.
        """
        for rd in span:
            role = rd.role()
            if role == _DISPLAY:
                rd.setData(self._cells[r][c])
            elif role == _ALIGN:
                align = self._aligns[c]
                if align is None:
                    rd.clearData()
                else:
                    rd.setData(align)
            elif role == _FOREGROUND:
                colours = self._colours[r]
                if colours is None or colours[c] is None:
                    rd.clearData()
                else:
                    rd.setData(colours[c])
            elif role == _TOOLTIP:
                rd.clearData()

    def uses_fast_paint(self) -> bool:
        """True unless a subclass answers data() itself (then multiData must ask it role by role)."""
        return type(self).data is RowTableModel.data

    def multiData(self, index, span) -> None:
        if index.isValid() and self.uses_fast_paint():
            self.fill_roles(index.row(), index.column(), span)
        else:
            super().multiData(index, span)

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        # One Python call instead of the base class's rowCount() + columnCount() round trip.
        if 0 <= row < len(self._rows) and 0 <= column < len(self.COLUMNS) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == _DISPLAY:
            return self._cells[r][c]
        if role == self.ROW_ROLE:
            return self._rows[r]
        if role == self.SORT_ROLE:
            return self.sort_key(r, c)
        if role == _ALIGN:
            return self._aligns[c]
        if role == _FOREGROUND:
            colours = self._colours[r]
            return colours[c] if colours is not None else None
        if role == _TOOLTIP:
            column = self.COLUMNS[c]
            return column.tooltip(self._rows[r]) if column.tooltip else (self._cells[r][c] or None)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == _DISPLAY:
            if orientation == Qt.Orientation.Horizontal:
                return self.COLUMNS[section].title
            return str(section + 1)
        return None


class RowDelegate(QStyledItemDelegate):
    """Paints a RowTableModel's cells (through a SearchProxy or directly) from its caches.

    Fills the style option itself instead of letting the base class ask the model for
    seven roles: one Python call per visible cell. Anything else falls back to Qt.
    """

    def __init__(self, view_model, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._proxy = view_model if isinstance(view_model, SearchProxy) else None
        self._model = self._proxy._source if self._proxy is not None else view_model
        self._fast = isinstance(self._model, RowTableModel) and self._model.uses_fast_paint()
        self._features: dict = {}          # option.features -> the same | HasDisplay (no enum arithmetic per cell)

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        if not self._fast:
            super().initStyleOption(option, index)
            return
        model = self._model
        r = self._proxy.mapToSource(index).row() if self._proxy is not None else index.row()
        c = index.column()
        option.text = model._cells[r][c]
        features = option.features
        with_display = self._features.get(features)
        if with_display is None:
            with_display = self._features[features] = features | _HAS_DISPLAY
        option.features = with_display
        align = model._align_flags[c]
        if align is not None:
            option.displayAlignment = align
        colours = model._colours[r]
        if colours is not None and colours[c] is not None:
            palette = option.palette
            palette.setBrush(QPalette.ColorRole.Text, colours[c])
            option.palette = palette


_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay


class SearchProxy(QSortFilterProxyModel):
    """Filters a RowTableModel by typed words (all must match) and an optional row predicate.

    Painting goes through `multiData`, answered straight from the source model's caches:
    one Python call per visible cell instead of seven (the view asks for seven roles).
    Sorting compares the source's cached sort keys, collated for Chinese (pinyin order).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._predicate: Callable[[Any], bool] | None = None
        self._source: RowTableModel | None = None
        self._fast = False
        self.setSortRole(RowTableModel.SORT_ROLE)
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self._collator.setNumericMode(True)      # 工号 T2 before T10; names by pinyin

    def setSourceModel(self, model) -> None:
        super().setSourceModel(model)
        self._source = model if isinstance(model, RowTableModel) else None
        self._fast = self._source is not None and self._source.uses_fast_paint()

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
        model = self._source
        if model is None:
            return True
        if self._words:
            hay = model._search[source_row]
            for w in self._words:
                if w not in hay:
                    return False
        if self._predicate is not None:
            return bool(self._predicate(model._rows[source_row]))
        return True

    def multiData(self, index, span) -> None:
        if self._fast and index.isValid():
            src = self.mapToSource(index)
            self._source.fill_roles(src.row(), src.column(), span)
        else:
            super().multiData(index, span)

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        if self._source is not None:
            a = self._source.sort_key(left.row(), left.column())
            b = self._source.sort_key(right.row(), right.column())
        else:
            a, b = left.data(RowTableModel.SORT_ROLE), right.data(RowTableModel.SORT_ROLE)
        if a is None or b is None:
            return (a is None) and (b is not None)
        if isinstance(a, str) and isinstance(b, str):
            return self._collator.compare(a, b) < 0
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
