"""The whole-school view: filters, counts per point and dimension, the matrix, bulk actions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from app.services.choices import DIMENSIONS
from app.services.matrix import NO_GROUP, BulkAssignResult, MatrixCounts, SchoolMatrix
from app.ui.widgets import page_kit
from app.ui.micro.school_matrix_model import FIXED, MatrixFilter, SchoolMatrixModel

ALL_SUBJECTS = "全部学科"
FIXED_WIDTHS = (60, 52, 60, 80, 52)
POINT_WIDTH = 26          # A1…; two-digit codes get 32: 30 points fit a 1366-pixel window without scrolling
WIDE_POINT_WIDTH = 32
ALL_GROUPS = "全部研修组"


class SchoolMatrixWidget(QWidget):
    teacher_activated = Signal(int)
    choices_changed = Signal()

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.subject_box = QComboBox()
        self.subject_box.addItem(ALL_SUBJECTS, "")
        self.group_box = QComboBox()
        self.group_box.addItem(ALL_GROUPS, "")
        self.search = QLineEdit(placeholderText=self.tr("搜索姓名或工号"))
        self.search.setClearButtonEnabled(True)
        self.bulk_button = QPushButton(self.tr("为研修组添加共同能力点…"))
        self.summary = QLabel()
        self.summary.setObjectName("matrixSummary")
        self.summary.setWordWrap(True)
        self.model = SchoolMatrixModel(self)
        self.proxy = MatrixFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SchoolMatrixModel.SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setStyleSheet("QHeaderView::section { padding: 2px 1px; }")   # narrow point columns keep "A10"
        header.setDefaultSectionSize(POINT_WIDTH)
        header.setMinimumSectionSize(24)
        # fixed widths: ResizeToContents would read every row of a 1,000-teacher school on each filter
        for c, width in enumerate(FIXED_WIDTHS):
            self.view.setColumnWidth(c, width)
        top = QHBoxLayout()
        for w in (QLabel(self.tr("学科")), self.subject_box, QLabel(self.tr("研修组")), self.group_box, self.search):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.bulk_button)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.summary)
        lay.addWidget(self.view, 1)
        hint = QLabel(self.tr("双击一行可打开该教师的选点；表头数字为当前显示教师中选择该能力点的人数。"))
        hint.setStyleSheet("color:#808080")
        lay.addWidget(hint)
        self._update_bulk_button()

    def _connect_signals(self) -> None:
        self.subject_box.currentIndexChanged.connect(self._on_filters_changed)
        self.group_box.currentIndexChanged.connect(self._on_filters_changed)
        self.search.textChanged.connect(self._on_filters_changed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.bulk_button.clicked.connect(self._on_bulk_clicked)

    # loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        page_kit.run(self, lambda _p: self.api.micro.school_matrix(), self.set_matrix)

    def set_matrix(self, m: SchoolMatrix) -> None:
        self.model.set_matrix(m)
        for c, p in enumerate(m.points, len(FIXED)):
            self.view.setColumnWidth(c, WIDE_POINT_WIDTH if len(p.code) > 2 else POINT_WIDTH)
        self._refill(self.subject_box, ALL_SUBJECTS, list(m.subjects))
        groups = [g.name for g in m.groups]
        if any(r.group == NO_GROUP for r in m.rows):
            groups.append(NO_GROUP)
        self._refill(self.group_box, ALL_GROUPS, groups)
        self._on_filters_changed()

    @staticmethod
    def _refill(box: QComboBox, everything: str, values: list[str]) -> None:
        keep = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(everything, "")
        for v in values:
            box.addItem(v, v)
        i = box.findData(keep)
        box.setCurrentIndex(max(0, i))
        box.blockSignals(False)

    # filters and counts ----------------------------------------------------------------------

    def _on_filters_changed(self, *_args) -> None:
        self.proxy.set_filters(subject=self.subject_box.currentData() or "", group=self.group_box.currentData() or "",
                               text=self.search.text())
        self._show_counts(self.model.counts())
        self._update_bulk_button()

    def _show_counts(self, c: MatrixCounts | None) -> None:
        if c is None:
            self.summary.clear()
            return
        status = "，".join(f"{k} {c.by_status.get(k, 0)} 人" for k in ("符合", "不符合", "未选点", "免修")
                          if c.by_status.get(k))
        dims = "，".join(f"{d} {c.by_dimension.get(d, 0)}" for d in DIMENSIONS)
        self.summary.setText(f"显示 {c.teachers} 位教师（{status or '无'}）。各维度选点人次：{dims}。")

    def shown_teacher_ids(self) -> list[int]:
        return [self.proxy.index(r, 0).data(SchoolMatrixModel.ROW_ROLE).teacher_id
                for r in range(self.proxy.rowCount())]

    # bulk -----------------------------------------------------------------------------------

    def _selected_group(self):
        m = self.model.matrix()
        name = self.group_box.currentData()
        if m is None or not name:
            return None
        return next((g for g in m.groups if g.name == name), None)

    def _update_bulk_button(self) -> None:
        g = self._selected_group()
        if g is None:
            self.bulk_button.setText(self.tr("为研修组添加共同能力点…"))
            self.bulk_button.setEnabled(False)
            self.bulk_button.setToolTip(self.tr("请先在“研修组”中选择一个研修组"))
        elif not g.common_point:
            self.bulk_button.setText(f"“{g.name}”未设置共同能力点")
            self.bulk_button.setEnabled(False)
            self.bulk_button.setToolTip(f"“{g.name}”还没有设置共同能力点，请先在“团队”页面设置")
        else:
            self.bulk_button.setText(f"为“{g.name}”全体添加共同能力点 {g.common_point}…")
            self.bulk_button.setEnabled(True)
            self.bulk_button.setToolTip("把该能力点加入每位组员现有的选点中；不符合规则的组员会逐一列出，不会被修改")

    def _on_bulk_clicked(self) -> None:
        g = self._selected_group()
        if g is None or not g.common_point:
            return
        if not page_kit.ask(self, self.tr("添加共同能力点"),
                            f"把能力点 {g.common_point} 加入“{g.name}”{len(g.member_ids)} 位组员现有的选点中？\n\n"
                            "已选的能力点不会被取消；加入后不符合本校方案规则的组员会被跳过并列出原因。"):
            return
        page_kit.run(self, lambda p: self.api.micro.assign_common_point(g.id, p), self._on_bulk_done,
                     title=self.tr("正在添加共同能力点…"))

    def _on_bulk_done(self, result: BulkAssignResult) -> None:
        self.last_bulk_result = result
        page_kit.inform(self, self.tr("添加共同能力点"), result.summary())
        if result.added:
            self.choices_changed.emit()
        self.reload()

    def _on_view_double_clicked(self, index) -> None:
        row = index.data(SchoolMatrixModel.ROW_ROLE)
        if row is not None:
            self.teacher_activated.emit(row.teacher_id)
