"""校本考核 page: the numbers, the reviewer's queue, grading by teacher, 帮扶 and excellent cases."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.services.review_queue import AssessmentSummary
from app.ui.assessment.cases_view import CasesWidget
from app.ui.assessment.dashboard_strip import DashboardStrip
from app.ui.assessment.review_queue_view import ReviewQueueWidget
from app.ui.assessment.support_dialogs import OpenSupportDialog
from app.ui.assessment.support_offer import SupportOffer
from app.ui.assessment.support_view import SupportWidget
from app.ui.assessment.teacher_grading_view import TeacherGradingWidget
from app.ui.widgets import page_kit
from app.ui.micro.teacher_picker import PickerRow
from app.ui.pages.base import Page

TONE = {"优秀": "ok", "合格": "ok", "良好": "ok", "不合格": "bad", "免修": "muted"}
QUEUE, TEACHER, SUPPORT, CASES = range(4)


class AssessmentPage(Page):
    TITLE = "校本考核"
    SUBTITLE = "逐项评定证据等级（能力点和个人结果按规则自动得出）；不合格的建立一对一帮扶并复评；推荐优秀案例"
    LISTENS_TO = ("school", "teachers", "teams", "choices", "evidence", "assessment")
    SUPPORTS = frozenset({"search"})

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self._own_change = False
        self.summary: AssessmentSummary | None = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.dashboard = DashboardStrip()
        self.queue = ReviewQueueWidget(self.api)
        self.by_teacher = TeacherGradingWidget(self.api)
        self.support = SupportWidget(self.api)
        self.cases = CasesWidget(self.api)
        self.support_offer = SupportOffer()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.queue, "评审队列")
        self.tabs.addTab(self.by_teacher, "按教师评定")
        self.tabs.addTab(self.support, "一对一帮扶")
        self.tabs.addTab(self.cases, "优秀案例")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 8)
        lay.addWidget(self.header())
        lay.addWidget(self.dashboard)
        lay.addWidget(self.support_offer)
        lay.addWidget(self.tabs, 1)

    def _connect_signals(self) -> None:
        self.queue.graded.connect(lambda q, r: self._after_grade(q.teacher_id, q.teacher, r))
        self.by_teacher.graded.connect(lambda tid, r: self._after_grade(tid, r.teacher, r))
        self.by_teacher.support_requested.connect(self.open_support_dialog)
        self.by_teacher.case_requested.connect(self._mark_case)
        self.support.open_requested.connect(self.open_support_dialog)
        self.support_offer.open_requested.connect(self.open_support_dialog)
        # one reviewer for the whole sitting, whichever tab it was chosen on
        self.queue.form.reviewer_box.currentTextChanged.connect(
            lambda text: self._sync_reviewer(self.by_teacher.form, text))
        self.by_teacher.form.reviewer_box.currentTextChanged.connect(
            lambda text: self._sync_reviewer(self.queue.form, text))

    # loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.queue.reload()
        self._reload_summary()

    def _reload_summary(self) -> None:
        page_kit.run(self, lambda _p: self.api.assessment.assessment_summary(), self._on_summary)

    def _on_summary(self, s: AssessmentSummary) -> None:
        self.summary = s
        self.dashboard.set_summary(s)
        self.support.reload(s)
        self.cases.reload(s)
        picker = self.by_teacher.picker
        picker.set_rows([PickerRow(t.teacher_id, t.name, t.staff_no, t.subject, t.group, t.result,
                                   TONE.get(t.result, "warn")) for t in s.teachers])
        if picker.current_id() is None:
            picker.select_first(lambda r: r.note in ("待评", s.fail))
        elif not self._own_change:          # 刷新 or another page's change: the sheet follows the list
            self.by_teacher.load(picker.current_id())
        if self.queue.form.reviewer_box.count():
            self.by_teacher.set_reviewers([self.queue.form.reviewer_box.itemText(i)
                                           for i in range(self.queue.form.reviewer_box.count())])

    @staticmethod
    def _sync_reviewer(form, text: str) -> None:
        if form.reviewer_box.currentText() != text:
            form.reviewer_box.setEditText(text)

    def own_change(self, topic: str) -> bool:
        """A grade, 帮扶 or case made here: the queue keeps its rows (graded ones show 已评) until reloaded."""
        self._own_change = True
        try:
            self._reload_summary()
            current = self.by_teacher.current_sheet()
            if current is not None and self.tabs.currentIndex() != TEACHER:
                self.by_teacher.load(current.teacher_id)
        finally:
            self._own_change = False
        return True

    def focus_search(self) -> None:
        tab = self.tabs.currentIndex()
        box = {QUEUE: self.queue.table.search, TEACHER: self.by_teacher.picker.search,
               SUPPORT: self.support.records.search, CASES: self.cases.candidates.search}[tab]
        box.setFocus()
        box.selectAll()

    # navigation ----------------------------------------------------------------------------

    def show_record(self, teacher_id: int | None = None, record_id: int | None = None, kind: str | None = None) -> None:
        kind = kind or ""
        if kind.startswith("support") or kind == "rate.pass":
            self.tabs.setCurrentIndex(SUPPORT)
            if teacher_id is not None:
                self.support.select_teacher(teacher_id)
        elif kind == "rate.excellent":
            self.tabs.setCurrentIndex(CASES)
        elif teacher_id is not None:
            self.show_teacher(teacher_id)

    def show_teacher(self, teacher_id: int, record_id: int | None = None) -> None:
        self.tabs.setCurrentIndex(TEACHER)
        if not self.by_teacher.picker.select_teacher(teacher_id):
            self.by_teacher.load(teacher_id)

    # after writes --------------------------------------------------------------------------

    def _after_grade(self, teacher_id: int, name: str, r) -> None:
        fail = self.summary.fail if self.summary else "不合格"
        if r.teacher_result != fail:
            self.support_offer.withdraw(teacher_id)
            return
        if r.grade != fail:
            return
        page_kit.run(self, lambda _p: self.api.assessment.teacher_sheet(teacher_id),
                     lambda sheet: self._offer_support(sheet))

    def _offer_support(self, sheet) -> None:
        """A bar, not a question: keys typed for the queue must never answer a dialog."""
        if sheet.open_support is not None or sheet.result != sheet.fail:
            return
        failed = tuple(c for c, res in sheet.point_results.items() if res == sheet.fail)
        self.support_offer.offer(sheet.teacher_id, sheet.name, sheet.result, failed)

    def open_support_dialog(self, teacher_id: int, name: str, failed_points: tuple = ()) -> OpenSupportDialog:
        helpers = [self.queue.form.reviewer_box.itemText(i) for i in range(self.queue.form.reviewer_box.count())]
        self.support_dialog = OpenSupportDialog(self, self.api, teacher_id, name, helpers=helpers,
                                                failed_points=tuple(failed_points))
        self.support_dialog.saved.connect(lambda _row: self.support_offer.withdraw(teacher_id))
        self.support_dialog.open()
        return self.support_dialog

    def _mark_case(self, teacher_id: int, code: str) -> None:
        page_kit.run(self, lambda _p: self.api.assessment.mark_case(teacher_id, code))

