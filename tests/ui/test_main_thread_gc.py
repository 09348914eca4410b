"""The cyclic collector runs on the UI thread only (see app/ui/main_thread_gc.py)."""

from __future__ import annotations

import gc

from PySide6.QtWidgets import QApplication


def test_automatic_collection_is_off_and_the_ui_timer_collects_cycles(qtbot):
    guard = QApplication.instance()._tisheng_gc
    assert not gc.isenabled() and guard.timer.isActive()

    class Node:
        pass

    collected = []
    assert gc.get_threshold()[0] > 0
    for _ in range(guard.thresholds[0] + 50):           # enough new cycles to pass generation 0
        a, b = Node(), Node()
        a.other, b.other = b, a
    marker = Node()
    marker.self = marker
    import weakref
    ref = weakref.ref(marker, lambda r: collected.append(True))
    del marker
    assert ref() is not None                              # a cycle: nothing freed it yet
    qtbot.waitUntil(lambda: ref() is None, timeout=3000)  # the UI-thread timer collected the cycle
    assert collected


def test_collection_stays_off_after_an_event_loop_has_ended(qtbot):
    # A window run in this process (test_window_first runs the whole app) ends its event loop;
    # every later window's jobs must still never collect on a worker thread.
    from PySide6.QtCore import QTimer
    app = QApplication.instance()
    QTimer.singleShot(0, app.quit)
    app.exec()
    assert not gc.isenabled() and app._tisheng_gc.timer.isActive()
