"""Run Python's cyclic garbage collector on the UI thread only.

Background jobs run Python on pool threads. Left automatic, the cyclic collector runs on
whichever thread happens to allocate when a threshold is crossed, so a worker could free a
cycle holding a Qt object (a closed dialog, a page's model) while the UI thread is delivering
an event to it — a use-after-free we saw as rare segfaults in QCoreApplication::notify during
long GUI runs. So: automatic collection off, and a timer on the UI thread collects the
generation whose threshold was passed, as the automatic collector would have.

It stays that way for the life of the QApplication, also after its event loop has ended: jobs
may still be finishing, and a process that runs the window more than once (the GUI tests, a
screenshot run) would otherwise run every later window with collection back on worker threads.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadGC(QObject):
    INTERVAL_MS = 500

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(self.INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> int:
        """Collect the oldest generation whose count passed its threshold; returns it (-1: none)."""
        counts = gc.get_count()
        generation = -1
        for g in range(3):
            if counts[g] > self.thresholds[g]:
                generation = g
        if generation >= 0:
            gc.collect(generation)
        return generation


def install(app: QObject) -> MainThreadGC:
    guard = getattr(app, "_tisheng_gc", None)
    if guard is None:
        guard = MainThreadGC(app)
        app._tisheng_gc = guard
    return guard
