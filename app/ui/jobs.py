"""Background jobs: run slow work off the UI thread, with progress and a Cancel that rolls back.

The one way from a widget to the data (every read and write, and anything slow: import,
export, PDF, backup, verify). A worker function receives a `JobContext` and returns a
value; it never touches widgets. Results come back on the UI thread. Widgets call the
services only here, through their facades (app.ui.facades; tests/test_layering.py checks).

    from app.ui.jobs import run_with_progress, run_in_background

    def work(ctx):                                   # runs on a worker thread
        return self.api.importing.commit_roster(preview, progress=ctx.progress)   # services take a Progress

    run_with_progress(self, work, title="导入教师名单",
                      on_done=lambda summary: self._show_summary(summary))

    run_in_background(self, lambda ctx: self.api.dashboard.load_dashboard(), on_done=self._fill)   # no dialog

* `ctx.progress` is an `app.services.progress.Progress`: pass it to services.
  The dialog's 取消 button calls `ctx.cancel()`; the service's next
  `progress.check()`/`report()` raises `CancelledError` and its transaction
  rolls back. The job then ends with `on_cancelled` (default: a status-bar
  note "已取消，数据未作任何更改").
* Any other exception goes to `on_failed` (default: `errors.show_error`, so an
  AppError is a Chinese message box and anything else is logged).
* A work function that returns `Changed(value, changes)` (every facade write does) has
  its topics published on the window's event bus before `on_done(value)` runs, so the
  pages that show them reload; callers never list topics themselves.
* `touches_db=True` (the default) runs on one serial lane, so two database
  jobs never interleave; pure file/CPU work (`touches_db=False`) uses Qt's
  global pool.
* The dialog appears only after `min_duration_ms` (500), so quick jobs never
  flash it. It is window-modal: the window keeps repainting meanwhile.
* A job whose parent widget was deleted meanwhile (its window closed) still ends
  and leaves `active_jobs()`; its callbacks are skipped (they would touch deleted
  widgets) and a failure is logged. A window that needs a job's result waits for it
  (`wait_for(job)`) before it closes.
* `active_jobs()`, `wait_idle()`, `wait_for()` and `cancel_all()` serve shutdown, tests and
  the screenshot mode.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QWidget

from app.errors import CancelledError
from app.services.progress import Progress
from app.ui.changes import Changed

log = logging.getLogger(__name__)

WorkFn = Callable[["JobContext"], Any]


class JobSignals(QObject):
    """Emitted from the worker thread; delivered queued to the UI thread."""

    progress = Signal(int, int, str)     # done, total, text
    finished = Signal(object)            # the work function's return value
    failed = Signal(object)              # the exception
    cancelled = Signal()


class JobContext:
    """What a worker function gets: a Progress to hand to services, plus shortcuts."""

    def __init__(self, signals: JobSignals) -> None:
        self.progress = Progress(lambda d, t, text: signals.progress.emit(d, t, text), min_interval=0.1)

    def cancel(self) -> None:
        self.progress.cancel()

    @property
    def cancelled(self) -> bool:
        return self.progress.cancelled

    def check(self) -> None:
        """Raise CancelledError if the user pressed 取消."""
        self.progress.check()

    def report(self, done: int, total: int, text: str = "") -> None:
        """Throttled progress report; also a cancellation point."""
        self.progress.report(done, total, text)


class Job:
    """A unit of background work. Prefer `run_with_progress`/`run_in_background` to building one."""

    def __init__(self, fn: WorkFn, *, touches_db: bool = True, title: str = "") -> None:
        self.fn, self.touches_db, self.title = fn, touches_db, title
        self.signals = JobSignals()
        self.ctx = JobContext(self.signals)
        self.dialog = None               # the JobProgressDialog while the job runs (None once over)
        self.outcome: str | None = None  # "finished" / "failed" / "cancelled" once over

    def run(self) -> None:
        """Runs on a worker thread."""
        try:
            result = self.fn(self.ctx)
        except CancelledError:
            self.signals.cancelled.emit()
        except BaseException as exc:     # noqa: BLE001 - every failure must reach the UI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)

    def cancel(self) -> None:
        self.ctx.cancel()


class _Runner(QRunnable):
    """What the thread pool runs; Qt owns and deletes it (autoDelete), so no Python object
    the pool still touches after run() can be freed under it."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job: Job | None = job

    def run(self) -> None:
        job, self._job = self._job, None
        if job is None:
            return
        if job.ctx.cancelled:            # cancelled while still queued: never start it
            job.signals.cancelled.emit()
            return
        job.run()


class _Watcher(QObject):
    """Lives on the UI thread, so the job's signals arrive there (queued)."""

    def __init__(self, job: Job, on_done, on_failed, on_cancelled, parent: QWidget | None = None) -> None:
        super().__init__()
        self._job = job
        self._parent = parent
        self._callbacks = {"finished": on_done, "failed": on_failed, "cancelled": on_cancelled}
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(self._on_cancelled)

    @Slot(object)
    def _on_finished(self, result) -> None:
        if isinstance(result, Changed):
            changes, result = result.changes, result.value
            try:
                from app.ui.events import publish
                publish(self._parent, changes)    # the pages that show it reload (lazily when hidden)
            finally:
                self._end("finished", result)     # the job ends even if a page's reload raised
            return
        self._end("finished", result)

    @Slot(object)
    def _on_failed(self, exc) -> None:
        self._end("failed", exc)

    @Slot()
    def _on_cancelled(self) -> None:
        self._end("cancelled")

    def _end(self, outcome: str, *args) -> None:
        job = self._job
        job.outcome = outcome
        # Off the active list first, whatever happens below: a job left there keeps the app's
        # 退出 waiting for it ("还有操作正在进行") though it is over.
        _ACTIVE.pop(job, None)
        # Keep both alive a while: the job so the worker never drops the last reference, and this
        # watcher because we are inside its own slot (freeing a QObject there crashes Qt's notify).
        _RETIRED.append((job, self))
        dialog, job.dialog = job.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.finish()              # hides and deletes it (gone already when its window closed)
        callback = self._callbacks[outcome]
        if callback is None:
            return
        if self._parent is not None and not shiboken6.isValid(self._parent):
            # The window that asked for it closed meanwhile: its callbacks would touch deleted widgets.
            if outcome == "failed":
                log.warning("job %r failed after its window closed", job.title, exc_info=args[0])
            else:
                log.info("job %r ended (%s) after its window closed", job.title, outcome)
            return
        callback(*args)


