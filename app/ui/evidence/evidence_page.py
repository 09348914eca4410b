"""证据材料 page: 按教师提交 and 全校缺交清单."""

from __future__ import annotations

from app.ui.evidence.missing_view import MissingListWidget
from app.ui.evidence.teacher_evidence_panel import TeacherEvidencePanel
from app.ui.micro.teacher_picker import PickerRow
from app.ui.pages.teacher_tabs import TeacherTabsPage
from app.ui.widgets import page_kit


def _tone(note: str) -> str:
    if note == "已齐全":
        return "ok"
    if note == "免修":
        return "muted"
    return "bad" if note.startswith("缺") else "warn"


class EvidencePage(TeacherTabsPage):
    TITLE = "证据材料"
    SUBTITLE = "按能力点提交证据文件（可把文件直接拖进窗口）；全校缺交清单可导出 Excel"
    LISTENS_TO = ("school", "teachers", "teams", "choices", "evidence", "assessment")
    SUPPORTS = frozenset({"search"})
    NOTE_HEADER = "证据"
    TAB_TITLES = ("按教师提交", "全校缺交清单")

    _pending_item: int | None = None

    def make_panel(self) -> TeacherEvidencePanel:
        return TeacherEvidencePanel(self.api)

    def make_school_view(self) -> MissingListWidget:
        self.missing = MissingListWidget(self.api)
        self.missing.choose_points_requested.connect(lambda tid: self.navigate_requested.emit("微能力", tid, None, None))
        return self.missing

    def refresh(self) -> None:

        def work(_p):
            progress, missing = self.api.evidence.evidence_overview()
            school = self.api.evidence.get_school()
            return progress, missing, school.name if school else ""

        page_kit.run(self, work, self._on_loaded)

    def show_teacher(self, teacher_id: int, record_id: int | None = None) -> bool:
        """Open one teacher's evidence (record_id: an evidence item to select)."""
        self._pending_item = record_id
        shown = super().show_teacher(teacher_id)
        if shown and record_id is not None and self.picker.current_id() == teacher_id:
            self.panel.load(teacher_id, keep_item=record_id)
        return shown

    def _on_loaded(self, result) -> None:
        progress, missing, school = result
        self.missing.set_rows(missing, school)
        self.select_after_load([PickerRow(p.teacher_id, p.name, p.staff_no, p.subject, p.group, p.note, _tone(p.note))
                                for p in progress])

    def reload_shown(self, teacher_id: int) -> None:
        item = self.panel.current_item()
        self.panel.load(teacher_id, keep_item=item.item.id if item is not None else None)

    def on_teacher_picked(self, teacher_id: int) -> None:
        self.panel.load(teacher_id, keep_item=self._pending_item)
        self._pending_item = None
