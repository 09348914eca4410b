"""The import preview table: the file's rows as read, what importing would do with each, problems marked.

`build_rows(preview)` is plain Python (it runs on the worker thread with the
check); `ImportPreviewModel.set_preview(preview, rows)` shows the result.
Columns: 行号 (the row number Excel shows), 处理方式 (新增 / 更新 / 无变化 /
有错误 …), then every column of the file in its order. A cell with an error
is red, a warning yellow, and its tooltip carries the message. Columns that
will not be imported are greyed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from app.services.excel import ImportPreview, RowProblem
from app.services.excel.plain import format_plain
from app.services.excel.results import ADD, DUPLICATE, ERROR_ROW, SKIP, UNCHANGED, UPDATE
from app.ui.style import ACCENT, BAD, MUTED, OK

LEAD_COLUMNS = 2                 # 行号, 处理方式; the file's columns follow
ERROR_BG = QColor("#f8d4d2")
WARNING_BG = QColor("#fff1c4")
IGNORED_FG = QColor("#9a9a9a")
ACTION_COLOURS = {ADD: OK, UPDATE: ACCENT, ERROR_ROW: BAD, UNCHANGED: MUTED, SKIP: MUTED, DUPLICATE: MUTED}
FILTERS = (("全部行", None), ("只看有错误的行", ERROR_ROW), ("只看有提醒的行", "warning"), ("新增", ADD),
           ("更新", UPDATE), ("无变化 / 已导入过", UNCHANGED))


@dataclass(frozen=True)
class PreviewRow:
    """One data row of the file, as the preview shows it."""

    row: int                                        # the row number Excel shows
    action: str                                     # add | update | unchanged | error | skip | duplicate
    action_text: str
    cells: tuple[str, ...]                          # one per file column of the preview
    problems: dict[int, tuple[RowProblem, ...]]     # by position in preview.columns
    row_problems: tuple[RowProblem, ...]            # problems not tied to a column shown here
    note: str = ""                                  # what an update changes, why a row is skipped

    @property
    def has_error(self) -> bool:
        return self.action == ERROR_ROW

    @property
    def has_warning(self) -> bool:
        return any(p.severity != "error" for ps in self.problems.values() for p in ps) or \
            any(p.severity != "error" for p in self.row_problems)

    def messages(self) -> list[str]:
        """Every problem of the row, errors first, as full sentences."""
        found = [p for ps in self.problems.values() for p in ps] + list(self.row_problems)
        found.sort(key=lambda p: (p.severity != "error", p.letter))
        return [("错误：" if p.severity == "error" else "提醒：") + p.describe() for p in found]


def _summarise(kind: str, plans: list, has_error: bool) -> tuple[str, str, str]:
    """(action, text, note) for the planned records of one file row."""
    if has_error or any(p.action == ERROR_ROW for p in plans):
        return ERROR_ROW, "有错误", "本行有错误，不会导入"
    if not plans:
        return SKIP, "跳过", "本行不导入（示例行，或没有可导入的学时）"
    unchanged = "已导入过" if kind == "hours" else "无变化"
    labels = {ADD: "新增", UPDATE: "更新", UNCHANGED: unchanged, DUPLICATE: "重复"}
    if len(plans) == 1:
        p = plans[0]
        note = ("将更新：" + "、".join(p.changes)) if p.action == UPDATE and p.changes else p.note
        return p.action, labels.get(p.action, p.action_label), note
    counts: dict[str, int] = {}
    for p in plans:
        counts[p.action] = counts.get(p.action, 0) + 1
    action = ADD if ADD in counts else next(iter(counts))
    text = "，".join(f"{labels.get(a, a)} {n}" for a, n in counts.items())
    notes = "；".join(dict.fromkeys(p.note for p in plans if p.note))
    return action, text, notes


def build_rows(preview: ImportPreview) -> list[PreviewRow]:
    """The preview's rows for the table (plain Python: call it on the worker thread)."""
    table = preview.table
    if table is None:
        return []
    columns = preview.columns
    by_letter = {c.letter: i for i, c in enumerate(columns)}
    plans: dict[int, list] = defaultdict(list)
    for p in preview.rows:
        plans[p.row].append(p)
    problems: dict[int, list[RowProblem]] = defaultdict(list)
    for p in (*preview.errors, *preview.warnings):
        problems[p.row].append(p)
    error_rows = {p.row for p in preview.errors}
    out = []
    for n, values in table.rows:
        width = len(values)
        cells = tuple(format_plain(values[c.index]) if c.index < width else "" for c in columns)
        by_col: dict[int, list[RowProblem]] = defaultdict(list)
        loose = []
        for p in problems.get(n, ()):
            pos = by_letter.get(p.letter) if p.letter else None
            (by_col[pos] if pos is not None else loose).append(p)
        if preview.blocked:
            action, text, note = SKIP, "—", ""
        else:
            action, text, note = _summarise(preview.kind, plans.get(n, []), n in error_rows)
        out.append(PreviewRow(n, action, text, cells, {k: tuple(v) for k, v in by_col.items()},
                              tuple(loose), note))
    return out


