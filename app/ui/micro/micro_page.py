"""微能力 page: 按教师选点 and 全校选点总览."""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.ui.widgets import page_kit
from app.ui.micro.school_matrix_view import SchoolMatrixWidget
from app.ui.micro.teacher_choice_panel import TeacherChoicePanel
from app.ui.micro.teacher_picker import PickerRow, TeacherPicker
from app.ui.pages.base import Page

TONE = {"符合": "ok", "不符合": "bad", "未选点": "warn", "免修": "muted"}


class MicroPage(Page):
    TITLE = "微能力"
    SUBTITLE = "每位教师在本校信息化环境内选择能力点；全校总览与研修组统一选点"
    LISTENS_TO = ("school", "teachers", "teams", "choices", "evidence", "assessment")
    SUPPORTS = frozenset({"search"})

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self._items: dict | None = None
        self._pending_teacher: int | None = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.tabs = QTabWidget()
        self.picker = TeacherPicker(note_header="选点")
        self.panel = TeacherChoicePanel(self.api)
        split = QSplitter()
        split.addWidget(self.picker)
        split.addWidget(self.panel)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 930])
        self.matrix = SchoolMatrixWidget(self.api)
        self.tabs.addTab(split, self.tr("按教师选点"))
        self.tabs.addTab(self.matrix, self.tr("全校选点总览"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 8)
        lay.addWidget(self.header())
        lay.addWidget(self.tabs, 1)

    def _connect_signals(self) -> None:
        self.picker.teacher_selected.connect(self._on_picker_teacher_selected)
        self.matrix.teacher_activated.connect(self.show_teacher)

    # public ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the teacher list and the matrix (one snapshot) in the background."""

        def work(_p):
            items = self._items if self._items is not None else self.api.micro.evidence_items_by_point()
            return items, self.api.micro.school_matrix()

        page_kit.run(self, work, self._on_loaded)

    def show_record(self, teacher_id: int | None = None, record_id: int | None = None, kind: str | None = None) -> None:
        """Navigation from a finding: open that teacher's points."""
        if teacher_id is not None:
            self.show_teacher(teacher_id)

    def show_teacher(self, teacher_id: int, record_id: int | None = None) -> None:
        """Open one teacher's points (used by navigation and the matrix's double-click)."""
        self.tabs.setCurrentIndex(0)
        if not self.picker.select_teacher(teacher_id):
            self._pending_teacher = teacher_id

    # internals ------------------------------------------------------------------------------

    def _on_loaded(self, result) -> None:
        self._items, m = result
        self.picker.set_rows([PickerRow(r.teacher_id, r.name, r.staff_no, r.subject, r.group,
                                        r.status,
                                        TONE.get(r.status, "")) for r in m.rows])
        self.matrix.set_matrix(m)
        shown = self.picker.current_id()
        if self._pending_teacher is not None:
            tid, self._pending_teacher = self._pending_teacher, None
            self.picker.select_teacher(tid)
        elif shown is None:
            self.picker.select_first(lambda r: r.tone in ("bad", "warn"))     # open on someone who needs attention
        elif not self.panel.is_dirty():     # same teacher, nothing unsaved: show the reloaded state too
            self.panel.load(shown, self._items or {})

    def focus_search(self) -> None:
        box = self.picker.search if self.tabs.currentIndex() == 0 else self.matrix.search
        box.setFocus()
        box.selectAll()

    def _on_picker_teacher_selected(self, teacher_id: int) -> None:
        state = self.panel.state()
        if self.panel.is_dirty() and state is not None and state.teacher_id != teacher_id:
            if not page_kit.ask(self, "未保存的选点",
                                f"{state.name} 的选点修改还没有保存。\n\n放弃这些修改，转到另一位教师吗？"
                                "（选“否”回到 " + state.name + "，可以先保存）"):
                self.picker.select_teacher(state.teacher_id, announce=False)
                return
        self.panel.load(teacher_id, self._items or {})
