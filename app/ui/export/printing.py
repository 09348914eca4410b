"""Printing a PDF through Qt: the print dialog, then every page rasterised and painted on the QPrinter.

There is no QtPdf in PySide6-Essentials, so pages are rendered by
`app.services.forms.api.render_pages` (pypdfium2, at 300 dpi) on a worker
thread and painted here, on the UI thread, one page at a time. A semaphore
keeps at most two rendered pages (≈35 MB each) in flight, so a 200-page set
prints in constant memory. 取消 in the progress dialog aborts the print job.

    ask_and_print(parent, pdf_path, page_count)      # QPrintDialog, then print; None if the user cancels
    print_pdf(parent, printer, pdf_path, page_count)  # print on an already configured QPrinter (tests: PdfFormat)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QDialog, QWidget

from app.errors import StorageError
from app.services.forms.api import PageImage, render_pages
from app.ui import jobs
from app.ui.settings import Key, Settings

log = logging.getLogger(__name__)

LAST_PRINTER = Key("printing/last_printer", "")
PRINT_DPI = 300
_RUNNING: set["_PrintRun"] = set()


def make_printer() -> QPrinter:
    """A4 portrait, full page (the PDF carries its own margins), on the printer used last time."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    name = Settings().get(LAST_PRINTER)
    if name and name in QPrinterInfo.availablePrinterNames():
        printer.setPrinterName(name)
    return printer


def page_indices(printer: QPrinter, pages: int) -> list[int]:
    """0-based pages to print: the range chosen in the print dialog, else all."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(pages, printer.toPage() if printer.toPage() > 0 else pages)
        return list(range(first - 1, last))
    return list(range(pages))


def ask_and_print(parent: QWidget | None, pdf: Path, pages: int, *, doc_name: str = "签字确认表",
                  on_done: Callable[[int], None] | None = None) -> jobs.Job | None:
    """Show the print dialog (the system's own on Windows); print if the user presses 打印."""
    printer = make_printer()
    printer.setDocName(doc_name)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("打印")
    dialog.setMinMax(1, max(1, pages))
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    if printer.outputFormat() == QPrinter.OutputFormat.NativeFormat and printer.printerName():
        Settings().set(LAST_PRINTER, printer.printerName())
    return print_pdf(parent, printer, pdf, pages, on_done=on_done)


class _PrintRun(QObject):
    """Paints pages on the UI thread as the worker renders them."""

    page_ready = Signal(object)          # PageImage, emitted from the worker, delivered queued

    def __init__(self, printer: QPrinter) -> None:
        super().__init__()
        self.printer = printer
        self.painter = QPainter()
        self.gate = threading.Semaphore(2)
        self.painted = 0
        self.page_ready.connect(self._on_page_ready, Qt.ConnectionType.QueuedConnection)

    def begin(self) -> bool:
        return self.painter.begin(self.printer)

    @Slot(object)
    def _on_page_ready(self, page: PageImage) -> None:
        try:
            if not self.painter.isActive():
                return
            if self.painted and not self.printer.newPage():
                raise StorageError("打印机没有接受新的一页（可能已缺纸、离线或被取消）。")
            image = QImage(page.data, page.width, page.height, page.stride, QImage.Format.Format_RGBA8888)
            paper = QRectF(self.painter.viewport())
            scale = min(paper.width() / page.width, paper.height() / page.height)
            w, h = page.width * scale, page.height * scale
            target = QRectF(paper.x() + (paper.width() - w) / 2, paper.y() + (paper.height() - h) / 2, w, h)
            self.painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            self.painter.drawImage(target, image)
            self.painted += 1
        finally:
            self.gate.release()

    def finish(self, abort: bool = False) -> None:
        if abort:
            self.printer.abort()
        if self.painter.isActive():
            self.painter.end()
        _RUNNING.discard(self)


def print_pdf(parent: QWidget | None, printer: QPrinter, pdf: Path, pages: int, *,
              on_done: Callable[[int], None] | None = None) -> jobs.Job | None:
    """Print the PDF's pages (the printer's page range, its copies) as a job with progress."""
    indices = page_indices(printer, pages)
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    sequence = [i for _ in range(copies) for i in indices] if printer.collateCopies() else \
        [i for i in indices for _ in range(copies)]
    run = _PrintRun(printer)
    if not sequence or not run.begin():
        from app.ui.errors import show_error
        show_error(parent, StorageError("无法开始打印：打印机不可用，或没有可打印的页。请检查打印机是否已连接并开机。"))
        return None
    _RUNNING.add(run)
    dpi = min(PRINT_DPI, max(72, printer.resolution()))
    total = len(sequence)

    def work(ctx) -> int:
        for k, index in enumerate(sequence):
            while not run.gate.acquire(timeout=0.1):
                ctx.check()
            ctx.report(k, total, f"正在打印第 {k + 1} / {total} 页…")
            images = render_pages(pdf, dpi, first=index, count=1)
            if not images:
                run.gate.release()
                continue
            run.page_ready.emit(images[0])
        # wait until the UI thread has painted the last pages (both permits back)
        for _ in range(2):
            while not run.gate.acquire(timeout=0.1):
                ctx.check()
        ctx.report(total, total, "正在发送到打印机…")
        return total

    def done(n: int) -> None:
        run.finish()
        if on_done is not None:
            on_done(run.painted)

    def failed(exc: BaseException) -> None:
        run.finish(abort=True)
        from app.ui.errors import show_error
        show_error(parent, exc)

    def cancelled() -> None:
        run.finish(abort=True)
        jobs._status_note(parent, "已取消打印。")

    return jobs.run_with_progress(parent, work, title="打印", text="正在准备打印…", touches_db=False,
                                  on_done=done, on_failed=failed, on_cancelled=cancelled)
