"""帮扶: who still needs a 帮扶, and every 帮扶 record with its re-assessment."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.services.assessment import SupportRow
from app.services.review_queue import AssessmentSummary, NeedsSupport
from app.ui.widgets import page_kit
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.table_model import Column, RowTableModel, fmt_date


class NeedsModel(RowTableModel):
    COLUMNS = (
        Column("教师", lambda n: n.teacher, width=80),
        Column("研修组", lambda n: n.group, width=100),
        Column("不合格的能力点", lambda n: "、".join(n.failed_points) or "个人项目", width=200,
               colour=lambda n: "#c0392b"),
    )

    @staticmethod
    def key(row: NeedsSupport):
        return row.teacher_id


def _overdue(r: SupportRow) -> bool:
    return r.is_open and r.reassess_on is not None and r.reassess_on < date.today()


class SupportModel(RowTableModel):
    COLUMNS = (
        Column("状态", lambda r: ("复评已逾期" if _overdue(r) else "进行中") if r.is_open else "已结束", width=70,
               colour=lambda r: ("#c0392b" if _overdue(r) else "#a15c00") if r.is_open else "#1b7f3b"),
        Column("教师", lambda r: r.teacher, width=70),
        Column("能力点", lambda r: r.point_code or "不限", width=55),
        Column("帮扶人", lambda r: r.helper, width=70),
        Column("帮扶计划", lambda r: r.plan, width=220),
        Column("开始", lambda r: fmt_date(r.opened_on), width=90),
        Column("复评日期", lambda r: fmt_date(r.reassess_on), width=90),
        Column("结束", lambda r: fmt_date(r.closed_on), width=90),
        Column("复评结果", lambda r: r.new_result, width=70),
    )

    @staticmethod
    def key(row: SupportRow):
        return row.id


class SupportWidget(QWidget):
    open_requested = Signal(int, str, tuple)       # teacher id, name, failed points

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.needs_label = QLabel()
        self.needs_label.setObjectName("needsSupportLabel")
        self.needs = RecordTable(NeedsModel(), placeholder="搜索教师")
        self.open_button = QPushButton("建立帮扶…")
        self.needs.button_bar.addWidget(self.open_button)
        self.records = RecordTable(SupportModel(), placeholder="搜索教师、帮扶人")
        self.close_button = QPushButton("复评并结束帮扶…")
        self.records.button_bar.addWidget(self.close_button)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.needs_label)
        tl.addWidget(self.needs, 1)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>帮扶记录</b>（帮扶后在“评审队列”中对不合格的证据复评，然后结束记录）")
        bl.addWidget(title)
        bl.addWidget(self.records, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setSizes([200, 400])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addWidget(split)
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.needs.selection_changed.connect(self._update_buttons)
        self.records.selection_changed.connect(self._update_buttons)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.needs.row_activated.connect(lambda _r: self._on_open_clicked())
        self.close_button.clicked.connect(self._on_close_clicked)

    def reload(self, summary: AssessmentSummary) -> None:
        self.needs.set_rows(summary.needs_support)
        n = len(summary.needs_support)
        self.needs_label.setText(f"<b style='color:#c0392b'>待建立帮扶：{n} 位教师考核不合格，尚无进行中的帮扶。</b>"
                                 if n else "<b style='color:#1b7f3b'>✔ 所有不合格教师都已建立帮扶。</b>")
        page_kit.run(self, lambda _p: self.api.assessment.list_supports(), self._on_supports_loaded)

    def _on_supports_loaded(self, rows: list[SupportRow]) -> None:
        self.records.set_rows(sorted(rows, key=lambda r: (not r.is_open, r.opened_on, r.id)))
        self._update_buttons()

    def select_teacher(self, teacher_id: int) -> None:
        if not self.needs.select_key(teacher_id):
            for r in self.records.model.rows():
                if r.teacher_id == teacher_id and r.is_open:
                    self.records.select_key(r.id)
                    break

    def _update_buttons(self, *_args) -> None:
        self.open_button.setEnabled(self.needs.current_row() is not None)
        r = self.records.current_row()
        self.close_button.setEnabled(r is not None and r.is_open)

    def _on_open_clicked(self) -> None:
        n = self.needs.current_row()
        if n is not None:
            self.open_requested.emit(n.teacher_id, n.teacher, n.failed_points)

    def _on_close_clicked(self) -> None:
        r = self.records.current_row()
        if r is None or not r.is_open:
            return
        page_kit.run(self, lambda _p: self.api.assessment.teacher_sheet(r.teacher_id), lambda sheet: self._ask_close(r, sheet))

    def _ask_close(self, r: SupportRow, sheet) -> None:
        from app.ui.assessment.support_dialogs import CloseSupportDialog
        passing = [g for g in sheet.scale if g != sheet.fail]
        self.dialog = CloseSupportDialog(self, self.api, r.teacher_id, r.teacher, current_result=sheet.result,
                                         passing=passing)
        self.dialog.open()
