"""导入花名册 / 导入学时: choose a file, check it in the background, preview and fix, import, summary.

    dialog = ImportDialog(api, "roster", parent)
    dialog.open()          # window-modal, never blocks
    dialog.load(path)      # or the user presses 选择文件… / drops a file on the dialog

The flow school offices know from other systems (research §3.8): 下载导入模板 →
fill it in → 选择文件 → a preview of every row with what importing would do
(新增 / 更新 / 无变化 / 有错误), bad cells red with the reason as tooltip → the
row of combo boxes over the columns changes what a column is imported as (the
rows are checked again) → 导入 runs as one transaction behind a progress
dialog whose 取消 rolls everything back → summary. 保存错误标注表… writes the
rows again with the bad cells marked, to fix and import again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDialog, QFileDialog, QHBoxLayout,
                               QHeaderView, QLabel, QMessageBox, QPushButton, QSplitter, QStackedWidget,
                               QTableView, QVBoxLayout, QWidget)

from app.services.excel import write_error_workbook
from app.services.excel.error_workbook import attach_error_workbook, default_path
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.importing.excel_files import download_template
from app.ui.importing.import_kinds import FILE_FILTER, KINDS, SUFFIXES, result_text
from app.ui.importing.mapping_bar import MappingBar
from app.ui.importing.preview_model import FILTERS, LEAD_COLUMNS, ImportPreviewModel, PreviewFilter, build_rows
from app.ui.importing.problem_list import ProblemCol, ProblemListModel
from app.ui.settings import LAST_FILE_DIR, Settings
from app.ui.style import BAD, WARN
from app.ui.widgets.screen_fit import fit_size, keep_on_screen, resize_to_screen

START, PREVIEW, RESULT = range(3)
ROW_HINT = "点选一行可在这里看到它的全部问题。红色单元格有错误，黄色是提醒；鼠标停在单元格上也能看到原因。"


class ImportDialog(QDialog):
    imported = Signal(object)            # the ImportResult of an import that wrote something

    def __init__(self, api, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.kind = KINDS[kind]
        self.path: Path | None = None
        self.preview = None
        self.result = None
        self.job: jobs.Job | None = None
        self._rows: list = []
        self.setWindowTitle(self.kind.title)
        self.setAcceptDrops(True)
        self.setMinimumSize(560, 320)
        resize_to_screen(self, 720, 420)            # the start page; the preview grows the dialog
        self._build_ui()
        self._connect_signals()

    # ------------------------------------------------------------------ layout

    def _build_ui(self) -> None:
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_start_page())
        self.pages.addWidget(self._build_preview_page())
        self.pages.addWidget(self._build_result_page())
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages)

    def _build_start_page(self) -> QWidget:
        page = QWidget()
        title = QLabel(self.kind.title)
        title.setProperty("role", "sectionTitle")
        steps = QLabel("<br>".join(f"{i}. {s}" for i, s in enumerate(self.kind.steps, 1)))
        steps.setWordWrap(True)
        steps.setTextFormat(Qt.TextFormat.RichText)
        self.template_button = QPushButton("下载导入模板…")
        self.choose_button = QPushButton("选择文件…")
        self.choose_button.setDefault(True)
        self.choose_button.setMinimumWidth(140)
        drop = QLabel("也可以把表格文件直接拖到这个窗口里。")
        drop.setProperty("role", "hint")
        row = QHBoxLayout()
        row.addWidget(self.template_button)
        row.addWidget(self.choose_button)
        row.addStretch(1)
        self.start_close_button = QPushButton("关闭")
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.start_close_button)
        lay = QVBoxLayout(page)
        lay.addWidget(title)
        lay.addSpacing(6)
        lay.addWidget(steps)
        lay.addSpacing(12)
        lay.addLayout(row)
        lay.addWidget(drop)
        lay.addStretch(1)
        lay.addLayout(bottom)
        return page

    def _build_preview_page(self) -> QWidget:
        page = QWidget()
        self.file_label = QLabel()
        self.file_label.setObjectName("fileLabel")
        self.file_label.setWordWrap(True)
        self.rechoose_button = QPushButton("重新选择文件…")
        top = QHBoxLayout()
        top.addWidget(self.file_label, 1)
        top.addWidget(self.rechoose_button)
        self.blocked_label = QLabel()
        self.blocked_label.setObjectName("blockedLabel")
        self.blocked_label.setWordWrap(True)
        self.blocked_label.setStyleSheet(f"color: {BAD}; background: #fdecea; border: 1px solid #f1b5b0;"
                                         "border-radius: 4px; padding: 6px;")
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsLabel")
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("rowFilter")
        for text, mode in FILTERS:
            self.filter_combo.addItem(text, mode)
        counts = QHBoxLayout()
        counts.addWidget(self.counts_label, 1)
        counts.addWidget(QLabel("显示："))
        counts.addWidget(self.filter_combo)

        self.model = ImportPreviewModel(self)
        self.proxy = PreviewFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setObjectName("previewTable")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.mapping_bar = MappingBar(self.view)
        grid_box = QWidget()
        grid = QVBoxLayout(grid_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(self.mapping_bar)
        grid.addWidget(self.view, 1)

        self.problems_title = QLabel()
        self.problems_title.setObjectName("problemsTitle")
        self.problems_model = ProblemListModel(self)
        self.problems_view = QTableView()
        self.problems_view.setObjectName("problemList")
        self.problems_view.setModel(self.problems_model)
        self.problems_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.problems_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems_view.setWordWrap(False)
        self.problems_view.verticalHeader().hide()
        self.problems_view.verticalHeader().setDefaultSectionSize(24)
        self.problems_view.horizontalHeader().setStretchLastSection(True)
        self.problems_view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        for col, width in ((ProblemCol.KIND, 48), (ProblemCol.ROW, 48), (ProblemCol.COLUMN, 150),
                           (ProblemCol.VALUE, 190)):
            self.problems_view.setColumnWidth(col, width)
        self.problems_box = QWidget()
        problems = QVBoxLayout(self.problems_box)
        problems.setContentsMargins(0, 6, 0, 0)
        problems.setSpacing(4)
        problems.addWidget(self.problems_title)
        problems.addWidget(self.problems_view, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(grid_box)
        self.splitter.addWidget(self.problems_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

        self.detail_label = QLabel(ROW_HINT)
        self.detail_label.setObjectName("rowDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setMinimumHeight(40)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notices_label = QLabel()
        self.notices_label.setObjectName("notices")
        self.notices_label.setProperty("role", "hint")
        self.notices_label.setWordWrap(True)

        self.errors_button = QPushButton("保存错误标注表…")
        self.errors_button.setToolTip("把文件另存一份，出错的单元格标成红色并附上原因，方便改正后重新导入。")
        self.skip_invalid = QCheckBox("只导入无误的行")
        self.skip_invalid.setToolTip("有错误的行先不导入；改正后再导入这些行即可，已导入的行不会重复。")
        self.reason_label = QLabel()
        self.reason_label.setObjectName("reasonLabel")
        self.reason_label.setWordWrap(True)
        self.reason_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.import_button = QPushButton("导入")
        self.import_button.setMinimumWidth(120)
        self.preview_close_button = QPushButton("关闭")
        bottom = QHBoxLayout()
        bottom.addWidget(self.errors_button)
        bottom.addStretch(1)
        bottom.addWidget(self.skip_invalid)
        bottom.addSpacing(8)
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.preview_close_button)

        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.blocked_label)
        lay.addLayout(counts)
        lay.addWidget(self.splitter, 1)
        lay.addWidget(self.detail_label)
        lay.addWidget(self.notices_label)
        lay.addWidget(self.reason_label)
        lay.addLayout(bottom)
        return page

    def _build_result_page(self) -> QWidget:
        page = QWidget()
        self.result_title = QLabel()
        self.result_title.setProperty("role", "sectionTitle")
        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_notes = QLabel()
        self.result_notes.setProperty("role", "hint")
        self.result_notes.setWordWrap(True)
        self.result_errors_button = QPushButton("保存错误标注表…")
        self.again_button = QPushButton("再导入一个文件…")
        self.done_button = QPushButton("完成")
        self.done_button.setDefault(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.result_errors_button)
        bottom.addStretch(1)
        bottom.addWidget(self.again_button)
        bottom.addWidget(self.done_button)
        lay = QVBoxLayout(page)
        lay.addWidget(self.result_title)
        lay.addWidget(self.result_label)
        lay.addWidget(self.result_notes)
        lay.addStretch(1)
        lay.addLayout(bottom)
        return page

    def _connect_signals(self) -> None:
        self.template_button.clicked.connect(self._on_template_clicked)
        for button in (self.choose_button, self.rechoose_button, self.again_button):
            button.clicked.connect(self.choose_file)
        for button in (self.start_close_button, self.preview_close_button):
            button.clicked.connect(self.reject)
        self.done_button.clicked.connect(self.accept)
        self.errors_button.clicked.connect(self.save_error_workbook)
        self.result_errors_button.clicked.connect(self._on_result_errors_clicked)
        self.import_button.clicked.connect(self.commit)
        self.skip_invalid.toggled.connect(self._update_buttons)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.mapping_bar.mapping_changed.connect(self.set_mapping)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.problems_view.clicked.connect(self._on_problem_clicked)
        self.problems_view.activated.connect(self._on_problem_clicked)

    # ------------------------------------------------------------------ public API

    def current_page(self) -> int:
        return self.pages.currentIndex()

    def choose_file(self) -> None:
        start = str(self.path.parent) if self.path else Settings().get(LAST_FILE_DIR)
        path, _ = QFileDialog.getOpenFileName(self, f"选择要导入的{self.kind.noun}", start, FILE_FILTER)
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> jobs.Job:
        """Read and check the file in the background; the preview follows."""
        path = Path(path)
        self.path = path
        Settings().set(LAST_FILE_DIR, str(path.parent))
        api, kind = self.api, self.kind

        def work(ctx):
            preview = kind.op(api, "preview")(path, progress=ctx.progress)
            return preview, build_rows(preview)

        return self._check(work, f"正在读取并检查“{path.name}”…")

    def set_mapping(self, column_index: int, key: str | None) -> jobs.Job | None:
        """Import file column `column_index` as `key` (None: not at all) and check every row again."""
        if self.preview is None:
            return None
        mapping = self.preview.reassign(column_index, key)
        api, kind, preview = self.api, self.kind, self.preview

        def work(ctx):
            new = kind.op(api, "remap")(preview, mapping, progress=ctx.progress)
            return new, build_rows(new)

        return self._check(work, "正在按新的列对应关系重新检查…")

    def commit(self) -> jobs.Job | None:
        """导入: write the checked rows in one transaction (取消 rolls it back); the service backs up first."""
        if self.preview is None or not self.import_button.isEnabled():
            return None
        api, kind, preview, skip = self.api, self.kind, self.preview, self.skip_invalid.isChecked()

        def work(ctx):
            ctx.report(0, 0, "正在导入…")
            changed = kind.op(api, "commit")(preview, skip_invalid=skip, progress=ctx.progress)
            attach_error_workbook(changed.value, preview.table)   # the rows left out, marked, beside the file
            return changed                   # the runner publishes what the import changed

        self._set_busy(True)
        self.reason_label.setText("")
        self.job = jobs.run_with_progress(self, work, title=kind.title, text="正在导入…",
                                          on_done=self._on_committed, on_failed=self._on_job_failed,
                                          on_cancelled=self._on_commit_cancelled)
        return self.job

    def save_error_workbook(self) -> jobs.Job | None:
        """保存错误标注表…: the rows again, bad cells red with the reason, wherever the user says."""
        source = self.result if self.current_page() == RESULT and self.result is not None else self.preview
        if self.preview is None or self.preview.table is None or not source.errors:
            return None
        table = self.preview.table
        suggested = default_path(table.path)
        path, _ = QFileDialog.getSaveFileName(self, "保存错误标注表", str(suggested), "Excel 工作簿 (*.xlsx)")
        if not path:
            return None
        dest = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
        errors, warnings, notices = list(source.errors), list(source.warnings), list(source.notices)
        return jobs.run_with_progress(
            self, lambda ctx: write_error_workbook(table, errors, dest, warnings=warnings, notices=notices),
            title="保存错误标注表", text="正在保存错误标注表…", touches_db=False,
            on_done=self._on_error_workbook_saved)

    # ------------------------------------------------------------------ jobs

    def _check(self, work, text: str) -> jobs.Job:
        self._set_busy(True)
        self.job = jobs.run_with_progress(self, work, title=self.kind.title, text=text,
                                          on_done=self._on_checked, on_failed=self._on_job_failed,
                                          on_cancelled=self._on_check_cancelled)
        return self.job

    def _set_busy(self, busy: bool) -> None:
        for w in (self.mapping_bar, self.import_button, self.skip_invalid, self.errors_button,
                  self.rechoose_button, self.choose_button):
            w.setEnabled(not busy)
        if not busy:
            self._update_buttons()

    def _on_checked(self, outcome) -> None:
        self.job = None
        preview, rows = outcome
        self.preview, self._rows, self.result = preview, rows, None
        self._show_preview()
        self._set_busy(False)

    def _on_job_failed(self, exc: BaseException) -> None:
        self.job = None
        self._set_busy(False)
        if self.preview is not None:
            self.mapping_bar.set_preview(self.preview)       # put the combos back as they were
        show_error(self, exc)

    def _on_check_cancelled(self) -> None:
        self.job = None
        self._set_busy(False)
        if self.preview is not None:
            self.mapping_bar.set_preview(self.preview)

    def _on_commit_cancelled(self) -> None:
        self.job = None
        self._set_busy(False)
        self.reason_label.setText(f'<span style="color:{WARN}">已取消导入，数据未作任何更改。</span>')

    def _on_committed(self, result) -> None:
        self.job = None
        self.result = result
        self._set_busy(False)
        head, text = result_text(self.kind, result, result.backup)
        self.result_title.setText(head)
        self.result_label.setText(text)
        self.result_notes.setText("\n".join(result.outcome_notices))
        self.result_errors_button.setVisible(bool(result.errors))
        self.result_errors_button.setText("打开错误标注表" if result.error_workbook else "保存错误标注表…")
        self.pages.setCurrentIndex(RESULT)
        self.done_button.setFocus()
        if result.written:
            self.imported.emit(result)

    def _on_result_errors_clicked(self) -> None:
        if self.result is not None and self.result.error_workbook is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.error_workbook)))
        else:
            self.save_error_workbook()

    def _on_error_workbook_saved(self, path: Path) -> None:
        answer = QMessageBox.question(
            self, "已保存错误标注表",
            f"已保存：{path}\n\n出错的单元格标成了红色，旁边注明了原因。请在原文件中改正后重新导入。\n\n要现在打开它吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # ------------------------------------------------------------------ showing a preview

    def _show_preview(self) -> None:
        preview = self.preview
        header = "、".join(str(r) for r in preview.header_rows)
        self.file_label.setText(f"文件：<b>{preview.path.name}</b>　工作表“{preview.sheet}”　表头在第 {header} 行")
        self.file_label.setToolTip(str(preview.path))
        self.blocked_label.setText(
            (preview.blocked + "\n请在表格上方的下拉框中，为相应的列选择它对应的项目。") if preview.blocked else "")
        self.blocked_label.setVisible(bool(preview.blocked))
        self.counts_label.setText(self.kind.counts_html(preview, self._rows))
        self.notices_label.setText("；".join(preview.notices))
        self.notices_label.setVisible(bool(preview.notices))
        self.model.set_preview(preview, self._rows)
        self._size_columns()
        self.mapping_bar.set_preview(preview)
        self.skip_invalid.setText(f"只导入无误的行（跳过有错误的 {self._error_rows()} 行）")
        self.skip_invalid.setVisible(bool(preview.errors))
        if not preview.errors:
            self.skip_invalid.setChecked(False)
        self.problems_model.set_problems(preview.errors, preview.warnings)
        n_err, n_warn = len(preview.errors), len(preview.warnings)
        self.problems_title.setText(
            f"问题清单：<span style='color:{BAD}'>错误 <b>{n_err}</b> 处</span>"
            + (f"，<span style='color:{WARN}'>提醒 {n_warn} 处</span>" if n_warn else "")
            + "　（点一条可在上面的表格中找到它）")
        self.problems_box.setVisible(bool(n_err or n_warn))
        self.detail_label.setText(ROW_HINT)
        self._grow_for_preview()
        self.pages.setCurrentIndex(PREVIEW)
        self._select_first_error()

    def _grow_for_preview(self) -> None:
        """The start page is small; the preview wants room (within the screen)."""
        wanted = fit_size(self, 1180, 720)
        if self.width() < wanted.width() or self.height() < wanted.height():
            self.resize(max(self.width(), wanted.width()), max(self.height(), wanted.height()))
            if self.parentWidget() is not None:
                centre = self.parentWidget().window().frameGeometry().center()
                self.move(centre.x() - self.width() // 2, centre.y() - self.height() // 2)
            keep_on_screen(self)

    def _error_rows(self) -> int:
        return sum(1 for r in self._rows if r.has_error)

    def _size_columns(self) -> None:
        fm = self.view.fontMetrics()
        view = self.view
        view.setColumnWidth(0, 56)
        longest_action = max((fm.horizontalAdvance(r.action_text) for r in self._rows[:500]), default=40)
        view.setColumnWidth(1, max(84, min(200, longest_action + 24)))
        labels = dict(self.preview.field_choices)
        for i, col in enumerate(self.preview.columns):
            texts = [f"{col.letter} 列", col.header, labels.get(col.field or "", "（不导入）") + "（必填）"]
            want = max(fm.horizontalAdvance(t) for t in texts) + 40
            sample = max((fm.horizontalAdvance(r.cells[i]) for r in self._rows[:50]), default=0) + 16
            view.setColumnWidth(LEAD_COLUMNS + i, max(96, min(240, max(want, sample))))
        self.view.horizontalHeader().setStretchLastSection(False)

    def _select_first_error(self) -> None:
        first = next((i for i, r in enumerate(self._rows) if r.has_error), None)
        if first is None:
            self.view.clearSelection()
            return
        index = self.proxy.mapFromSource(self.model.index(first, 0))
        if index.isValid():
            # current (the row's problems show below) but not selected: the selection colour
            # would hide the red cells the user should see first
            self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def show_problem(self, problem) -> None:
        """Scroll the preview to the problem's cell and make it current."""
        source_row = self.model.row_for(problem.row)
        if source_row is None:
            return
        column = self.model.column_for(problem.letter) if problem.letter else None
        if not self.proxy.filterAcceptsRow(source_row, QModelIndex()):
            self.filter_combo.setCurrentIndex(0)
        index = self.proxy.mapFromSource(self.model.index(source_row, column if column is not None else 1))
        if index.isValid():
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _on_problem_clicked(self, index) -> None:
        problem = index.data(ProblemListModel.ROW_ROLE) if index.isValid() else None
        if problem is not None:
            self.show_problem(problem)

    def _update_buttons(self, *args) -> None:
        preview = self.preview
        if preview is None:
            return
        has_errors = bool(preview.errors)
        self.errors_button.setEnabled(has_errors and self.job is None)
        self.errors_button.setVisible(has_errors)
        skip = self.skip_invalid.isChecked()
        blocker = preview.blocker(skip)
        reason = "" if blocker is None else blocker.message
        if blocker is not None and blocker.kind == "errors":
            reason += "：请改正后重新选择文件，或勾选下方的“只导入无误的行”。"
        self.import_button.setEnabled(not reason and self.job is None)
        self.reason_label.setText(f'<span style="color:{BAD if has_errors and not skip else "#444"}">{reason}</span>'
                                  if reason else "")
        if self.kind.key == "roster":
            parts = [f"新增 {preview.count('add')} 人" if preview.count("add") else "",
                     f"更新 {preview.count('update')} 人" if preview.count("update") else ""]
        else:
            parts = [f"新增 {preview.count('add')} 条" if preview.count("add") else ""]
        detail = "，".join(p for p in parts if p)
        self.import_button.setText(f"导入（{detail}）" if detail and not reason else "导入")

    def _on_filter_changed(self, _i: int) -> None:
        self.proxy.set_mode(self.filter_combo.currentData())

    def _on_current_row_changed(self, current, _previous) -> None:
        row = current.data(ImportPreviewModel.ROW_ROLE) if current.isValid() else None
        if row is None:
            self.detail_label.setText(ROW_HINT)
            return
        lines = row.messages()
        if not lines:
            lines = [row.note or f"第 {row.row} 行没有问题，将{row.action_text}。"]
        elif row.note and not row.has_error:
            lines.insert(0, row.note)
        self.detail_label.setText("\n".join(lines[:6]) + (f"\n……共 {len(lines)} 条" if len(lines) > 6 else ""))

    def _on_template_clicked(self) -> None:
        download_template(self, self.api, self.kind.key)

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event) is not None and self.job is None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event)
        if path is None or self.job is not None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.load(path)

    @staticmethod
    def _dropped_file(event) -> Path | None:
        data = event.mimeData()
        if not data.hasUrls():
            return None
        files = [Path(u.toLocalFile()) for u in data.urls() if u.isLocalFile()]
        return files[0] if len(files) == 1 and files[0].suffix.lower() in SUFFIXES else None

