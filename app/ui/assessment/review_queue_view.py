"""评审队列: every item waiting for a grade, graded from the keyboard (1/2/3, O, N or Enter)."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)

from app.errors import ValidationError
from app.services import review_queue
from app.services.assessment import AssessResult
from app.services.review_queue import AGAIN, DONE, FIRST, QueueItem
from app.ui.assessment.assessment_models import FileRefModel, QueueModel
from app.ui.assessment.grade_form import GradeForm, GradeKeys, confirm_changing_a_fail
from app.ui.widgets import page_kit
from app.ui.widgets.record_table import RecordTable

ALL_GROUPS, ALL_POINTS = "全部研修组", "全部能力点"
KEYS_HELP = "快捷键：{grades}　O 打开文件　N 或 Enter 下一项"


class ReviewQueueWidget(QWidget):
    graded = Signal(object, object)        # QueueItem, AssessResult
    support_suggested = Signal(int, str)   # teacher id, point code ('' for a per-teacher item)

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self._all: list[QueueItem] = []
        self._fail = "不合格"
        self._taken: set[tuple[int, int]] = set()       # items this reviewer took over from another
        self._taken_by = ""
        self._hidden: list[review_queue.HiddenItem] = []
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.form = GradeForm()
        self.group_box = QComboBox()
        self.group_box.addItem(ALL_GROUPS, "")
        self.point_box = QComboBox()
        self.point_box.addItem(ALL_POINTS, "")
        self.show_done = QCheckBox("显示已评项目（可修改）")
        self.table = RecordTable(QueueModel(), placeholder="搜索教师、能力点")
        self.table.search.setMinimumWidth(140)
        self.table.count_label.hide()
        self.model, self.view = self.table.model, self.table.view
        self.count = QLabel()
        self.count.setObjectName("queueCount")
        self.title = QLabel()
        self.title.setObjectName("queueItemTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.files = RecordTable(FileRefModel(), placeholder="")
        self.files.search.hide()
        self.files.count_label.hide()
        self.open_button = QPushButton("打开文件 (O)")
        self.next_button = QPushButton("下一项 (N)")
        self.result = QLabel()
        self.result.setObjectName("gradeResult")
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.keys_help = QLabel()
        self.keys_help.setStyleSheet("color:#808080")
        self.hidden_note = QLabel()
        self.hidden_note.setObjectName("hiddenNote")
        self.hidden_note.setWordWrap(True)
        self.hidden_note.setStyleSheet("color:#8a5a00")
        self.take_over_button = QPushButton("接手评定")
        self.take_over_button.setToolTip("把其他评定人评过的项目（如帮扶后的复评）放进您的队列，由您评定")
        hidden_row = QHBoxLayout()
        hidden_row.addWidget(self.hidden_note, 1)
        hidden_row.addWidget(self.take_over_button)
        filters = QHBoxLayout()
        for w in (QLabel("研修组"), self.group_box, QLabel("能力点"), self.point_box, self.show_done):
            filters.addWidget(w)
        filters.addStretch(1)
        filters.addWidget(self.count)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.title)
        rl.addWidget(self.files, 1)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.next_button)
        rl.addLayout(row)
        rl.addWidget(self.form)
        rl.addWidget(self.result)
        rl.addWidget(self.keys_help)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addLayout(filters)
        lay.addLayout(hidden_row)
        lay.addWidget(split, 1)
        self.keys = GradeKeys(self, grade=self.grade, open_file=self.open_file, next_item=self.next_item,
                              scale=self.form.scale)
        for w in (self.view, self.files.view, self.open_button, self.next_button):
            w.installEventFilter(self.keys)
        self._show_current(None)

    def _connect_signals(self) -> None:
        self.table.selection_changed.connect(self._show_current)
        self.form.grade_chosen.connect(self.grade)
        self.form.reviewer_box.currentTextChanged.connect(self._on_filters_changed)
        self.form.comment.returnPressed.connect(self._on_comment_return_pressed)
        self.group_box.currentIndexChanged.connect(self._on_filters_changed)
        self.point_box.currentIndexChanged.connect(self._on_filters_changed)
        self.show_done.toggled.connect(lambda _on: self.reload())
        self.open_button.clicked.connect(self.open_file)
        self.next_button.clicked.connect(self.next_item)
        self.take_over_button.clicked.connect(self.take_over)

    # loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        done = self.show_done.isChecked()

        page_kit.run(self, lambda _p: self.api.assessment.queue_data(include_graded=done), self._on_loaded)

    def _on_loaded(self, data: review_queue.QueueData) -> None:
        items, names, scale = data.items, data.reviewers, data.scale
        self._all = items
        self._fail = data.fail
        self.form.set_scale(scale)
        self.form.set_reviewers(names)
        self.keys_help.setText(KEYS_HELP.format(grades="　".join(f"{n} {g}" for n, g in enumerate(scale, 1)
                                                                if n <= 9)))
        self._refill(self.group_box, ALL_GROUPS, sorted({q.group for q in items if q.group}))
        self._refill(self.point_box, ALL_POINTS, sorted({q.point_code or "个人" for q in items},
                                                        key=lambda c: (c[0], int(c[1:]) if c[1:].isdigit() else 0)))
        self._apply_filters()

    @staticmethod
    def _refill(box: QComboBox, everything: str, values: list[str]) -> None:
        keep = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(everything, "")
        for v in values:
            box.addItem(v, v)
        box.setCurrentIndex(max(0, box.findData(keep)))
        box.blockSignals(False)

    def _on_filters_changed(self, *_args) -> None:
        self._apply_filters()

    def _apply_filters(self) -> None:
        reviewer = self.form.reviewer()
        if reviewer != self._taken_by:                   # a take-over belongs to the reviewer who made it
            self._taken, self._taken_by = set(), reviewer
        where = {"reviewer": reviewer, "group": self.group_box.currentData() or "",
                 "point": self.point_box.currentData() or "", "taken_over": frozenset(self._taken)}
        shown = review_queue.filter_queue(self._all, **where)
        self._hidden = review_queue.hidden_from(self._all, **where)
        self.hidden_note.setText(review_queue.hidden_text(self._hidden))
        self.hidden_note.setVisible(bool(self._hidden))
        self.take_over_button.setVisible(any(h.reason == review_queue.OTHERS for h in self._hidden))
        keep = self.table.current_key()
        self.table.set_rows(shown)
        if keep is None or self.model.position_of(keep) is None:
            self._select_first_waiting()
        self._update_title_count()

    def _update_title_count(self) -> None:
        rows = self.model.rows()
        first = sum(1 for q in rows if q.stage == FIRST)
        again = sum(1 for q in rows if q.stage == AGAIN)
        done = len(rows) - first - again
        parts = [f"待评 {first} 项"] + ([f"复评 {again} 项"] if again else []) + ([f"已评 {done} 项"] if done else [])
        self.count.setText("<b>" + "，".join(parts) + "</b>")

    # the current item ----------------------------------------------------------------------

    def current(self) -> QueueItem | None:
        return self.table.current_row()

    def _show_current(self, q: QueueItem | None) -> None:
        if q is None:
            self.title.setText(("您的队列中没有待评的证据。" + (" " + html.escape(review_queue.hidden_text(self._hidden))
                                                              if self._hidden else ""))
                               if not self.model.rowCount() else "请在左侧选择一项证据。")
            self.files.set_rows([])
            self.form.set_grading_enabled(False)
            self.open_button.setEnabled(False)
            return
        stage = f"<span style='color:#a15c00'>复评（第{q.round}轮）</span>" if q.stage == "复评" else q.stage
        prior = f"　上次：{html.escape(q.grade)}{('（' + html.escape(q.last_reviewer) + '）') if q.last_reviewer else ''}" \
            if q.grade else ""
        self.title.setText(f"<b>{html.escape(q.teacher)}</b>　{html.escape(q.group)}<br>"
                           f"{html.escape(q.point_label)}<br><b>{html.escape(q.item_label)}</b>　{stage}{prior}")
        self.files.set_rows(q.files)
        if q.files:
            self.files.select_key(q.files[0].evidence_id, scroll=False)
        self.form.set_grading_enabled(True)
        self.open_button.setEnabled(bool(q.files))
        self.view.setFocus()

    def _select_first_waiting(self) -> None:
        for r in range(self.table.proxy.rowCount()):
            q = self.table.proxy.index(r, 0).data(QueueModel.ROW_ROLE)
            if q.stage != DONE:
                self.table.select_key(q.key)
                return
        self._show_current(None)

    # actions -------------------------------------------------------------------------------

    def next_item(self) -> None:
        """Select the next item still waiting below the current one (wrapping round)."""
        proxy = self.table.proxy
        n = proxy.rowCount()
        if not n:
            return
        cur = self.view.currentIndex().row() if self.current() is not None else -1
        for step in range(1, n + 1):
            q = proxy.index((cur + step) % n, 0).data(QueueModel.ROW_ROLE)
            if q.stage != DONE:
                self.table.select_key(q.key)
                return
        note = html.escape(review_queue.hidden_text(self._hidden))
        self.result.setText("<b style='color:#1b7f3b'>✔ 您的队列中的证据已全部评定。</b>"
                            + (f"<br><span style='color:#8a5a00'>{note}</span>" if note else ""))

    def take_over(self) -> None:
        """Put the items another reviewer graded before (e.g. a 复评 after 帮扶) into this reviewer's queue."""
        others = [h.item for h in self._hidden if h.reason == review_queue.OTHERS]
        if not others:
            return
        self._taken |= {q.key for q in others}
        self._apply_filters()
        self.table.select_key(others[0].key)

    def open_file(self) -> None:
        f = self.files.current_row()
        q = self.current()
        if f is None and q is not None and q.files:
            f = q.files[0]
        if f is not None:
            page_kit.open_stored_file(self, self.api.assessment, f.sha256, f.name)

    def grade(self, grade: str) -> None:
        q = self.current()
        if q is None:
            return
        if q.stage == DONE and q.grade == self._fail and grade != q.grade and not confirm_changing_a_fail(
                self, q.teacher, q.item_title, q.grade, grade, q.last_reviewer):
            return
        reviewer = self.form.reviewer()
        if not reviewer:
            page_kit.show_error(self, ValidationError("请先在“评定人”中选择或填写评定人，再评定等级。"))
            self.form.reviewer_box.setFocus()
            return
        comment, on_date = self.form.comment.text(), self.form.on_date()
        page_kit.run(self, lambda _p: self.api.assessment.assess(q.teacher_id, q.code, str(q.item_seq), grade,
                                                        reviewer=reviewer, comment=comment, on_date=on_date),
                     lambda r: self._after_grade(q, r))

    def _after_grade(self, q: QueueItem, r: AssessResult) -> None:
        done = replace(q, stage=DONE, grade=r.grade, last_reviewer=self.form.reviewer())
        self._all = [done if x.key == q.key else x for x in self._all]
        self.model.replace_row(done)
        self.form.comment.clear()
        self._update_title_count()
        point = f"能力点 {r.point_code} 结果：<b>{html.escape(r.point_result)}</b>；" if r.point_code else ""
        self.result.setText(f"已评定 {html.escape(q.teacher)}「{html.escape(q.item_title)}」为 <b>{html.escape(r.grade)}</b>。"
                            f"{point}{html.escape(q.teacher)} 个人结果：<b>{html.escape(r.teacher_result)}</b>")
        self.last_result = r
        self.graded.emit(done, r)
        if self.current() is not None and self.current().key == q.key:
            self._show_current(done)

    def _on_comment_return_pressed(self) -> None:
        """Enter ends the comment: back to the list, where 1/2/3 grade with it."""
        self.view.setFocus()
