"""打印预览 of a sign-off PDF: the pages, scrollable and zoomable, with 打印…, 另存为 PDF… and 用其他程序打开.

    dialog = FormsPreviewDialog(pdf_path, parent, title="签字确认表", temporary=True)
    dialog.show()

A temporary PDF (made just for this preview) is deleted when the dialog closes; closing first
waits for a 另存为 PDF still copying it (and stops a print), so the saved copy is whole.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from app.errors import StorageError
from app.services.fileio import copy_verified
from app.services.forms.api import page_count
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.export.common import remember_dir, remembered_dir, status_note
from app.ui.export.page_view import PageView
from app.ui.export.printing import ask_and_print
from app.ui.widgets.screen_fit import resize_to_screen

log = logging.getLogger(__name__)

ZOOMS = (("适应宽度", None), ("50%", 0.5), ("75%", 0.75), ("100%", 1.0), ("125%", 1.25), ("150%", 1.5))


class FormsPreviewDialog(QDialog):
    def __init__(self, pdf: Path, parent: QWidget | None = None, *, title: str = "签字确认表",
                 temporary: bool = False, save_name: str = "", note: str = "", pages: int | None = None) -> None:
        super().__init__(parent)
        self.pdf = Path(pdf)
        self.temporary = temporary
        self.save_name = save_name or self.pdf.name
        self.doc_title = title
        self.pages = pages or 0            # counted in the background when the caller does not know
        self.print_job: jobs.Job | None = None
        self.save_job: jobs.Job | None = None
        self.saved_to: Path | None = None
        self.count_job: jobs.Job | None = None
        self._closing = False
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle(f"打印预览 — {title}")
        self._build_ui(note)
        self._connect_signals()
        if pages is None:
            pdf = self.pdf
            self.count_job = jobs.run_in_background(self, lambda ctx: page_count(pdf), on_done=self._show_document,
                                                    on_failed=lambda exc: show_error(self, exc), touches_db=False)
        else:
            self._show_document(pages)

    def _show_document(self, pages: int) -> None:
        self.count_job = None
        self.pages = pages
        self.view.set_document(self.pdf, self.pages)
        self._on_view_page_changed(0)

    def _build_ui(self, note: str) -> None:
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("printButton")
        self.print_button.setShortcut(QKeySequence.StandardKey.Print)
        self.print_button.setDefault(True)
        self.save_button = QPushButton("另存为 PDF…")
        self.save_button.setObjectName("savePdfButton")
        self.open_button = QPushButton("用其他程序打开")
        self.open_button.setToolTip("用电脑上的 PDF 阅读器（如 Edge、WPS）打开这份表")
        self.zoom = QComboBox()
        self.zoom.setObjectName("zoom")
        for text, _value in ZOOMS:
            self.zoom.addItem(text)
        self.page_label = QLabel()
        self.page_label.setObjectName("pageLabel")
        self.close_button = QPushButton("关闭")
        top = QHBoxLayout()
        for w in (self.print_button, self.save_button, self.open_button):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(QLabel("缩放："))
        top.addWidget(self.zoom)
        top.addSpacing(12)
        top.addWidget(self.page_label)
        top.addSpacing(12)
        top.addWidget(self.close_button)
        self.note = QLabel(note)
        self.note.setObjectName("previewNote")
        self.note.setProperty("role", "hint")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        self.view = PageView()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        lay.addLayout(top)
        lay.addWidget(self.note)
        lay.addWidget(self.view, 1)
        resize_to_screen(self, 900, 760)

    def _connect_signals(self) -> None:
        self.print_button.clicked.connect(self._on_print_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.close_button.clicked.connect(self.close)
        self.zoom.currentIndexChanged.connect(self._on_zoom_changed)
        self.view.current_page_changed.connect(self._on_view_page_changed)

    def _on_view_page_changed(self, index: int) -> None:
        self.page_label.setText(f"第 {index + 1} / {self.pages} 页" if self.pages else "没有页面")

    def _on_zoom_changed(self, index: int) -> None:
        self.view.set_zoom(ZOOMS[index][1])

    def _on_print_clicked(self) -> None:
        if self.print_job is not None:
            return

        def done(painted: int) -> None:
            self.print_job = None
            status_note(self.parentWidget(), f"已发送到打印机：{painted} 页。")

        self.print_job = ask_and_print(self, self.pdf, self.pages, doc_name=self.doc_title, on_done=done)
        if self.print_job is not None:
            self.print_job.signals.failed.connect(lambda _e: setattr(self, "print_job", None))
            self.print_job.signals.cancelled.connect(lambda: setattr(self, "print_job", None))

    def _on_save_clicked(self) -> None:
        start = str(Path(remembered_dir()) / self.save_name)
        path, _filter = QFileDialog.getSaveFileName(self, "另存为 PDF", start, "PDF 文件 (*.pdf)")
        if not path:
            return
        dest = Path(path)
        if dest.suffix.lower() != ".pdf":
            dest = dest.with_name(dest.name + ".pdf")
        remember_dir(dest)
        pdf = self.pdf

        def work(ctx) -> Path:
            if dest.resolve() != pdf.resolve():
                copy_verified(pdf, dest)      # temp name, fsynced, renamed: a pulled stick leaves no half PDF
            return dest

        def done(saved: Path) -> None:
            self.save_job = None
            self.saved_to = saved
            status_note(self.parentWidget(), f"已另存为：{saved}")
            if not self._closing:             # closing waited for it: the status bar says so
                QMessageBox.information(self, "另存为 PDF", f"已保存：\n{saved}")

        def failed(exc: BaseException) -> None:
            self.save_job = None
            show_error(self, exc)

        self.save_job = jobs.run_with_progress(self, work, title="另存为 PDF", text="正在保存 PDF…", touches_db=False,
                                               on_done=done, on_failed=failed, cancellable=False)

    def _on_open_clicked(self) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.pdf))):
            show_error(self, StorageError("这台电脑上没有可以打开 PDF 的程序。请使用“打印…”或“另存为 PDF…”。"))

    def done(self, result: int) -> None:
        """Every way of closing (关闭, Esc, the window's ×) ends here."""
        if self._closing:
            return
        self._closing = True
        # The jobs below read the PDF this closing deletes, and report to this dialog: a save
        # being copied is finished (it cannot be cancelled halfway and the user asked for it),
        # a print and a page count are stopped; each is waited for before anything is deleted.
        if self.save_job is not None:
            jobs.wait_for(self.save_job, 120000)
        for job in (self.print_job, self.count_job):
            if job is not None:
                job.cancel()
                jobs.wait_for(job, 15000)
        self.view.close_document()
        if self.temporary:
            try:
                self.pdf.unlink(missing_ok=True)
            except OSError:
                log.info("temporary preview %s still in use; left for the next clean-up", self.pdf)
        super().done(result)
