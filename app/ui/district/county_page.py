"""全县总览: every school and teaching point in one sortable, filterable table; exported to an A4 workbook.

The rows come from the district's own re-check kept for each current bundle (load_county reads
only the database), so the page opens at once even for 60 units.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QMessageBox, QVBoxLayout, QWidget

from app.services.district.county import CountyView
from app.ui import jobs
from app.ui.district.table_models import CountyTableModel
from app.ui.pages.base import Page
from app.ui.widgets.record_table import RecordTable, standard_action

FILTERS = {
    "全部单位": None,
    "学校": lambda r: r.kind == "学校" and not r.parent,
    "教学点": lambda r: r.kind == "教学点",
    "未报送": lambda r: not r.submitted,
    "复核有差异": lambda r: r.differences > 0,
    "确认表未收": lambda r: r.submitted and not r.paper,
    "回执未发": lambda r: r.submitted and not r.receipt,
    "优秀案例不足": lambda r: r.submitted and not r.cases_ok,
    "有帮扶未结": lambda r: r.support_open > 0,
}


class CountyPage(Page):
    TITLE = "全县总览"
    SUPPORTS = frozenset({"search"})
    LISTENS_TO = ("data",)

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.view: CountyView | None = None
        self.table = RecordTable(CountyTableModel(), settings_name="district_county", placeholder="搜索学校、教学点、代码")
        self.filter = QComboBox()
        self.filter.setObjectName("countyFilter")
        self.filter.addItems(list(FILTERS))
        self.table.button_bar.addWidget(self.filter)
        self.act_export = standard_action(self, "导出全县汇总表…", self.export_workbook,
                                          tip="Excel 汇总表（全县汇总、复核差异、材料雷同、同一人员、报送记录），A4 横向打印")
        self.table.add_button(self.act_export)
        self.totals = QLabel("正在统计…")
        self.totals.setObjectName("countyTotals")
        self.totals.setProperty("role", "pageSubtitle")
        self.totals.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header(subtitle="每所学校、每个教学点一行；数字按区县方案复核。点击列标题排序，用筛选和搜索找出需要跟进的单位。"))
        lay.addWidget(self.totals)
        lay.addWidget(self.table, 1)
        self.filter.currentTextChanged.connect(self._on_filter_current_text_changed)

    def refresh(self) -> None:
        api = self.api.district
        self.load(lambda ctx: api.load_county(), self._on_loaded)

    def focus_search(self) -> None:
        self.table.focus_search()

    def _on_loaded(self, view: CountyView) -> None:
        self.view = view
        t = view.totals()
        rate = f"{t['pass_rate']:.1%}" if t["pass_rate"] is not None else "—"
        self.totals.setText(f"{view.district} · {view.programme}　已报送 {t['submitted']}/{t['units']} 个单位 · "
                            f"参训教师 {t['active']} 人，达标 {t['meeting']} 人（{rate}）· 确认表已收 {t['papers']} · "
                            f"回执已发 {t['receipts']} · 复核有差异 {t['differences']} 个 · 优秀案例按 {view.case_share:.0%} 计")
        self.table.set_rows(list(view.rows))

    def _on_filter_current_text_changed(self, text: str) -> None:
        self.table.proxy.set_predicate(FILTERS.get(text))
        self.table.update_count()

    def export_workbook(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出全县汇总表", "全县汇总.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        api = self.api.district
        jobs.run_with_progress(self, lambda ctx: api.write_county_workbook(path, ctx.progress), title="导出全县汇总表",
                               on_done=lambda p: QMessageBox.information(self, "已导出", f"全县汇总表已保存：\n{p}"))