class ImportPreviewModel(QAbstractTableModel):
    ROW_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.preview: ImportPreview | None = None
        self._rows: list[PreviewRow] = []
        self._headers: list[str] = []
        self._ignored: set[int] = set()
        self._brushes = {"error": QBrush(ERROR_BG), "warning": QBrush(WARNING_BG), "ignored": QBrush(IGNORED_FG)}
        self._action_brushes = {a: QBrush(QColor(c)) for a, c in ACTION_COLOURS.items()}

    def set_preview(self, preview: ImportPreview | None, rows: list[PreviewRow]) -> None:
        self.beginResetModel()
        self.preview = preview
        self._rows = list(rows)
        columns = preview.columns if preview is not None else ()
        self._headers = ["行号", "处理方式"] + [f"{c.letter} 列\n{c.header or '（无列名）'}" for c in columns]
        self._ignored = {LEAD_COLUMNS + i for i, c in enumerate(columns) if not c.field}
        self.endResetModel()

    def rows(self) -> list[PreviewRow]:
        return list(self._rows)

    def row_for(self, excel_row: int) -> int | None:
        """The model row showing this Excel row number."""
        return next((i for i, r in enumerate(self._rows) if r.row == excel_row), None)

    def column_for(self, letter: str) -> int | None:
        """The model column showing this file column (by its letter)."""
        if self.preview is None:
            return None
        return next((LEAD_COLUMNS + i for i, c in enumerate(self.preview.columns) if c.letter == letter), None)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if c == 0:
                return str(row.row)
            if c == 1:
                return row.action_text
            return row.cells[c - LEAD_COLUMNS]
        if role == self.ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row, c)
        if role == Qt.ItemDataRole.ForegroundRole:
            if c == 1:
                return self._action_brushes.get(row.action)
            if c in self._ignored:
                return self._brushes["ignored"]
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, c)
        if role == Qt.ItemDataRole.TextAlignmentRole and c == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _background(self, row: PreviewRow, c: int):
        if c == 1:
            if row.has_error:
                return self._brushes["error"]
            return self._brushes["warning"] if row.has_warning else None
        if c == 0:
            return None
        found = row.problems.get(c - LEAD_COLUMNS)
        if not found:
            return None
        return self._brushes["error" if any(p.severity == "error" for p in found) else "warning"]

    def _tooltip(self, row: PreviewRow, c: int) -> str | None:
        if c <= 1:
            lines = row.messages()
            if row.note and not row.has_error:
                lines.insert(0, row.note)
            return "\n".join(lines) or None
        found = row.problems.get(c - LEAD_COLUMNS)
        if found:
            return "\n".join(p.message for p in found)
        if c in self._ignored:
            return "此列不导入。可在上方的下拉框中指定它对应的项目。"
        return row.cells[c - LEAD_COLUMNS] or None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if section < len(self._headers) else None
        if role == Qt.ItemDataRole.ToolTipRole and section >= LEAD_COLUMNS and self.preview is not None:
            col = self.preview.columns[section - LEAD_COLUMNS]
            label = _field_label(self.preview, col.field)
            text = f"文件中的 {col.letter} 列“{col.header}”：" + (f"导入为“{label}”" if col.field else "不导入")
            return text + (f"\n{col.note}" if col.note else "")
        if role == Qt.ItemDataRole.ForegroundRole and section in self._ignored:
            return self._brushes["ignored"]
        return None


def _field_label(preview: ImportPreview, key: str | None) -> str:
    if not key:
        return ""
    return dict(preview.field_choices).get(key, key)


def field_text(key: str, label: str) -> str:
    """How a field is named in the mapping combo box (a wide hours column says it holds hours)."""
    return f"{label}学时" if key.startswith("cat:") and not label.endswith("学时") else label


class PreviewFilter(QSortFilterProxyModel):
    """Show all rows, or only rows with errors / warnings / one planned action."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mode: str | None = None

    @property
    def mode(self) -> str | None:
        return self._mode

    def set_mode(self, mode: str | None) -> None:
        self.beginFilterChange()
        self._mode = mode
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if self._mode is None:
            return True
        row = self.sourceModel().index(source_row, 0).data(ImportPreviewModel.ROW_ROLE)
        if self._mode == "warning":
            return row.has_warning
        if self._mode == UNCHANGED:
            return row.action in (UNCHANGED, DUPLICATE)
        return row.action == self._mode
