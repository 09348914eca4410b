"""全校缺交清单: sortable by teacher, group and point; filters; export to Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.missing_evidence import MissingRow
from app.ui.evidence.evidence_models import MissingCol, MissingModel
from app.ui.widgets import page_kit
from app.ui.widgets.record_table import RecordTable

ALL_GROUPS = "全部研修组"


class MissingListWidget(QWidget):
    teacher_activated = Signal(int)
    choose_points_requested = Signal(int)      # a teacher who has not chosen points yet

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self._school = ""
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.table = RecordTable(MissingModel(), placeholder="搜索教师、能力点或项目")
        self.model, self.proxy, self.view, self.search = self.table.model, self.table.proxy, self.table.view, self.table.search
        self.table.count_label.hide()
        self.view.sortByColumn(MissingCol.GROUP, Qt.SortOrder.AscendingOrder)
        self.group_box = QComboBox()
        self.group_box.addItem(ALL_GROUPS, "")
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.table.button_bar.addWidget(QLabel(self.tr("研修组")))
        self.table.button_bar.addWidget(self.group_box)
        self.table.button_bar.addWidget(self.export_button)
        self.count_label = QLabel()
        self.count_label.setObjectName("missingSummary")
        lay = QVBoxLayout(self)
        lay.addWidget(self.count_label)
        lay.addWidget(self.table, 1)
        hint = QLabel(self.tr("点击表头可按教师、研修组或能力点排序；双击一行可直接为该教师提交证据（未选点的教师转到“微能力”页）。"))
        hint.setStyleSheet("color:#808080")
        lay.addWidget(hint)

    def _connect_signals(self) -> None:
        self.group_box.currentIndexChanged.connect(self._on_filters_changed)
        self.search.textChanged.connect(self._on_filters_changed)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.table.row_activated.connect(self._on_row_activated)

    def set_rows(self, rows: list[MissingRow], school: str = "") -> None:
        self._school = school
        self.table.set_rows(rows)
        keep = self.group_box.currentData()
        self.group_box.blockSignals(True)
        self.group_box.clear()
        self.group_box.addItem(ALL_GROUPS, "")
        for g in sorted({r.group for r in rows if r.group}):
            self.group_box.addItem(g, g)
        self.group_box.setCurrentIndex(max(0, self.group_box.findData(keep)))
        self.group_box.blockSignals(False)
        self._on_filters_changed()

    def shown_rows(self) -> list[MissingRow]:
        return self.table.visible_rows()

    def _on_filters_changed(self, *_args) -> None:
        group = self.group_box.currentData() or ""
        self.proxy.set_predicate((lambda r: r.group == group) if group else None)
        rows = self.shown_rows()
        teachers = len({r.teacher_id for r in rows})
        self.count_label.setText(f"共 {len(rows)} 项缺交，涉及 {teachers} 位教师。" if rows else "没有缺交的证据。")
        self.export_button.setEnabled(bool(rows))

    def _on_export_clicked(self) -> None:
        rows = self.shown_rows()
        default = f"证据缺交清单_{date.today():%Y%m%d}.xlsx"
        name, _ = QFileDialog.getSaveFileName(self, self.tr("导出缺交清单"), default, "Excel 工作簿 (*.xlsx)")
        if not name:
            return
        dest = Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx")
        page_kit.run(self, lambda p: self.api.evidence.export_missing_xlsx(rows, dest, school=self._school, progress=p),
                     self._on_exported, title=self.tr("正在导出缺交清单…"), touches_db=False)

    def _on_exported(self, path: Path) -> None:
        self.last_export = path
        page_kit.inform(self, self.tr("导出完成"), f"已导出 {len(self.shown_rows())} 项缺交记录到：\n{path}")

    def _on_row_activated(self, r: MissingRow) -> None:
        if r.point_code:
            self.teacher_activated.emit(r.teacher_id)
        else:
            self.choose_points_requested.emit(r.teacher_id)
