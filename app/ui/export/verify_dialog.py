"""核验报送包: check one or many bundles (folders or .zip) and say, in plain words, what is wrong.

For district reviewers as much as for schools (文件 › 核验报送包…). Nothing is
written: `verify_path` only reads. Bundles are added with buttons or by
dragging folders and zip files onto the dialog; the optional registered key
(a .pub file, an RW… line or a fingerprint) checks the signature against the
district's register instead of the key the bundle carries.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QSplitter, QTableView, QTextBrowser, QVBoxLayout, QWidget)

from app.errors import AppError, CancelledError
from app.services.bundle.verify import BagReport, RegisteredKey, verify_path
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.export.common import LAST_VERIFY_DIR, remember_dir, remembered_dir
from app.ui.export.verify_report import VerifyRow, VerifyTableModel, report_html, summary_text
from app.ui.widgets.table_model import RowTableModel
from app.ui.widgets.screen_fit import resize_to_screen

class _Prefixed:
    """A Progress for one bundle of several: same cancel, text prefixed with which one."""

    def __init__(self, inner, prefix: str) -> None:
        self.inner, self.prefix = inner, prefix

    @property
    def cancelled(self) -> bool:
        return self.inner.cancelled

    def check(self) -> None:
        self.inner.check()

    def report(self, done: int, total: int, text: str = "", *, force: bool = False) -> None:
        self.inner.report(done, total, f"{self.prefix}{text}", force=force)


def verify_many(paths: list[str], key: RegisteredKey | None, progress) -> list[BagReport]:
    """Runs on a worker: one report per path; an unreadable path is a failed report, not an error."""
    reports = []
    for n, path in enumerate(paths, 1):
        progress.check()
        name = Path(path).name or path
        try:
            report = verify_path(path, key, _Prefixed(progress, f"第 {n} / {len(paths)} 个（{name}）："))
        except CancelledError:
            raise
        except AppError as exc:               # e.g. the stick was pulled: report it, go on with the others
            report = BagReport(path=str(path))
            report.errors.append(exc.user_message)
        reports.append(report)
    return reports


class VerifyDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, paths: list[str] | None = None) -> None:
        super().__init__(parent)
        self.job: jobs.Job | None = None
        self.setWindowTitle("核验报送包")
        self.setAcceptDrops(True)
        self._build_ui()
        self._connect_signals()
        if paths:
            self.add_paths(paths)
        self._update_buttons()

    def _build_ui(self) -> None:
        intro = QLabel("检查报送包是否完整、封存后是否被改动、签名是否有效。可以一次核验多个报送包（文件夹或 .zip 文件），"
                       "也可以把它们直接拖到这个窗口里。核验只读取文件，不会改动报送包。")
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.add_folder_button = QPushButton("添加报送包文件夹…")
        self.add_zip_button = QPushButton("添加 zip 文件…")
        self.remove_button = QPushButton("移除")
        self.verify_button = QPushButton("开始核验")
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setDefault(True)
        buttons = QHBoxLayout()
        for b in (self.add_folder_button, self.add_zip_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.verify_button)
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("registeredKey")
        self.key_edit.setPlaceholderText("可不填。区县登记的公钥文件（.pub）、RW 开头的公钥，或公钥指纹（如 3F2A-91C0-…）")
        self.key_edit.setClearButtonEnabled(True)
        self.key_button = QPushButton("选择公钥文件…")
        key_row = QHBoxLayout()
        key_row.addWidget(QLabel("登记的公钥："))
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_button)
        self.model = VerifyTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("verifyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, col in enumerate(self.model.COLUMNS):
            self.table.setColumnWidth(i, col.width)
        self.details = QTextBrowser()
        self.details.setObjectName("verifyDetails")
        self.details.setOpenLinks(False)
        self.details.setPlaceholderText("添加报送包后点“开始核验”。选中一行，这里显示该报送包的核验结果。")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setSizes([170, 380])
        self.summary = QLabel()
        self.summary.setObjectName("verifySummary")
        self.close_button = QPushButton("关闭")
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(buttons)
        lay.addLayout(key_row)
        lay.addWidget(split, 1)
        lay.addLayout(bottom)
        resize_to_screen(self, 900, 640)

    def _connect_signals(self) -> None:
        self.add_folder_button.clicked.connect(self._on_add_folder_clicked)
        self.add_zip_button.clicked.connect(self._on_add_zip_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.verify_button.clicked.connect(self.start_verify)
        self.key_button.clicked.connect(self._on_key_clicked)
        self.close_button.clicked.connect(self.close)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())

    # ---- public API

    def rows(self) -> list[VerifyRow]:
        return self.model.rows()

    def add_paths(self, paths: list[str]) -> None:
        known = {r.path for r in self.rows()}
        new = [VerifyRow(str(Path(p))) for p in paths if str(Path(p)) not in known]
        if new:
            self.model.set_rows(self.rows() + new)
            self._select(new[-1].path)
        self._update_buttons()

    def start_verify(self) -> None:
        """Verify every bundle in the list (again), as a job with progress and 取消."""
        paths = [r.path for r in self.rows()]
        if not paths or self.job is not None:
            return
        text = self.key_edit.text().strip()
        self.model.set_rows([VerifyRow(p, None, True) for p in paths])
        self.summary.setText("正在核验…")
        self._update_buttons()

        def work(ctx) -> list[BagReport]:
            key = RegisteredKey.parse(text) if text else None     # may read a .pub file
            return verify_many(paths, key, ctx.progress)

        self.job = jobs.run_with_progress(self, work, title="核验报送包", text="正在核验报送包…", touches_db=False,
                                          on_done=self._on_verified, on_failed=self._on_verify_failed,
                                          on_cancelled=self._on_verify_cancelled)
        self._update_buttons()

    # ---- slots

    def _on_verified(self, reports: list[BagReport]) -> None:
        self.job = None
        by_path = {r.path: r for r in reports}
        current = self._current_path()
        self.model.set_rows([VerifyRow(r.path, by_path.get(r.path)) for r in self.rows()])
        self.summary.setText(summary_text(self.rows()))
        failed = [r for r in self.rows() if r.report is not None and not r.report.ok]
        self._select(failed[0].path if failed else (current or (self.rows()[0].path if self.rows() else "")))
        self._update_buttons()

    def _on_verify_failed(self, exc: BaseException) -> None:
        self._reset_running()
        show_error(self, exc)

    def _on_verify_cancelled(self) -> None:
        self._reset_running()
        self.summary.setText("已取消核验。")

    def _reset_running(self) -> None:
        self.job = None
        self.model.set_rows([replace(r, running=False) for r in self.rows()])
        self.summary.setText("")
        self._update_buttons()

    def _on_add_folder_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择报送包文件夹（含 bagit.txt 的那一层）",
                                                  remembered_dir(LAST_VERIFY_DIR))
        if folder:
            remember_dir(Path(folder).parent, LAST_VERIFY_DIR)
            self.add_paths([folder])

    def _on_add_zip_clicked(self) -> None:
        files, _f = QFileDialog.getOpenFileNames(self, "选择报送包 zip 文件", remembered_dir(LAST_VERIFY_DIR),
                                                 "zip 压缩包 (*.zip);;所有文件 (*)")
        if files:
            remember_dir(Path(files[0]).parent, LAST_VERIFY_DIR)
            self.add_paths(files)

    def _on_remove_clicked(self) -> None:
        path = self._current_path()
        if path and self.job is None:
            self.model.set_rows([r for r in self.rows() if r.path != path])
            self._show_current()
            self._update_buttons()

    def _on_key_clicked(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, "选择区县登记的学校公钥文件", remembered_dir(LAST_VERIFY_DIR),
                                               "minisign 公钥 (*.pub);;所有文件 (*)")
        if path:
            self.key_edit.setText(path)

    # ---- helpers

    def _current_path(self) -> str:
        index = self.table.selectionModel().currentIndex()
        row = index.data(RowTableModel.ROW_ROLE) if index.isValid() else None
        return row.path if row is not None else ""

    def _select(self, path: str) -> None:
        pos = self.model.position_of(path) if path else None
        if pos is not None:
            self.table.selectRow(pos)
        self._show_current()

    def _show_current(self) -> None:
        index = self.table.selectionModel().currentIndex()
        row = index.data(RowTableModel.ROW_ROLE) if index.isValid() else None
        if row is None:
            self.details.clear()
        elif row.report is None:
            self.details.setHtml(f"<p>{'正在核验…' if row.running else '尚未核验。请点“开始核验”。'}</p>")
        else:
            self.details.setHtml(report_html(row.report))

    def _update_buttons(self) -> None:
        idle = self.job is None
        has_rows = bool(self.rows())
        self.verify_button.setEnabled(idle and has_rows)
        self.remove_button.setEnabled(idle and has_rows)
        self.add_folder_button.setEnabled(idle)
        self.add_zip_button.setEnabled(idle)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def done(self, result: int) -> None:
        if self.job is not None:
            self.job.cancel()
        super().done(result)


def open_verify_dialog(parent: QWidget | None, paths: list[str] | None = None) -> VerifyDialog:
    """Show the dialog (not modal: a reviewer may keep it open beside the paper forms)."""
    dialog = VerifyDialog(parent, paths)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog
