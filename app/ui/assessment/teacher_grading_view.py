"""按教师评定: one teacher's items with every grade, the derived results, and grading in place."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.errors import ValidationError
from app.services.review_queue import SheetRow, TeacherSheet
from app.ui.assessment.assessment_models import RESULT_COLOURS, FileRefModel, SheetModel
from app.ui.assessment.grade_form import GradeForm, GradeKeys, confirm_changing_a_fail
from app.ui.widgets import page_kit
from app.ui.micro.teacher_picker import TeacherPicker
from app.ui.widgets.record_table import RecordTable


def coloured(result: str) -> str:
    return f"<b style='color:{RESULT_COLOURS.get(result, '#333333')}'>{html.escape(result)}</b>"


class TeacherGradingWidget(QWidget):
    graded = Signal(int, object)            # teacher id, AssessResult
    support_requested = Signal(int, str, tuple)
    case_requested = Signal(int, str)       # teacher id, point code

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self._sheet: TeacherSheet | None = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.picker = TeacherPicker(note_header="考核结果")
        self.title = QLabel()
        self.title.setStyleSheet("font-size:16px;font-weight:bold")
        self.results = QLabel()
        self.results.setObjectName("teacherResults")
        self.results.setWordWrap(True)
        self.results.setTextFormat(Qt.TextFormat.RichText)
        self.support_button = QPushButton("建立帮扶…")
        self.case_button = QPushButton("标记为优秀案例")
        self.sheet = RecordTable(SheetModel(), placeholder="搜索")
        self.sheet.search.hide()
        self.sheet.count_label.hide()
        self.files = RecordTable(FileRefModel(), placeholder="")
        self.files.search.hide()
        self.files.count_label.hide()
        self.files.view.setMinimumHeight(60)
        self.open_button = QPushButton("打开文件 (O)")
        self.form = GradeForm()
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.open_button)
        head.addWidget(self.case_button)
        head.addWidget(self.support_button)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(head)
        rl.addWidget(self.results)
        split_v = QSplitter(Qt.Orientation.Vertical)
        split_v.addWidget(self.sheet)
        split_v.addWidget(self.files)
        split_v.setStretchFactor(0, 3)
        split_v.setStretchFactor(1, 1)
        split_v.setSizes([300, 90])
        rl.addWidget(split_v, 1)
        rl.addWidget(self.form)
        split = QSplitter()
        split.addWidget(self.picker)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 930])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addWidget(split)
        self.keys = GradeKeys(self, grade=self.grade, open_file=self.open_file, next_item=self._next_row,
                              scale=self.form.scale)
        self.sheet.view.installEventFilter(self.keys)
        self._show(None)

    def _connect_signals(self) -> None:
        self.picker.teacher_selected.connect(self.load)
        self.sheet.selection_changed.connect(self._on_row_changed)
        self.form.grade_chosen.connect(self.grade)
        self.form.comment.returnPressed.connect(self.sheet.view.setFocus)
        self.open_button.clicked.connect(self.open_file)
        self.support_button.clicked.connect(self._on_support_clicked)
        self.case_button.clicked.connect(self._on_case_clicked)

    def set_reviewers(self, names: list[str]) -> None:
        self.form.set_reviewers(names)

    def load(self, teacher_id: int) -> None:
        page_kit.run(self, lambda _p: self.api.assessment.teacher_sheet(teacher_id), self._show)

    def current_sheet(self) -> TeacherSheet | None:
        return self._sheet

    def select_item(self, item_id: int) -> bool:
        return self.sheet.select_key(item_id)

    def _show(self, sheet: TeacherSheet | None) -> None:
        keep = self.sheet.current_key()
        self._sheet = sheet
        if sheet is None:
            self.title.setText("请在左侧选择一位教师")
            self.results.clear()
            self.sheet.set_rows([])
            self.support_button.setEnabled(False)
            self.case_button.setEnabled(False)
            self.form.set_grading_enabled(False)
            return
        self.form.set_scale(sheet.scale)
        self.title.setText(sheet.name + (f"（工号 {sheet.staff_no}）" if sheet.staff_no else ""))
        parts = [f"{code} {coloured(r)}" for code, r in sheet.point_results.items()]
        text = f"个人考核结果：{coloured(sheet.result)}"
        if parts:
            text += "　能力点：" + "　".join(parts)
        if sheet.exempt_reason:
            text = f"{html.escape(sheet.name)} 免修（{html.escape(sheet.exempt_reason)}），不参加考核。"
        if sheet.open_support is not None:
            s = sheet.open_support
            when = f"，复评日期 {s.reassess_on.isoformat()}" if s.reassess_on else ""
            text += f"<br><span style='color:#a15c00'>帮扶进行中：帮扶人 {html.escape(s.helper)}{when}。" \
                    f"请对不合格的证据复评，然后在“一对一帮扶”页结束记录。</span>"
        text += "<br><span style='color:#808080'>结果按规则由各项等级自动得出：任何一项缺交或不合格则不合格，" \
                "全部优秀才为优秀，其余为合格。</span>"
        self.results.setText(text)
        self.sheet.set_rows(sheet.rows)
        if keep is None or not self.sheet.select_key(keep, scroll=False):
            first = next((r for r in sheet.rows if r.state == "已提交" or r.needs_regrade),
                         sheet.rows[0] if sheet.rows else None)
            if first is not None:
                self.sheet.select_key(first.item_id)
        self.support_button.setEnabled(sheet.result == sheet.fail and sheet.open_support is None)
        self._on_row_changed(self.sheet.current_row())

    def _on_row_changed(self, row: SheetRow | None) -> None:
        sheet = self._sheet
        self.files.set_rows(row.files if row else [])
        if row is not None and row.files:
            self.files.select_key(row.files[0].evidence_id, scroll=False)
        can_grade = row is not None and bool(row.files) and sheet is not None and not sheet.exempt_reason
        self.form.set_grading_enabled(can_grade)
        self.form.setToolTip("" if can_grade else "该项还没有提交证据文件，不能评定")
        self.open_button.setEnabled(row is not None and bool(row.files))
        eligible = (row is not None and row.point_code is not None and sheet is not None
                    and sheet.point_results.get(row.point_code) == sheet.excellent and row.point_code not in sheet.cases)
        self.case_button.setEnabled(bool(eligible))
        self.case_button.setToolTip("能力点结果为优秀且尚未标记时可标记" if not eligible else
                                    f"把 {row.point_code} 标记为优秀案例")

    def _next_row(self) -> None:
        rows = self.sheet.visible_rows()
        cur = self.sheet.current_row()
        start = rows.index(cur) + 1 if cur in rows else 0
        for r in rows[start:] + rows[:start]:
            if r.state == "已提交" or r.needs_regrade:
                self.sheet.select_key(r.item_id)
                return

    def open_file(self) -> None:
        f = self.files.current_row()
        if f is not None:
            page_kit.open_stored_file(self, self.api.assessment, f.sha256, f.name)

    def grade(self, grade: str) -> None:
        row, sheet = self.sheet.current_row(), self._sheet
        if row is None or sheet is None or not row.files:
            return
        last = row.latest
        if last is not None and last.grade == sheet.fail and grade != last.grade and not row.needs_regrade \
                and not confirm_changing_a_fail(self, sheet.name, row.item_title, last.grade, grade, last.reviewer):
            return
        reviewer = self.form.reviewer()
        if not reviewer:
            page_kit.show_error(self, ValidationError("请先在“评定人”中选择或填写评定人，再评定等级。"))
            return
        comment, on_date = self.form.comment.text(), self.form.on_date()
        page_kit.run(self, lambda _p: self.api.assessment.assess(sheet.teacher_id, row.code, str(row.item_seq), grade,
                                                        reviewer=reviewer, comment=comment, on_date=on_date),
                     lambda r: self._after_grade(sheet.teacher_id, r))

    def _after_grade(self, teacher_id: int, r) -> None:
        self.form.comment.clear()
        self.last_result = r
        self.graded.emit(teacher_id, r)
        self.load(teacher_id)

    def _on_support_clicked(self) -> None:
        s = self._sheet
        if s is not None:
            failed = tuple(c for c, r in s.point_results.items() if r == s.fail)
            self.support_requested.emit(s.teacher_id, s.name, failed)

    def _on_case_clicked(self) -> None:
        row, s = self.sheet.current_row(), self._sheet
        if row is not None and s is not None and row.point_code:
            self.case_requested.emit(s.teacher_id, row.point_code)
