"""The teacher list on the left of the part-2 pages: search, one status column, single selection."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.table_model import Column, RowTableModel

TONES = {"ok": "#1b7f3b", "warn": "#a15c00", "bad": "#c0392b", "muted": "#808080"}


@dataclass(frozen=True)
class PickerRow:
    teacher_id: int
    name: str
    staff_no: str
    subject: str
    group: str
    note: str
    tone: str = ""


def picker_model(note_header: str) -> RowTableModel:
    class PickerModel(RowTableModel):
        COLUMNS = (
            Column("教师", lambda r: r.name, sort=lambda r: r.staff_no or r.name, width=76,
                   tooltip=lambda r: "　".join(p for p in (r.name, f"工号 {r.staff_no}" if r.staff_no else "",
                                                          r.subject, r.group) if p)),
            Column("学科", lambda r: r.subject, width=64),
            Column(note_header, lambda r: r.note, width=82, colour=lambda r: TONES.get(r.tone)),
            Column("研修组", lambda r: r.group, width=96),
        )

        @staticmethod
        def key(row):
            return row.teacher_id

    return PickerModel()


class TeacherPicker(QWidget):
    """Emits teacher_selected(id) when the selected teacher changes."""

    teacher_selected = Signal(int)

    def __init__(self, note_header: str = "状态", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current: int | None = None
        self._quiet = False
        self.table = RecordTable(picker_model(note_header), placeholder="搜索姓名、工号、学科")
        self.table.search.setMinimumWidth(120)
        self.model, self.proxy, self.view, self.search = self.table.model, self.table.proxy, self.table.view, self.table.search
        self.view.verticalHeader().hide()
        self.view.setColumnHidden(3, True)      # 研修组: still searched and shown in the tooltip
        self.setMinimumWidth(240)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table)
        self.table.selection_changed.connect(self._on_table_selection_changed)

    def _on_table_selection_changed(self, row) -> None:
        if row is None:
            return
        if self._quiet:
            self._current = row.teacher_id
            return
        if row.teacher_id == self._current:
            return
        self._current = row.teacher_id
        self.teacher_selected.emit(row.teacher_id)

    def set_rows(self, rows: list[PickerRow]) -> None:
        """Replace the list, keeping the current teacher selected (without re-announcing it)."""
        self._quiet = True
        try:
            self.table.set_rows(rows)
            if self._current is not None and self.model.position_of(self._current) is None:
                self._current = None
        finally:
            self._quiet = False

    def select_teacher(self, teacher_id: int, *, announce: bool = True) -> bool:
        """Select a teacher; announce=False only moves the selection (e.g. to undo a switch)."""
        if self.model.position_of(teacher_id) is None:
            return False
        self._quiet = not announce
        try:
            self.table.select_key(teacher_id)
        finally:
            self._quiet = False
        shown = self.table.current_row()
        if announce and self._current != teacher_id and shown is not None and shown.teacher_id == teacher_id:
            self._current = teacher_id          # selected in the view but never announced
            self.teacher_selected.emit(teacher_id)
        return True

    def select_first(self, wanted=lambda row: True) -> bool:
        """Select the first listed teacher for whom wanted(row) holds, else the first; False if empty."""
        rows = self.table.visible_rows()
        row = next((r for r in rows if wanted(r)), rows[0] if rows else None)
        return row is not None and self.select_teacher(row.teacher_id)

    def current_id(self) -> int | None:
        return self._current

    def row_for(self, teacher_id: int) -> PickerRow | None:
        pos = self.model.position_of(teacher_id)
        return self.model.row_at(pos) if pos is not None else None
