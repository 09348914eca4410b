"""方案与计划: plan documents with files and filing status, and the programme's deadlines."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.errors import AppError
from app.ui import jobs
from app.ui.pages.base import Page
from app.ui.plans.plan_dialog import PlanDialog
from app.ui.plans.self_assessment_panel import SelfAssessmentPanel
from app.ui.style import BAD, OK, WARN
from app.ui.widgets.record_table import RecordTable, standard_action
from app.ui.widgets.table_model import Column, RowTableModel, fmt_date

STATUS_COLOUR = {"草稿": WARN, "已提交": WARN, "已备案": OK}
DEADLINE_COLOUR = {"已过期": BAD, "即将到期": WARN, "已完成": OK, "逾期完成": WARN}


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB" if n else ""


class PlanModel(RowTableModel):
    COLUMNS = (Column("文档类型", lambda p: p.kind, width=170),
               Column("标题", lambda p: p.title, width=260, stretch=True),
               Column("学期/学年", lambda p: p.semester, width=150),
               Column("状态", lambda p: p.status, width=60, colour=lambda p: STATUS_COLOUR.get(p.status)),
               Column("提交日期", lambda p: fmt_date(p.submitted_on), width=90),
               Column("备案日期", lambda p: fmt_date(p.filed_on), width=90),
               Column("文件", lambda p: f"{p.original_name}（{_size(p.size)}）" if p.sha256 else "未附文件",
                      width=220, colour=lambda p: None if p.sha256 else WARN))


class DeadlineModel(RowTableModel):
    COLUMNS = (Column("截止日期", lambda d: fmt_date(d.due_on), width=95),
               Column("事项", lambda d: d.title, width=260, stretch=True),
               Column("状态", lambda d: d.state if d.state != "未到期" else f"还有 {d.days_left} 天", width=90,
                      colour=lambda d: DEADLINE_COLOUR.get(d.state)),
               Column("完成日期", lambda d: fmt_date(d.done_on), width=95),
               Column("来源", lambda d: d.note, width=100))


class PlansPage(Page):
    TITLE = "方案与计划"
    SUBTITLE = "一划两案、学期培训计划等文档及报送、备案情况；项目方案规定的截止日期。"
    SUPPORTS = frozenset({"add", "edit", "delete", "search"})
    LISTENS_TO = ("plans", "deadlines", "school")

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.dialog: PlanDialog | None = None
        self._kinds: tuple[str, ...] = ()
        self._build_ui()

    def _build_ui(self) -> None:
        self.required = QLabel()
        self.required.setObjectName("requiredPlans")
        self.required.setWordWrap(True)
        self.table = RecordTable(PlanModel(), settings_name="plans", placeholder="搜索类型、标题或学期")
        for text, slot in (("添加文档…", self.add_record), ("修改…", self.edit_record), ("删除…", self.delete_record),
                           ("打开文件", self.open_file)):
            self.table.add_button(standard_action(self, text, slot))
        self.table.row_activated.connect(lambda _p: self.edit_record())
        self.deadlines = RecordTable(DeadlineModel(), settings_name="deadlines", placeholder="搜索截止事项")
        self.deadlines.add_button(standard_action(self, "标记为已完成", self._mark_done))
        self.deadlines.add_button(standard_action(self, "撤销完成", self._mark_undone))
        lower = QWidget()
        lower_lay = QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 6, 0, 0)
        title = QLabel("截止日期")
        title.setProperty("role", "sectionTitle")
        lower_lay.addWidget(title)
        lower_lay.addWidget(self.deadlines)
        split = QSplitter()
        split.setOrientation(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([360, 200])
        self.self_assessment = SelfAssessmentPanel(self.api)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("plansTabs")
        self.tabs.addTab(split, "方案文档与截止日期")
        self.tabs.addTab(self.self_assessment, "学校自评")
        self.self_assessment.loaded.connect(lambda rows: self.tabs.setTabVisible(1, bool(rows)))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(self.required)
        lay.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        plans = self.api.plans

        def work(ctx):
            try:
                states = plans.plan_states()
            except AppError:                 # no school or programme yet: nothing to say
                states = None
            return plans.list_plans(), plans.list_deadlines(), states, tuple(plans.plan_kinds())

        self.load(work, self._fill)
        self.self_assessment.load()

    def _fill(self, loaded) -> None:
        rows, deadlines, states, self._kinds = loaded
        self.table.set_rows(rows)
        self.deadlines.set_rows(deadlines)
        self._show_required(states)

    def show_self_assessment(self) -> None:
        self.tabs.setCurrentWidget(self.self_assessment)

    def _show_required(self, states) -> None:
        if states is None:
            self.required.setText("")
            return
        parts = []
        for p in states:
            if not p.required:
                continue
            colour = OK if p.ok else BAD
            mark = "✓" if p.ok else "✗"
            extra = "" if p.has_file or p.status == "缺" else "，未附文件"
            parts.append(f"<span style='color:{colour}'>{mark} 《{p.kind}》{p.status}{extra}</span>")
        self.required.setText("本方案要求：" + "&nbsp;&nbsp;&nbsp;&nbsp;".join(parts) if parts else "本项目方案没有规定必须报送的方案文档。")

    def show_record(self, teacher_id=None, record_id=None, kind=None) -> None:
        self.when_loaded(lambda: self._show(record_id, kind))

    def _show(self, record_id, kind) -> None:
        if kind == "self.pending":
            self.show_self_assessment()
            return
        if record_id is None:
            return
        if kind and kind.startswith("deadline"):
            self.deadlines.select_key(record_id)
            self.deadlines.view.setFocus()
        else:
            self.table.select_key(record_id)
            self.table.view.setFocus()

    def focus_search(self) -> None:
        self.table.focus_search()

    def add_record(self) -> None:
        self._open(PlanDialog(self.api, self, start_dir=self._start_dir(), kinds=self._kinds))

    def edit_record(self) -> None:
        plan = self._need()
        if plan is not None:
            self._open(PlanDialog(self.api, self, plan, start_dir=self._start_dir(), kinds=self._kinds))

    def _start_dir(self) -> str:
        from app.ui.settings import LAST_FILE_DIR, Settings
        return Settings().get(LAST_FILE_DIR)

    def _open(self, dialog: PlanDialog) -> None:
        self.dialog = dialog
        dialog.saved.connect(self._on_saved)
        dialog.open()

    def _on_saved(self, row) -> None:
        file = self.dialog.field("file").path() if self.dialog is not None else None
        if file is not None:
            from app.ui.settings import LAST_FILE_DIR, Settings
            Settings().set(LAST_FILE_DIR, str(file.parent))
        self.when_loaded(lambda: self.table.select_key(row.id))       # the list reloads: the runner said so

    def delete_record(self) -> jobs.Job | None:
        plan = self._need()
        if plan is None:
            return None
        extra = f"和它的文件“{plan.original_name}”" if plan.sha256 else ""
        answer = QMessageBox.question(self, "删除方案文档", f"删除《{plan.title}》{extra}？此操作不可撤销（可从备份恢复）。",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return jobs.run_with_progress(self, lambda ctx: self.api.plans.remove_plan(plan.id), title="删除方案文档",
                                      cancellable=False)

    def open_file(self) -> jobs.Job | None:
        plan = self._need()
        if plan is None:
            return None
        if not plan.sha256:
            QMessageBox.information(self, "打开文件", "这份文档还没有附上文件。请点“修改…”选择文件。")
            return None
        return jobs.run_in_background(self, lambda ctx: self.api.plans.viewing_copy(plan.sha256, plan.original_name),
                                      on_done=lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
                                      touches_db=False)

    def _need(self):
        plan = self.table.current_row()
        if plan is None:
            QMessageBox.information(self, self.TITLE, "请先在列表中选择一份文档。")
        return plan

    def _set_done(self, done_on: date | None) -> jobs.Job | None:
        d = self.deadlines.current_row()
        if d is None:
            QMessageBox.information(self, self.TITLE, "请先在截止日期列表中选择一项。")
            return None
        return jobs.run_in_background(self, lambda ctx: self.api.plans.set_deadline_done(d.id, done_on))

    def _mark_done(self) -> None:
        self._set_done(date.today())

    def _mark_undone(self) -> None:
        self._set_done(None)
