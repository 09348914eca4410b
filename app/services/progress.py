"""Cooperative progress and cancellation for long operations (no Qt here).

A service takes a `Progress` and calls `check()` between units of work and
`report()` now and then. The GUI wires `cancel()` to its Cancel button; the CLI
passes `Progress()` which never cancels. Cancelling raises CancelledError,
which the services turn into a rollback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.errors import CancelledError

ReportFn = Callable[[int, int, str], None]


class Progress:
    def __init__(self, on_report: ReportFn | None = None, *, min_interval: float = 0.05) -> None:
        self._on_report = on_report
        self._stop = threading.Event()
        self._min_interval = min_interval
        self._last = 0.0

    def cancel(self) -> None:
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def check(self) -> None:
        if self._stop.is_set():
            raise CancelledError()

    def report(self, done: int, total: int, text: str = "", *, force: bool = False) -> None:
        """Throttled: at most one report per min_interval unless forced or finished."""
        self.check()
        if self._on_report is None:
            return
        now = time.monotonic()
        if force or done >= total or now - self._last >= self._min_interval:
            self._last = now
            self._on_report(done, total, text)


NO_PROGRESS = Progress()
