"""A page of two tabs: one teacher at a time (a picker beside a panel), and the whole school.

The 微能力 and 证据材料 pages share it: the same split, the same way of keeping the teacher the user
asked for until the list has loaded, of opening on someone who needs attention, and of searching
in whichever tab is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.ui.micro.teacher_picker import PickerRow, TeacherPicker
from app.ui.pages.base import Page


class TeacherTabsPage(Page):
    NOTE_HEADER = ""                    # the picker's status column
    TAB_TITLES = ("", "")               # (one teacher, the whole school)

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self._pending_teacher: int | None = None
        self.tabs = QTabWidget()
        self.picker = TeacherPicker(note_header=self.NOTE_HEADER)
        self.panel = self.make_panel()
        self.school_view = self.make_school_view()
        split = QSplitter()
        split.addWidget(self.picker)
        split.addWidget(self.panel)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 930])
        self.tabs.addTab(split, self.tr(self.TAB_TITLES[0]))
        self.tabs.addTab(self.school_view, self.tr(self.TAB_TITLES[1]))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 8)
        lay.addWidget(self.header())
        lay.addWidget(self.tabs, 1)
        self.picker.teacher_selected.connect(self.on_teacher_picked)
        self.school_view.teacher_activated.connect(self.show_teacher)

    def make_panel(self) -> QWidget:
        """Override: the one-teacher panel beside the picker."""
        raise NotImplementedError

    def make_school_view(self) -> QWidget:
        """Override: the whole-school tab (a widget with `search` and a `teacher_activated(int)` signal)."""
        raise NotImplementedError

    def reload_shown(self, teacher_id: int) -> None:
        """Override: the list reloaded with the same teacher still selected: show the new state."""

    def on_teacher_picked(self, teacher_id: int) -> None:
        """Override: the user chose a teacher in the picker."""

    def select_after_load(self, rows: list[PickerRow]) -> None:
        """Fill the picker; then the teacher asked for meanwhile, else the one shown (reloaded), else
        the first who needs attention."""
        self.picker.set_rows(rows)
        shown = self.picker.current_id()
        if self._pending_teacher is not None:
            tid, self._pending_teacher = self._pending_teacher, None
            self.picker.select_teacher(tid)
        elif shown is None:
            self.picker.select_first(lambda r: r.tone in ("bad", "warn"))
        else:
            self.reload_shown(shown)

    def show_record(self, teacher_id: int | None = None, record_id: int | None = None, kind: str | None = None) -> None:
        """Navigation from a finding: that teacher (record_id: an item to select, where the page has items)."""
        if teacher_id is not None:
            self.show_teacher(teacher_id, record_id)

    def show_teacher(self, teacher_id: int, record_id: int | None = None) -> bool:
        """Open one teacher; False when the list has not loaded them yet (they open once it has)."""
        self.tabs.setCurrentIndex(0)
        if not self.picker.select_teacher(teacher_id):
            self._pending_teacher = teacher_id
            return False
        return True

    def focus_search(self) -> None:
        box = self.picker.search if self.tabs.currentIndex() == 0 else self.school_view.search
        box.setFocus()
        box.selectAll()
