"""Teacher × point matrix as a table model, with a filter proxy that asks the service which rows pass."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.services.matrix import MatrixCounts, MatrixRow, SchoolMatrix, count, filter_rows

FIXED = ("姓名", "工号", "学科", "研修组", "选点")
STATUS_COLOURS = {"符合": QColor("#1b7f3b"), "不符合": QColor("#c0392b"), "未选点": QColor("#a15c00"),
                  "免修": QColor("#808080")}
CHOSEN = QColor("#d6e9fb")
ENV_TINT = {"多媒体": QColor("#f4f8fc"), "混合": QColor("#f6fbf4"), "智慧": QColor("#fcf7f2")}


_DISPLAY = Qt.ItemDataRole.DisplayRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_CENTER = Qt.AlignmentFlag.AlignCenter
TICK = "✓"


class SchoolMatrixModel(QAbstractTableModel):
    """Cell texts are computed once per matrix; data() is a list lookup (views call it for every
    painted cell and role, so it must stay cheap for a 1,000-teacher school)."""

    SORT_ROLE = Qt.ItemDataRole.UserRole
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._matrix: SchoolMatrix | None = None
        self._rows: tuple[MatrixRow, ...] = ()
        self._text: list[list[str]] = []
        self._codes: list[str] = []
        self._counts: MatrixCounts | None = None
        self._nrows = 0
        self._ncols = len(FIXED)
        self._chosen_brush = QBrush(CHOSEN)
        self._header_font = QFont()
        self._header_font.setPointSizeF(max(7.0, self._header_font.pointSizeF() - 1.5))
        self._status_brush = {k: QBrush(v) for k, v in STATUS_COLOURS.items()}

    def rowCount(self, parent=QModelIndex()) -> int:
        return self._nrows if not parent.isValid() else 0

    def columnCount(self, parent=QModelIndex()) -> int:
        return self._ncols if not parent.isValid() else 0

    def data(self, index, role=_DISPLAY):
        r, c = index.row(), index.column()
        if role == _DISPLAY:
            return self._text[r][c]
        if c >= len(FIXED):
            if role == _BACKGROUND:
                return self._chosen_brush if self._text[r][c] else None
            if role == _ALIGN:
                return _CENTER
            if role == self.SORT_ROLE:
                return 1 if self._text[r][c] else 0
            if role == _TOOLTIP:
                row = self._rows[r]
                return f"{row.name}：{'已选' if self._text[r][c] else '未选'} {self._codes[c - len(FIXED)]}"
            if role == self.ROW_ROLE:
                return self._rows[r]
            return None
        if role == self.ROW_ROLE:
            return self._rows[r]
        if role == self.SORT_ROLE:
            row = self._rows[r]
            return (row.status, len(row.codes)) if c == 4 else self._text[r][c]
        if c == 4:
            row = self._rows[r]
            if role == _FOREGROUND:
                return self._status_brush.get(row.status)
            if role == _TOOLTIP:
                return row.exempt_reason or "\n".join(row.problems) or "符合本校方案的选点规则"
        elif role == _TOOLTIP:
            return self._text[r][c] or None
        return None

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if section < len(FIXED):
            return FIXED[section] if role == _DISPLAY else None
        if self._matrix is None:
            return None
        p = self._matrix.points[section - len(FIXED)]
        n = self._counts.by_point.get(p.code, 0) if self._counts else 0
        if role == _DISPLAY:
            return f"{p.code}\n{n}"
        if role == _TOOLTIP:
            return f"{p.label}（{p.environment}·{p.dimension}）\n当前显示的教师中有 {n} 人选择"
        if role == _BACKGROUND:
            return QBrush(ENV_TINT.get(p.environment, QColor("white")))
        if role == Qt.ItemDataRole.FontRole:
            return self._header_font
        return None

    def set_matrix(self, matrix: SchoolMatrix) -> None:
        self.beginResetModel()
        self._matrix = matrix
        self._rows = matrix.rows
        self._codes = [p.code for p in matrix.points]
        codes = self._codes
        self._text = [[r.name, r.staff_no, r.subject, r.group, r.status] + [TICK if c in r.codes else "" for c in codes]
                      for r in matrix.rows]
        self._counts = count(matrix.rows, matrix.points)
        self._nrows, self._ncols = len(self._rows), len(FIXED) + len(codes)
        self.endResetModel()

    def matrix(self) -> SchoolMatrix | None:
        return self._matrix

    def set_counts(self, counts: MatrixCounts) -> None:
        """Counts follow the filter; only the point headers change."""
        self._counts = counts
        if self._codes:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, len(FIXED), len(FIXED) + len(self._codes) - 1)

    def counts(self) -> MatrixCounts | None:
        return self._counts

    def point_column(self, code: str) -> int:
        return len(FIXED) + self._codes.index(code)


class MatrixFilter(QSortFilterProxyModel):
    """Rows pass when matrix.filter_rows says so; counts are recomputed for the rows shown."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._accepted: set[int] | None = None
        self.subject = self.group = self.text = ""

    def set_filters(self, *, subject: str | None = None, group: str | None = None, text: str | None = None) -> None:
        if subject is not None:
            self.subject = subject
        if group is not None:
            self.group = group
        if text is not None:
            self.text = text
        self.refilter()

    def refilter(self) -> None:
        model: SchoolMatrixModel = self.sourceModel()
        m = model.matrix()
        self.beginFilterChange()
        if m is None or not (self.subject or self.group or self.text.strip()):
            self._accepted = None
            shown = m.rows if m else ()
        else:
            idx = filter_rows(m.rows, subject=self.subject, group=self.group, text=self.text)
            self._accepted = set(idx)
            shown = [m.rows[i] for i in idx]
        self.endFilterChange()
        if m is not None:
            model.set_counts(count(shown, m.points))

    def filterAcceptsRow(self, source_row, source_parent) -> bool:
        return self._accepted is None or source_row in self._accepted

