"""Part-2 GUI tests: offscreen Qt, a fresh data folder per test, and no dialog ever blocks."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"     # before any PySide6 import

from dataclasses import dataclass, field  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

from tests.services_part2.school import build_small_school  # noqa: E402


@dataclass
class Dialogs:
    """Every message box and file dialog a test triggers, and the answers it gives."""
    answers: list = field(default_factory=list)          # for question(): True = 是
    open_files: list = field(default_factory=list)       # for getOpenFileNames()
    save_file: str = ""                                   # for getSaveFileName()
    seen: list = field(default_factory=list)              # (kind, title, text)
    opened: list = field(default_factory=list)            # files handed to the system viewer

    def texts(self, kind: str | None = None) -> list[str]:
        return [t for k, _title, t in self.seen if kind is None or k == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    d = Dialogs()

    def question(parent, title, text, *a, **k):
        d.seen.append(("question", title, text))
        if not d.answers:
            raise AssertionError(f"unexpected question: {title}: {text}")
        return QMessageBox.StandardButton.Yes if d.answers.pop(0) else QMessageBox.StandardButton.No

    def box(kind):
        def show(parent, title, text, *a, **k):
            d.seen.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return show

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(box(kind)))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: d.seen.append(("exec", self.windowTitle(), self.text())) or 0)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: (list(d.open_files), "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (d.open_files[0] if d.open_files else "", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (d.save_file, "")))
    opened = d.opened = []
    from PySide6.QtGui import QDesktopServices
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    return d


def _keep_bools_alive() -> None:
    """PySide6/shiboken6 6.12.0 on Python 3.11: every Python-side `Signal.emit()` hands back a True
    it never took a reference to (measured: 300 emits, True's count -300), so a long session ends in
    "Fatal Python error: bool_dealloc" at exit. The shell's app.ui.protect_none() guards None the
    same way; until it guards True/False too, these tests do it so their exit status stays honest
    about the tests. Not needed (and skipped) on Python 3.12+, where True/False are immortal."""
    import ctypes
    import sys
    if sys.version_info >= (3, 12):
        return
    for obj in (True, False):
        before = sys.getrefcount(obj)
        cell = ctypes.c_ssize_t.from_address(id(obj))
        if before - 4 <= cell.value <= before + 4:
            cell.value += 1 << 40


_keep_bools_alive()


@pytest.fixture(scope="session", autouse=True)
def _font(qapp):
    from PySide6.QtGui import QFontDatabase
    from app.resources import resource_path
    QFontDatabase.addApplicationFont(str(resource_path("fonts", "TishengSansSC-Regular.ttf")))


@pytest.fixture
def small(ws):
    return ws, build_small_school(ws)


@pytest.fixture
def events(qapp):
    from tests.ui_part2.helpers import make_events
    return make_events()