_ACTIVE: dict[Job, _Watcher] = {}
_RETIRED: deque[tuple[Job, _Watcher]] = deque(maxlen=64)
_DB_POOL: QThreadPool | None = None


def db_pool() -> QThreadPool:
    """The serial lane for database work (one thread)."""
    global _DB_POOL
    if _DB_POOL is None:
        _DB_POOL = QThreadPool()
        _DB_POOL.setMaxThreadCount(1)
        _DB_POOL.setExpiryTimeout(-1)
    return _DB_POOL


def pool_for(job: Job) -> QThreadPool:
    return db_pool() if job.touches_db else QThreadPool.globalInstance()


def _status_note(parent: QWidget | None, text: str) -> None:
    window = parent.window() if parent is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, 8000)
    else:
        log.info("%s", text)


def start(job: Job, parent: QWidget | None = None, *, on_done: Callable[[Any], None] | None = None,
          on_failed: Callable[[BaseException], None] | None = None,
          on_cancelled: Callable[[], None] | None = None, delay_ms: int = 0) -> Job:
    """Queue a job. Callbacks run on the UI thread; defaults show errors and note cancels.

    `delay_ms` postpones the start (the job counts as active meanwhile): a secondary load
    started while a window opens would otherwise compete with its first paint for the GIL.
    """
    if on_failed is None:
        def on_failed(exc: BaseException) -> None:
            from app.ui.errors import show_error
            show_error(parent, exc)
    if on_cancelled is None:
        def on_cancelled() -> None:
            _status_note(parent, "已取消，数据未作任何更改。")
    watcher = _ACTIVE[job] = _Watcher(job, on_done, on_failed, on_cancelled, parent)
    if delay_ms > 0:
        # A timer owned by the watcher (not a free-standing singleShot): it cannot outlive it.
        timer = QTimer(watcher)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: pool_for(job).start(_Runner(job)))
        timer.start(delay_ms)
    else:
        pool_for(job).start(_Runner(job))
    return job


def run_with_progress(parent: QWidget | None, fn: WorkFn, *, title: str, text: str = "",
                      touches_db: bool = True, on_done: Callable[[Any], None] | None = None,
                      on_failed: Callable[[BaseException], None] | None = None,
                      on_cancelled: Callable[[], None] | None = None,
                      cancellable: bool = True, min_duration_ms: int = 500) -> Job:
    """Run `fn(ctx)` behind a progress dialog with a working 取消 button; returns the Job."""
    from app.ui.widgets.progress_dialog import JobProgressDialog
    job = Job(fn, touches_db=touches_db, title=title)
    job.dialog = JobProgressDialog(parent, title=title, text=text or f"正在{title}…",
                                   cancellable=cancellable, min_duration_ms=min_duration_ms)
    job.dialog.cancel_requested.connect(job.cancel)
    job.signals.progress.connect(job.dialog.set_progress)
    job.dialog.start()
    return start(job, parent, on_done=on_done, on_failed=on_failed, on_cancelled=on_cancelled)


def run_in_background(parent: QWidget | None, fn: WorkFn, *, on_done: Callable[[Any], None] | None = None,
                      on_failed: Callable[[BaseException], None] | None = None,
                      touches_db: bool = True, delay_ms: int = 0) -> Job:
    """Run `fn(ctx)` with no dialog (e.g. refreshing statistics); returns the Job to cancel it."""
    return start(Job(fn, touches_db=touches_db), parent, on_done=on_done, on_failed=on_failed,
                 on_cancelled=lambda: None, delay_ms=delay_ms)


def active_jobs() -> list[Job]:
    return list(_ACTIVE)


def cancel_all() -> None:
    for job in list(_ACTIVE):
        job.cancel()


def wait_for(job: Job, timeout_ms: int = 30000) -> bool:
    """Process events until `job` has ended (its callbacks have run). True if it has."""
    return _pump_until(lambda: job.outcome is not None, (pool_for(job),), timeout_ms)


def wait_idle(timeout_ms: int = 30000) -> bool:
    """Process events until no job is running (tests, screenshots, shutdown). True if idle."""
    return _pump_until(lambda: not _ACTIVE, (db_pool(), QThreadPool.globalInstance()), timeout_ms)


def _pump_until(done: Callable[[], bool], pools, timeout_ms: int) -> bool:
    deadline = QDeadlineTimer(timeout_ms)
    while not done() and not deadline.hasExpired():
        QCoreApplication.processEvents()
        for pool in pools:
            pool.waitForDone(10)
        QCoreApplication.processEvents()
        if not done():
            # a delayed job, or one whose end is still on its way: sleep a moment rather than
            # spin, which would hold the GIL the job's own thread needs
            time.sleep(0.001)
    return done()
