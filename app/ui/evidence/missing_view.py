"""全校缺交清单: sortable by teacher, group and point; filters; export to Excel."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.services import missing_evidence
from app.services.missing_evidence import MissingRow
from app.ui.evidence.evidence_models import MissingCol, MissingModel
from app.ui.micro import page_kit

ALL_GROUPS = "全部研修组"


class _MissingFilter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.group = ""
        self.needle = ""

    def set_filters(self, group: str, text: str) -> None:
        self.beginFilterChange()
        self.group, self.needle = group, text.strip().casefold()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row, source_parent) -> bool:
        r: MissingRow = self.sourceModel().index(source_row, 0, source_parent).data(MissingModel.ROW_ROLE)
        if self.group and r.group != self.group:
            return False
        if self.needle:
            hay = f"{r.teacher} {r.staff_no} {r.subject} {r.point_code} {r.point_name} {r.item_title}".casefold()
            return self.needle in hay
        return True


class MissingListWidget(QWidget):
    teacher_activated = Signal(int)

    def __init__(self, ws, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ws = ws
        self._school = ""
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.group_box = QComboBox()
        self.group_box.addItem(ALL_GROUPS, "")
        self.search = QLineEdit(placeholderText=self.tr("搜索教师、能力点或项目"))
        self.search.setClearButtonEnabled(True)
        self.export_button = QPushButton(self.tr("导出 Excel…"))
        self.count_label = QLabel()
        self.model = MissingModel(self)
        self.proxy = _MissingFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(MissingModel.SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(MissingCol.GROUP, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        h = self.view.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setStretchLastSection(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("研修组")))
        top.addWidget(self.group_box)
        top.addWidget(self.search, 1)
        top.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.count_label)
        lay.addWidget(self.view, 1)
        hint = QLabel(self.tr("点击表头可按教师、研修组或能力点排序；双击一行可直接为该教师提交证据。"))
        hint.setStyleSheet("color:#808080")
        lay.addWidget(hint)

    def _connect_signals(self) -> None:
        self.group_box.currentIndexChanged.connect(self._on_filters_changed)
        self.search.textChanged.connect(self._on_filters_changed)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.view.doubleClicked.connect(self._on_view_double_clicked)

    def set_rows(self, rows: list[MissingRow], school: str = "") -> None:
        self._school = school
        self.model.set_rows(rows)
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
        return [self.proxy.index(r, 0).data(MissingModel.ROW_ROLE) for r in range(self.proxy.rowCount())]

    def _on_filters_changed(self, *_args) -> None:
        self.proxy.set_filters(self.group_box.currentData() or "", self.search.text())
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
        page_kit.run(self, lambda p: missing_evidence.export_missing_xlsx(rows, dest, school=self._school, progress=p),
                     self._on_exported, title=self.tr("正在导出缺交清单…"), touches_db=False)

    def _on_exported(self, path: Path) -> None:
        self.last_export = path
        page_kit.inform(self, self.tr("导出完成"), f"已导出 {len(self.shown_rows())} 项缺交记录到：\n{path}")

    def _on_view_double_clicked(self, index) -> None:
        r = index.data(MissingModel.ROW_ROLE)
        if r is not None:
            self.teacher_activated.emit(r.teacher_id)
