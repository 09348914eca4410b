"""优秀案例: points graded 优秀 that can be put forward, the cases marked, and the share against the target."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSplitter, QVBoxLayout, QWidget

from app.services.assessment import CaseRow
from app.services.review_queue import AssessmentSummary, CaseCandidate
from app.ui.widgets import page_kit
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.table_model import Column, RowTableModel, fmt_date


class CandidateModel(RowTableModel):
    COLUMNS = (
        Column("教师", lambda c: c.teacher, width=80),
        Column("研修组", lambda c: c.group, width=100),
        Column("能力点", lambda c: f"{c.point_code} {c.point_name}", width=240),
    )

    @staticmethod
    def key(row: CaseCandidate):
        return (row.teacher_id, row.point_code)


class CaseModel(RowTableModel):
    COLUMNS = (
        Column("教师", lambda c: c.teacher, width=80),
        Column("能力点", lambda c: c.point_code or "整体", width=60),
        Column("案例名称", lambda c: c.title, width=300),
        Column("标记日期", lambda c: fmt_date(c.marked_on), width=100),
    )


def share_text(s: AssessmentSummary) -> str:
    pct = f"{s.share * 100:.1f}%"
    base = f"优秀案例 {s.cases} 个，占参训教师 {s.active} 人的 {pct}"
    if not s.share_min:
        return base + "（本校方案未规定比例）。"
    goal = f"方案要求不低于 {s.share_min * 100:g}%"
    return f"{base}；{goal}" + ("，已达到。" if s.share_met else f"，还差 {s.cases_short} 个。")


class CasesWidget(QWidget):

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.share = QLabel()
        self.share.setObjectName("caseShare")
        self.share.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(260)
        self.bar.setFormat("达成 %p%")
        self.candidates = RecordTable(CandidateModel(), placeholder="搜索教师、能力点")
        self.mark_button = QPushButton("标记为优秀案例")
        self.candidates.button_bar.addWidget(QLabel("<b>可推荐</b>（能力点考核结果为优秀）"))
        self.candidates.button_bar.addWidget(self.mark_button)
        self.cases = RecordTable(CaseModel(), placeholder="搜索")
        self.unmark_button = QPushButton("取消标记")
        self.cases.button_bar.addWidget(QLabel("<b>已标记的优秀案例</b>"))
        self.cases.button_bar.addWidget(self.unmark_button)
        head = QHBoxLayout()
        head.addWidget(self.share, 1)
        head.addWidget(self.bar)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.candidates)
        split.addWidget(self.cases)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.addLayout(head)
        lay.addWidget(split, 1)
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.candidates.selection_changed.connect(self._update_buttons)
        self.cases.selection_changed.connect(self._update_buttons)
        self.mark_button.clicked.connect(self._on_mark_clicked)
        self.candidates.row_activated.connect(lambda _r: self._on_mark_clicked())
        self.unmark_button.clicked.connect(self._on_unmark_clicked)

    def reload(self, summary: AssessmentSummary) -> None:
        self.summary = summary
        self.share.setText(share_text(summary))
        if summary.share_min:
            self.bar.show()
            self.bar.setRange(0, 100)
            self.bar.setValue(min(100, int(summary.share / summary.share_min * 100)) if summary.share_min else 0)
            self.bar.setFormat(f"达成 {min(100, int(summary.share / summary.share_min * 100))}%")
        else:
            self.bar.hide()
        self.candidates.set_rows(summary.candidates)
        page_kit.run(self, lambda _p: self.api.assessment.list_cases(), self._on_cases_loaded)

    def _on_cases_loaded(self, rows: list[CaseRow]) -> None:
        self.cases.set_rows(rows)
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        self.mark_button.setEnabled(self.candidates.current_row() is not None)
        self.unmark_button.setEnabled(self.cases.current_row() is not None)

    def _on_mark_clicked(self) -> None:
        c = self.candidates.current_row()
        if c is None:
            return
        title = f"{c.teacher}：{c.point_name}案例"
        page_kit.run(self, lambda _p: self.api.assessment.mark_case(c.teacher_id, c.point_code, title=title))

    def _on_unmark_clicked(self) -> None:
        c = self.cases.current_row()
        if c is None:
            return
        if not page_kit.ask(self, "取消优秀案例", f"取消“{c.title}”的优秀案例标记？\n\n证据和等级不受影响。"):
            return
        page_kit.run(self, lambda _p: self.api.assessment.unmark_case(c.id))
