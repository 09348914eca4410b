"""教师: the roster, with masked ID/phone, status and each teacher's hours and pass state."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.services.teachers import STATUSES
from app.ui import jobs
from app.ui.importing.actions import excel_button
from app.ui.pages.base import Page
from app.ui.teachers.teacher_dialog import TeacherChoices, TeacherDialog, load_choices
from app.ui.teachers.teacher_table_model import TeacherItem, TeacherTableModel
from app.ui.widgets.record_table import RecordTable, standard_action

ALL, FAILING = "全部教师", "未达标"
FILTERS = (ALL, *STATUSES, FAILING)


DETAIL_HINT = "单击一位教师，这里显示其学时和达标情况；双击可修改。"


class TeacherPage(Page):
    TITLE = "教师"
    SUBTITLE = "全校教师名单。身份证号和电话在列表中打码显示；双击一行可修改。"
    SUPPORTS = frozenset({"add", "edit", "delete", "search"})
    LISTENS_TO = ("teachers", "teams", "school", "hours", "choices", "evidence", "assessment")

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self._choices = TeacherChoices()
        self.dialog: TeacherDialog | None = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.table = RecordTable(TeacherTableModel(), settings_name="teachers",
                                 placeholder="搜索姓名、工号、学科、研修组")
        self.act_add = standard_action(self, "新增教师…", self.add_record)
        self.act_edit = standard_action(self, "修改…", self.edit_record)
        self.act_delete = standard_action(self, "删除…", self.delete_record)
        for action in (self.act_add, self.act_edit, self.act_delete):
            self.table.add_button(action)
        self.act_print_form = standard_action(self, "打印个人签字确认表…", self.print_form,
                                              tip="预览并打印选中教师的个人签字确认表")
        self.table.add_button(self.act_print_form)
        self.excel_button = excel_button(self, self.api, "roster")   # 从 Excel 导入… / 模板 / 导出
        self.table.button_bar.addWidget(self.excel_button)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItems(FILTERS)
        self.table.button_bar.addSpacing(12)
        self.table.button_bar.addWidget(self.status_filter)
        self.detail = QLabel(DETAIL_HINT)
        self.detail.setObjectName("teacherDetail")
        self.detail.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(self.table, 1)
        lay.addWidget(self.detail)

    def _connect_signals(self) -> None:
        self.table.row_activated.connect(lambda _item: self.edit_record())
        self.table.selection_changed.connect(self._on_table_selection_changed)
        self.status_filter.currentTextChanged.connect(self._on_status_filter_changed)

    def refresh(self) -> None:
        api = self.api
        self.load(lambda ctx: (api.teachers.list_teachers(), load_choices(api)), self._on_loaded)

    def _on_loaded(self, outcome) -> None:
        rows, self._choices = outcome
        old = {item.id: item.progress for item in self.table.model.rows()}
        self.table.set_rows([TeacherItem(r, old.get(r.id)) for r in rows])
        api = self.api
        self.load(lambda ctx: api.teachers.teacher_progress(), self._on_progress_loaded, slot="progress",
                  delay_ms=150)

    def _on_progress_loaded(self, progress: dict) -> None:
        items = [TeacherItem(i.row, progress.get(i.id)) for i in self.table.model.rows()]
        self.table.model.update_rows(items, TeacherTableModel.PROGRESS_COLUMNS)   # no reset: keeps scroll
        self.table.proxy.invalidate()          # re-sort/re-filter if they depend on these columns
        self._on_table_selection_changed(self.table.current_row())

    def show_record(self, teacher_id=None, record_id=None, kind=None) -> None:
        if teacher_id is not None:
            self.when_loaded(lambda: self._select(teacher_id))

    def _select(self, teacher_id: int) -> None:
        if not self.table.select_key(teacher_id):
            self.status_filter.setCurrentIndex(0)
            self.table.select_key(teacher_id)
        self.table.view.setFocus()

    def focus_search(self) -> None:
        self.table.focus_search()

    def add_record(self) -> None:
        self._open_dialog(None)

    def edit_record(self) -> None:
        item = self.table.current_row()
        if item is None:
            QMessageBox.information(self, "修改教师", "请先在列表中选择一位教师。")
            return
        self._open_dialog(item.row)

    def print_form(self) -> None:
        from app.ui.export.forms_actions import print_teacher_form
        item = self.table.current_row()
        print_teacher_form(self, self.api, item.row if item is not None else None,
                           on_open=lambda dialog: setattr(self, "form_preview", dialog))

    def _open_dialog(self, row) -> None:
        self.dialog = TeacherDialog(self.api, self, row, self._choices)
        self.dialog.saved.connect(self._on_dialog_saved)
        self.dialog.open()

    def _on_dialog_saved(self, row) -> None:
        self.when_loaded(lambda: self.table.select_key(row.id))     # the roster reloads: the runner said so

    def delete_record(self) -> jobs.Job | None:
        item = self.table.current_row()
        if item is None:
            QMessageBox.information(self, "删除教师", "请先在列表中选择一位教师。")
            return None
        api, teacher_id = self.api, item.id
        return jobs.run_in_background(self, lambda ctx: api.teachers.deletion_impact(teacher_id),
                                      on_done=lambda impact: self._ask_delete(teacher_id, impact))

    def _ask_delete(self, teacher_id: int, impact) -> jobs.Job | None:
        text = impact.describe() + "\n\n若教师只是调走或退休，建议把状态改为“调离”或“退休”，不要删除。\n\n确定删除吗？"
        answer = QMessageBox.question(self, "删除教师", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        api = self.api
        return jobs.run_with_progress(self, lambda ctx: api.teachers.remove_teacher(teacher_id), title="删除教师",
                                      cancellable=False)

    def _on_status_filter_changed(self, text: str) -> None:
        if text == ALL:
            self.table.proxy.set_predicate(None)
        elif text == FAILING:
            self.table.proxy.set_predicate(lambda t: t.failing)
        else:
            self.table.proxy.set_predicate(lambda t, s=text: t.row.status == s)
        self.table.update_count()

    def _on_table_selection_changed(self, item) -> None:
        if item is None:
            self.detail.setText(DETAIL_HINT)
            return
        r, p = item.row, item.progress
        parts = [f"<b>{r.name}</b>", r.subject or "", f"状态：{item.status_text}"]
        if p is not None:
            cats = " · ".join(f"{k} {v:g}" for k, v in p.by_category.items()) or "暂无学时"
            parts.append(f"学时：{cats}（合计 {p.total_hours:g}）")
            parts.append(item.pass_text)
        self.detail.setText("　".join(x for x in parts if x))
