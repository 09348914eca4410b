"""学时与活动 in the pack: the selected teacher's hours, and every activity recorded at the teaching point."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.pack.pack_models import ActivityModel, HoursModel
from app.ui.widgets.record_table import RecordTable, standard_action


class HoursTab(QWidget):
    add_hours_requested = Signal()
    add_activity_requested = Signal()
    undo_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("hoursSummary")
        self.hours = RecordTable(HoursModel(), placeholder="搜索学时")
        self.act_hours = standard_action(self, "登记学时…", self.add_hours_requested.emit)
        self.act_remove_hours = standard_action(self, "删除", self._on_remove_hours)
        self.hours.add_button(self.act_hours)
        self.hours.add_button(self.act_remove_hours)
        title = QLabel("在教学点登记的培训活动（含送教下乡）")
        title.setProperty("role", "sectionTitle")
        self.activities = RecordTable(ActivityModel(), placeholder="搜索活动")
        self.act_activity = standard_action(self, "登记培训活动…", self.add_activity_requested.emit)
        self.act_remove_activity = standard_action(self, "删除活动", self._on_remove_activity)
        self.activities.add_button(self.act_activity)
        self.activities.add_button(self.act_remove_activity)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.hours, 3)
        lay.addWidget(title)
        lay.addWidget(self.activities, 2)

    def _connect_signals(self) -> None:
        self.hours.selection_changed.connect(self._update_actions)
        self.activities.selection_changed.connect(self._update_actions)

    def set_state(self, pack_state, teacher_state) -> None:
        self.hours.set_rows(list(teacher_state.hours) if teacher_state else [])
        self.activities.set_rows(list(pack_state.activities) if pack_state else [])
        if teacher_state is None:
            self.summary.setText("")
        elif teacher_state.exempt:
            self.summary.setText(f"{teacher_state.teacher.name}：{teacher_state.teacher.exempt_reason}（不作学时要求）")
        else:
            short = "；".join(teacher_state.hours_short) or "学时已达到项目方案的要求"
            self.summary.setText(f"{teacher_state.teacher.name} 已计 {teacher_state.counted.total:g} 学时。{short}"
                                 "（以中心校“检查”的结果为准）")
        self._update_actions()

    def _update_actions(self, *_args) -> None:
        h = self.hours.current_row()
        self.act_remove_hours.setEnabled(h is not None and h.removable)
        self.act_remove_activity.setEnabled(self.activities.current_row() is not None)

    def _on_remove_hours(self) -> None:
        h = self.hours.current_row()
        if h is not None and h.removable:
            self.undo_requested.emit(h.key, f"学时 {h.hours:g}（{h.category}）")

    def _on_remove_activity(self) -> None:
        a = self.activities.current_row()
        if a is not None:
            self.undo_requested.emit(a.key, f"培训活动“{a.title}”（{len(a.teacher_ids)} 位教师的学时一并删除）")
