"""Guard against the PySide6 build that leaks references to None/True/False (6.12.0 on 3.11).

That release aborted the app ("bool_dealloc") after a few thousand signal emits; the
dependency is pinned below it, and this test fails if such a build is ever installed.
"""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel


class _Emitter(QObject):
    fired = Signal(bool)


def test_signals_and_setters_do_not_leak_singleton_references(qapp):
    label = QLabel()
    emitter = _Emitter()
    emitter.fired.connect(lambda _v: None)
    none_before, false_before = sys.getrefcount(None), sys.getrefcount(False)
    for _ in range(2000):
        label.setText("x")
        emitter.fired.emit(False)
    QApplication.processEvents()
    assert abs(sys.getrefcount(None) - none_before) < 50
    assert abs(sys.getrefcount(False) - false_before) < 50
