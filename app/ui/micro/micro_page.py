"""微能力 page: 按教师选点 and 全校选点总览."""

from __future__ import annotations

from app.ui.micro.school_matrix_view import SchoolMatrixWidget
from app.ui.micro.teacher_choice_panel import TeacherChoicePanel
from app.ui.micro.teacher_picker import PickerRow
from app.ui.pages.teacher_tabs import TeacherTabsPage
from app.ui.widgets import page_kit

TONE = {"符合": "ok", "不符合": "bad", "未选点": "warn", "免修": "muted"}


class MicroPage(TeacherTabsPage):
    TITLE = "微能力"
    SUBTITLE = "每位教师在本校信息化环境内选择能力点；全校总览与研修组统一选点"
    LISTENS_TO = ("school", "teachers", "teams", "choices", "evidence", "assessment")
    SUPPORTS = frozenset({"search"})
    NOTE_HEADER = "选点"
    TAB_TITLES = ("按教师选点", "全校选点总览")

    _items: dict | None = None

    def make_panel(self) -> TeacherChoicePanel:
        return TeacherChoicePanel(self.api)

    def make_school_view(self) -> SchoolMatrixWidget:
        self.matrix = SchoolMatrixWidget(self.api)
        return self.matrix

    def refresh(self) -> None:
        """Reload the teacher list and the matrix (one snapshot) in the background."""

        def work(_p):
            items = self._items if self._items is not None else self.api.micro.evidence_items_by_point()
            return items, self.api.micro.school_matrix()

        page_kit.run(self, work, self._on_loaded)

    def _on_loaded(self, result) -> None:
        self._items, m = result
        self.matrix.set_matrix(m)
        self.select_after_load([PickerRow(r.teacher_id, r.name, r.staff_no, r.subject, r.group, r.status,
                                          TONE.get(r.status, "")) for r in m.rows])

    def reload_shown(self, teacher_id: int) -> None:
        if not self.panel.is_dirty():     # same teacher, nothing unsaved: show the reloaded state too
            self.panel.load(teacher_id, self._items or {})

    def on_teacher_picked(self, teacher_id: int) -> None:
        state = self.panel.state()
        if self.panel.is_dirty() and state is not None and state.teacher_id != teacher_id:
            if not page_kit.ask(self, "未保存的选点",
                                f"{state.name} 的选点修改还没有保存。\n\n放弃这些修改，转到另一位教师吗？"
                                "（选“否”回到 " + state.name + "，可以先保存）"):
                self.picker.select_teacher(state.teacher_id, announce=False)
                return
        self.panel.load(teacher_id, self._items or {})
