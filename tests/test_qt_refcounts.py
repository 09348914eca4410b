"""Guard against the PySide6 build that leaks references to None/True/False (6.12.0 on 3.11).

That release aborted the app ("bool_dealloc") after a few thousand signal emits: every
Python-side `emit()` handed back a True it never took a reference to. The dependency is pinned
below it (pyproject.toml), so the tests need no work-around that props up True/False; this test
fails if such a build is ever installed.
"""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel


class _Emitter(QObject):
    fired = Signal(bool)
    poked = Signal()


def test_signals_and_setters_do_not_leak_singleton_references(qapp):
    label = QLabel()
    emitter = _Emitter()
    emitter.fired.connect(lambda _v: None)
    emitter.poked.connect(lambda: None)
    before = {name: sys.getrefcount(obj) for name, obj in (("None", None), ("True", True), ("False", False))}
    for _ in range(2000):
        label.setText("x")
        emitter.fired.emit(False)
        emitter.fired.emit(True)
        emitter.poked.emit()             # its return value is the True 6.12.0 did not count
    QApplication.processEvents()
    after = {"None": sys.getrefcount(None), "True": sys.getrefcount(True), "False": sys.getrefcount(False)}
    drift = {name: after[name] - before[name] for name in before}
    assert all(abs(d) < 50 for d in drift.values()), f"PySide6 leaks references to singletons: {drift}"
