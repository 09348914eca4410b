"""Small helpers the part-2 pages share: run a job, show an error, ask a question.

They delegate to the shell's Job runner (`app.ui.jobs`) and error display
(`app.ui.errors.show_error`), so every page reports progress and errors the
same way. Questions go through `ask()` so tests can answer them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.progress import Progress

log = logging.getLogger(__name__)


def show_error(parent: QWidget, exc: BaseException) -> None:
    try:
        from app.ui.errors import show_error as shell_show_error
    except ImportError:
        from app.errors import AppError
        if isinstance(exc, AppError):
            QMessageBox.warning(parent, "无法完成", exc.full_message())
        else:
            log.error("Unexpected error", exc_info=exc)
            QMessageBox.critical(parent, "意外错误", f"出现意外错误：{exc}")
        return
    shell_show_error(parent, exc)


def run(parent: QWidget, fn: Callable[[Progress], Any], on_done: Callable[[Any], None] | None = None, *,
        title: str | None = None, touches_db: bool = True, cancellable: bool = False,
        on_failed: Callable[[BaseException], None] | None = None) -> Any:
    """Run fn(progress) as a background job; on_done(result) runs on the GUI thread.

    With a title, a progress dialog appears if the job takes more than half a second.
    """
    return _start_local(parent, fn, on_done, title=title, touches_db=touches_db, cancellable=cancellable,
                        on_failed=on_failed or (lambda exc: show_error(parent, exc)))


# --- temporary local runner until the shell's app.ui.jobs lands -------------------------------
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot  # noqa: E402
from PySide6.QtWidgets import QProgressDialog  # noqa: E402

from app.errors import CancelledError  # noqa: E402

_DB_POOL = QThreadPool()
_DB_POOL.setMaxThreadCount(1)
_LIVE: set = set()


class _Signals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class _Job(QRunnable):
    def __init__(self, fn):
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _Signals()
        self.fn = fn
        self.progress = Progress(lambda d, t, txt: self.signals.progress.emit(d, t, txt))

    def run(self):
        try:
            result = self.fn(self.progress)
        except CancelledError:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - reported through failed
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


class _Relay(QObject):
    """Lives on the GUI thread, so the worker's signals reach the callbacks there (queued)."""

    def __init__(self, job, on_done, on_failed, dlg):
        super().__init__()
        self.job, self.on_done, self.on_failed, self.dlg = job, on_done, on_failed, dlg
        job.signals.finished.connect(self.finished)
        job.signals.failed.connect(self.failed)
        job.signals.cancelled.connect(self.cancelled)
        job.signals.progress.connect(self.progressed)

    def _end(self):
        _LIVE.discard(self)
        if self.dlg is not None:
            self.dlg.reset()
            self.dlg.deleteLater()
            self.dlg = None

    @Slot(object)
    def finished(self, result):
        self._end()
        if self.on_done is not None:
            self.on_done(result)

    @Slot(object)
    def failed(self, exc):
        self._end()
        self.on_failed(exc)

    @Slot()
    def cancelled(self):
        self._end()

    @Slot(int, int, str)
    def progressed(self, done, total, text):
        if self.dlg is not None:
            self.dlg.setMaximum(total)
            self.dlg.setValue(done)
            if text:
                self.dlg.setLabelText(text)


def _start_local(parent, fn, on_done, *, title, touches_db, cancellable, on_failed):
    job = _Job(fn)
    dlg = None
    if title:
        dlg = QProgressDialog(title, "取消", 0, 0, parent)
        if not cancellable:
            dlg.setCancelButton(None)
        dlg.setWindowTitle(title)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(500)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(job.progress.cancel)
    relay = _Relay(job, on_done, on_failed, dlg)
    _LIVE.add(relay)
    (_DB_POOL if touches_db else QThreadPool.globalInstance()).start(job)
    return job


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A 是/否 question; 否 is the default so Enter never destroys anything."""
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def inform(parent: QWidget, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)
