"""证据材料 page: 按教师提交 and 全校缺交清单."""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.ui.evidence.missing_view import MissingListWidget
from app.ui.evidence.teacher_evidence_panel import TeacherEvidencePanel
from app.ui.widgets import page_kit
from app.ui.micro.teacher_picker import PickerRow, TeacherPicker
from app.ui.pages.base import Page


def _tone(note: str) -> str:
    if note == "已齐全":
        return "ok"
    if note == "免修":
        return "muted"
    return "bad" if note.startswith("缺") else "warn"


class EvidencePage(Page):
    TITLE = "证据材料"
    SUBTITLE = "按能力点提交证据文件（可把文件直接拖进窗口）；全校缺交清单可导出 Excel"
    LISTENS_TO = ("school", "teachers", "teams", "choices", "evidence", "assessment")
    SUPPORTS = frozenset({"search"})

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self._pending_teacher: int | None = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.tabs = QTabWidget()
        self.picker = TeacherPicker(note_header="证据")
        self.panel = TeacherEvidencePanel(self.api)
        split = QSplitter()
        split.addWidget(self.picker)
        split.addWidget(self.panel)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 930])
        self.missing = MissingListWidget(self.api)
        self.tabs.addTab(split, self.tr("按教师提交"))
        self.tabs.addTab(self.missing, self.tr("全校缺交清单"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 8)
        lay.addWidget(self.header())
        lay.addWidget(self.tabs, 1)

    def _connect_signals(self) -> None:
        self.picker.teacher_selected.connect(self._on_picker_teacher_selected)
        self.missing.teacher_activated.connect(self.show_teacher)
        self.missing.choose_points_requested.connect(lambda tid: self.navigate_requested.emit("微能力", tid, None, None))

    def refresh(self) -> None:

        def work(_p):
            progress, missing = self.api.evidence.evidence_overview()
            school = self.api.evidence.get_school()
            return progress, missing, school.name if school else ""

        page_kit.run(self, work, self._on_loaded)

    def show_record(self, teacher_id: int | None = None, record_id: int | None = None, kind: str | None = None) -> None:
        """Navigation from a finding: that teacher's evidence (record_id: an item to select)."""
        if teacher_id is not None:
            self.show_teacher(teacher_id, record_id)

    def show_teacher(self, teacher_id: int, record_id: int | None = None) -> None:
        """Open one teacher's evidence (record_id: an evidence item to select)."""
        self.tabs.setCurrentIndex(0)
        self._pending_item = record_id
        if not self.picker.select_teacher(teacher_id):
            self._pending_teacher = teacher_id
        elif record_id is not None and self.picker.current_id() == teacher_id:
            self.panel.load(teacher_id, keep_item=record_id)

    def _on_loaded(self, result) -> None:
        progress, missing, school = result
        self.picker.set_rows([PickerRow(p.teacher_id, p.name, p.staff_no, p.subject, p.group, p.note, _tone(p.note))
                              for p in progress])
        self.missing.set_rows(missing, school)
        shown = self.picker.current_id()
        if self._pending_teacher is not None:
            tid, self._pending_teacher = self._pending_teacher, None
            self.picker.select_teacher(tid)
        elif shown is None:
            self.picker.select_first(lambda r: r.tone in ("bad", "warn"))     # open on someone who needs attention
        else:           # the same teacher stays selected: reload the panel too, or it shows the old state
            item = self.panel.current_item()
            self.panel.load(shown, keep_item=item.item.id if item is not None else None)

    def focus_search(self) -> None:
        box = self.picker.search if self.tabs.currentIndex() == 0 else self.missing.search
        box.setFocus()
        box.selectAll()

    def _on_picker_teacher_selected(self, teacher_id: int) -> None:
        self.panel.load(teacher_id, keep_item=getattr(self, "_pending_item", None))
        self._pending_item = None
