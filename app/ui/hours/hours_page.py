"""学时与活动: hours per teacher, hours records, training activities and 校本研修课程."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.ui.hours.hours_tabs import ActivitiesTab, CoursesTab, HoursContext, RecordsTab, SummaryTab
from app.ui.importing.actions import excel_button
from app.ui.pages.base import Page


class HoursPage(Page):
    TITLE = "学时与活动"
    SUBTITLE = "登记培训活动或校本课程后，学时自动计入每位参加教师；修改活动时随之更新。"
    SUPPORTS = frozenset({"add", "edit", "delete", "search"})
    LISTENS_TO = ("hours", "teachers", "school")

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.ctx = HoursContext(api)
        self.summary = SummaryTab(self.ctx)
        self.records = RecordsTab(self.ctx)
        self.activities = ActivitiesTab(self.ctx)
        self.courses = CoursesTab(self.ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.summary, "学时汇总")
        self.tabs.addTab(self.records, "学时记录")
        self.tabs.addTab(self.activities, "培训活动")
        self.tabs.addTab(self.courses, "校本研修课程")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        self.excel_button = excel_button(self, api, "hours")     # 从 Excel 导入学时… / 模板 / 导出
        lay.addWidget(self.header(extra=self.excel_button))
        lay.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        hours = self.api.hours

        def work(ctx):
            return (hours.list_teachers(include_left=False), hours.hours_requirements(), hours.list_hours(),
                    hours.list_activities(), hours.list_courses())

        self.load(work, self._fill)
        self.load(lambda ctx: hours.teacher_progress(), self.summary.set_progress, slot="progress")

    def _fill(self, loaded) -> None:
        c = self.ctx
        c.teachers, c.requirements, c.records, c.activities, c.courses = loaded
        c.categories = [k for k, _m in c.requirements if k != "总学时"]
        for tab in (self.records, self.activities, self.courses):
            tab.refresh()

    def _tab(self):
        return self.tabs.currentWidget()

    def add_record(self) -> None:
        tab = self._tab()
        (self.records if tab is self.summary else tab).add_record()
        if tab is self.summary:
            self.tabs.setCurrentWidget(self.records)

    def edit_record(self) -> None:
        self._tab().edit_record()

    def delete_record(self) -> None:
        self._tab().delete_record()

    def focus_search(self) -> None:
        self._tab().focus_search()

    def show_record(self, teacher_id=None, record_id=None, kind=None) -> None:
        self.when_loaded(lambda: self._show(teacher_id, record_id, kind))

    def _show(self, teacher_id, record_id, kind) -> None:
        if kind and kind.startswith("courses"):
            self.tabs.setCurrentWidget(self.courses)
            if record_id is not None:
                self.courses.table.select_key(record_id)
        elif kind and kind.startswith("rate.participation"):
            self.tabs.setCurrentWidget(self.activities)
        elif teacher_id is not None:
            self.tabs.setCurrentWidget(self.records)
            self.records.show_teacher(teacher_id)
