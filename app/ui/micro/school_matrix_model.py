"""Teacher × point matrix as a table model, with a filter proxy that asks the service which rows pass."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.matrix import MatrixCounts, MatrixRow, SchoolMatrix, count, filter_rows

FIXED = ("姓名", "工号", "学科", "研修组", "选点")
STATUS_COLOURS = {"符合": QColor("#1b7f3b"), "不符合": QColor("#c0392b"), "未选点": QColor("#a15c00"),
                  "免修": QColor("#808080")}
CHOSEN = QColor("#d6e9fb")
ENV_TINT = {"多媒体": QColor("#f4f8fc"), "混合": QColor("#f6fbf4"), "智慧": QColor("#fcf7f2")}


class SchoolMatrixModel(QAbstractTableModel):
    SORT_ROLE = Qt.ItemDataRole.UserRole
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._matrix: SchoolMatrix | None = None
        self._rows: tuple[MatrixRow, ...] = ()
        self._codes: list[str] = []
        self._counts: MatrixCounts | None = None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(FIXED) + len(self._codes)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, c = self._rows[index.row()], index.column()
        if role == self.ROW_ROLE:
            return row
        if c >= len(FIXED):
            code = self._codes[c - len(FIXED)]
            chosen = code in row.codes
            if role == Qt.ItemDataRole.DisplayRole:
                return "✓" if chosen else ""
            if role == self.SORT_ROLE:
                return 1 if chosen else 0
            if role == Qt.ItemDataRole.BackgroundRole and chosen:
                return QBrush(CHOSEN)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{row.name}：{'已选' if chosen else '未选'} {code}"
            return None
        if role in (Qt.ItemDataRole.DisplayRole, self.SORT_ROLE):
            values = (row.name, row.staff_no, row.subject, row.group, row.status)
            if role == self.SORT_ROLE and c == 4:
                return (row.status, len(row.codes))
            return values[c]
        if role == Qt.ItemDataRole.ForegroundRole and c == 4:
            return QBrush(STATUS_COLOURS.get(row.status, QColor("black")))
        if role == Qt.ItemDataRole.ToolTipRole and c == 4:
            if row.exempt_reason:
                return row.exempt_reason
            return "\n".join(row.problems) or "符合本校方案的选点规则"
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or (self._matrix is None and section >= len(FIXED)):
            return None
        if section < len(FIXED):
            return FIXED[section] if role == Qt.ItemDataRole.DisplayRole else None
        p = self._matrix.points[section - len(FIXED)]
        n = self._counts.by_point.get(p.code, 0) if self._counts else 0
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{p.code}\n{n}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{p.label}（{p.environment}·{p.dimension}）\n当前显示的教师中有 {n} 人选择"
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(ENV_TINT.get(p.environment, QColor("white")))
        return None

    def set_matrix(self, matrix: SchoolMatrix) -> None:
        self.beginResetModel()
        self._matrix = matrix
        self._rows = matrix.rows
        self._codes = [p.code for p in matrix.points]
        self._counts = count(matrix.rows, matrix.points)
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
