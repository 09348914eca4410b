"""首页: the programme at a glance, and every finding one click away from its fix.

The statistics come from `services.dashboard.load_dashboard` (one snapshot
read) in a background job, so opening the window never waits for them.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services.dashboard import DashboardData, load_dashboard
from app.ui import jobs
from app.ui.dashboard.findings_model import FindingsModel
from app.ui.pages.base import Page
from app.ui.style import BAD, OK, WARN
from app.ui.widgets.bar_chart import Bar, BarChart
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.table_model import RowTableModel

FINDING_FILTERS = ("全部问题", "必须处理", "提醒", "学校层面", "教师个人")


class StatCard(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.value = QLabel("…")
        self.value.setProperty("role", "cardValue")
        self.caption = QLabel(caption)
        self.caption.setProperty("role", "cardLabel")
        self.note = QLabel()
        self.note.setProperty("role", "hint")
        self.note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 8, 14, 8)
        lay.setSpacing(0)
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        lay.addWidget(self.note)

    def set(self, value: str, note: str = "", colour: str | None = None) -> None:
        self.value.setText(value)
        self.value.setStyleSheet(f"color: {colour};" if colour else "")
        self.note.setText(note)


def _panel(title: str, body: QWidget) -> QFrame:
    frame = QFrame()
    frame.setProperty("role", "card")
    label = QLabel(title)
    label.setProperty("role", "sectionTitle")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(12, 6, 12, 8)
    lay.addWidget(label)
    lay.addWidget(body, 1)
    return frame


class DashboardPage(Page):
    TITLE = "首页"
    SUPPORTS = frozenset({"search"})
    LISTENS_TO = ("school", "teachers", "teams", "hours", "plans", "deadlines", "choices", "evidence", "assessment")

    def __init__(self, ws, events, parent: QWidget | None = None) -> None:
        super().__init__(ws, events, parent)
        self.data: DashboardData | None = None
        self._job: jobs.Job | None = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.subtitle = QLabel("正在统计…")
        self.subtitle.setProperty("role", "pageSubtitle")
        self.card_pass = StatCard("全部要求达标的教师")
        self.card_exempt = StatCard("免修 / 不作要求")
        self.card_findings = StatCard("待处理问题")
        self.card_plans = StatCard("方案文档")
        self.card_deadlines = StatCard("截止日期")
        cards = QHBoxLayout()
        for card in (self.card_pass, self.card_exempt, self.card_findings, self.card_plans, self.card_deadlines):
            cards.addWidget(card, 1)
        self.hours_chart = BarChart()
        self.hours_chart.setObjectName("hoursChart")
        self.micro_chart = BarChart()
        self.micro_chart.setObjectName("microChart")
        self.env_chart = BarChart()
        self.env_chart.setObjectName("environmentChart")
        micro = QWidget()
        micro_row = QHBoxLayout(micro)
        micro_row.setContentsMargins(0, 0, 0, 0)
        micro_row.addWidget(self.micro_chart, 4)
        micro_row.addWidget(self.env_chart, 3)
        self.plans_text = QLabel()
        self.plans_text.setObjectName("plansText")
        self.plans_text.setWordWrap(True)
        self.plans_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.plans_text.setTextFormat(Qt.TextFormat.RichText)
        middle = QGridLayout()
        middle.addWidget(_panel("学时进度（达到要求的人数）", self.hours_chart), 0, 0)
        middle.addWidget(_panel("微能力点覆盖（选点人次）", micro), 0, 1)
        middle.addWidget(_panel("方案文档与截止日期", self.plans_text), 0, 2)
        for col, stretch in enumerate((3, 5, 3)):
            middle.setColumnStretch(col, stretch)
        self.findings = RecordTable(FindingsModel(), settings_name="findings",
                                    placeholder="搜索问题（如教师姓名、学时、证据）")
        self.findings.view.setToolTip("单击一行，转到能解决该问题的页面和记录")
        self.findings.view.setCursor(Qt.CursorShape.PointingHandCursor)
        self.findings.view.setMinimumHeight(150)     # a few problems always show; a small screen scrolls the page
        self.finding_filter = QComboBox()
        self.finding_filter.setObjectName("findingFilter")
        self.finding_filter.addItems(FINDING_FILTERS)
        title = QLabel("问题清单（单击转到处理页面）")
        title.setProperty("role", "sectionTitle")
        self.findings.button_bar.addWidget(title)
        self.findings.button_bar.addWidget(self.finding_filter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header(subtitle=""))
        lay.addWidget(self.subtitle)
        lay.addLayout(cards)
        lay.addLayout(middle)
        lay.addWidget(self.findings, 1)

    def _connect_signals(self) -> None:
        self.findings.view.clicked.connect(self._on_findings_clicked)
        self.findings.row_activated.connect(self._go_to_finding)
        self.finding_filter.currentTextChanged.connect(self._on_finding_filter_changed)

    def refresh(self) -> None:
        if self._job is not None:
            self._job.cancel()
        ws = self.ws
        self._job = jobs.run_in_background(self, lambda ctx: load_dashboard(ws), on_done=self._on_loaded)

    def focus_search(self) -> None:
        self.findings.focus_search()

    def _on_loaded(self, data: DashboardData) -> None:
        self._job = None
        self.data = data
        self.subtitle.setText(f"{data.school}　·　{data.programme}　·　{data.environment}环境　·　"
                              f"教师 {data.teachers} 人（参训 {data.active} 人）"
                              + (f"　·　<b style='color:{OK if data.district_status.startswith('区县已接收 ·') else WARN}'>"
                                 f"{data.district_status}</b>" if data.district_status else ""))
        self._fill_cards(data)
        self.hours_chart.set_groups([("", [Bar(h.label + (f"≥{h.per_teacher_min:g}" if h.per_teacher_min else ""),
                                               h.meeting, h.active or 1, f"{h.meeting}/{h.active} 人")
                                           for h in data.hours])], empty_text="本方案没有学时要求")
        if data.micro_required:
            self.micro_chart.set_groups([("按维度", [Bar(k, v) for k, v in data.micro_by_dimension])])
            self.env_chart.set_groups([("按信息化环境", [Bar(k, v, colour=c) for (k, v), c in
                                                    zip(data.micro_by_environment, ("#e05d5d", "#26a6a6", "#8e5cc9"))])])
        else:
            self.micro_chart.set_groups([], empty_text="本项目方案不要求选择微能力点")
            self.env_chart.set_groups([], empty_text="")
        self.plans_text.setText(self._plans_html(data))
        self.findings.set_rows(list(data.findings))

    def _fill_cards(self, d: DashboardData) -> None:
        share = f"{d.meeting_all / d.active:.0%}" if d.active else "—"
        self.card_pass.set(f"{d.meeting_all} / {d.active}", f"达标率 {share}",
                           OK if d.active and d.meeting_all == d.active else None)
        self.card_exempt.set(str(d.exempt), "不计入达标统计")
        self.card_findings.set(str(d.blocking), f"必须处理 {d.blocking} 项 · 提醒 {d.warnings} 项",
                               BAD if d.blocking else OK)
        missing = d.plans_missing
        self.card_plans.set("齐全" if not missing else f"{len(missing)} 份待办",
                            "、".join(p.kind for p in missing)[:40] or "要求的方案均已报送", BAD if missing else OK)
        passed = [x for x in d.deadlines if x.state == "已过期"]
        soon = [x for x in d.deadlines if x.state == "即将到期"]
        self.card_deadlines.set(f"已过 {len(passed)} · 临近 {len(soon)}",
                                "30天内到期的事项" if soon else "无30天内到期事项",
                                BAD if passed else WARN if soon else OK)

    @staticmethod
    def _plans_html(d: DashboardData) -> str:
        colour = {"缺": BAD, "草稿": WARN, "已提交": WARN, "已备案": OK}
        lines = []
        for p in d.plans:
            file_note = "" if p.has_file or p.status == "缺" else "，<span style='color:%s'>未附文件</span>" % WARN
            need = "" if p.required else "（非必需）"
            lines.append(f"《{p.kind}》{need}：<span style='color:{colour.get(p.status, '#333')}'>{p.status}</span>"
                         f"{file_note}")
        for x in d.deadlines:
            c = (BAD if x.state == "已过期" else WARN if x.state in ("即将到期", "逾期完成")
                 else OK if x.state == "已完成" else "#333")
            when = f"还有 {x.days_left} 天" if x.state in ("即将到期", "未到期") else x.state
            lines.append(f"{x.due_on.isoformat()} {x.title}：<span style='color:{c}'>{when}</span>")
        for pack in d.packs_out:           # teaching points' packs still out on a stick
            lines.append(f"采集包 {pack.scope_kind}“{html.escape(pack.scope_name)}”：<span style='color:{WARN}'>"
                         f"已发出 {pack.days_out()} 天，尚未收回</span>")
        return "<br>".join(lines) or "本方案没有方案文档和截止日期要求"

    def _on_findings_clicked(self, index: QModelIndex) -> None:
        finding = index.data(RowTableModel.ROW_ROLE)
        if finding is not None:
            self._go_to_finding(finding)

    def _go_to_finding(self, finding) -> None:
        if finding.page == self.TITLE:
            return
        kind = finding.rule if finding.page == "项目方案" else finding.code
        self.navigate_requested.emit(finding.page, finding.teacher_id, finding.record_id, kind)

    def _on_finding_filter_changed(self, text: str) -> None:
        predicates = {"必须处理": lambda f: f.is_blocking, "提醒": lambda f: not f.is_blocking,
                      "学校层面": lambda f: f.teacher_id is None, "教师个人": lambda f: f.teacher_id is not None}
        self.findings.proxy.set_predicate(predicates.get(text))
        self.findings.update_count()
