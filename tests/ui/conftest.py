"""GUI tests of the desktop app: offscreen Qt, a fresh data folder per test, no dialog ever blocks.

* The offscreen 1920×1080 screen comes from tests/conftest.py (one for every folder).
* Every test gets its own TISHENG_DATA_DIR (tests/conftest.py), so the UI
  settings file (config_dir()) is fresh too.
* `dialogs` (autouse) replaces QMessageBox's static functions and the file
  dialogs: tests read what was shown and decide the answers.
* `school_dir` is a copy of the demo school, built once per session through
  the services (building it takes seconds; copying it, milliseconds).
"""

# The offscreen 1920×1080 screen is set up once, in tests/conftest.py (before any PySide6 import).
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox


@dataclass
class Dialogs:
    """Every message box and file dialog a test triggers, and the answers it gives."""
    answers: list = field(default_factory=list)      # for question(): True = 是
    open_file: str = ""                               # getOpenFileName (else the first of open_files)
    open_files: list = field(default_factory=list)    # getOpenFileNames
    folder: str = ""                                  # getExistingDirectory
    save_file: str = ""                               # getSaveFileName
    seen: list = field(default_factory=list)          # (kind, title, text)
    opened: list = field(default_factory=list)        # local files handed to the system

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, _title, text in self.seen if kind is None or k == kind]


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    d = Dialogs()

    def question(parent, title, text, *args, **kwargs):
        d.seen.append(("question", title, text))
        if not d.answers:
            raise AssertionError(f"unexpected question: {title}: {text}")
        return QMessageBox.StandardButton.Yes if d.answers.pop(0) else QMessageBox.StandardButton.No

    def box(kind):
        def show(parent, title, text, *args, **kwargs):
            d.seen.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return staticmethod(show)

    def open_file(*a, **k):
        return (d.open_file or (d.open_files[0] if d.open_files else "")), ""

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    for kind in ("information", "warning", "critical", "about"):
        monkeypatch.setattr(QMessageBox, kind, box(kind))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: d.seen.append(("exec", self.windowTitle(), self.text())) or 0)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_file))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: (list(d.open_files), "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: d.folder))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (d.save_file, "")))
    from PySide6.QtGui import QDesktopServices
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: d.opened.append(url.toLocalFile()) or True))
    return d


@pytest.fixture(scope="session", autouse=True)
def _chinese_app(qapp):
    """Qt's Chinese strings, the project font and the app style, once."""
    from app.ui.app import make_application
    make_application()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    from app.services.demo import create_demo
    from app.services.workspace import Workspace
    root = tmp_path_factory.mktemp("demo-template") / "school"
    with Workspace.open(root) as ws:
        create_demo(ws)
    return root


@pytest.fixture
def school_dir(tmp_path, demo_template) -> Path:
    dest = tmp_path / "school"
    shutil.copytree(demo_template, dest)
    return dest


@pytest.fixture
def controller(qtbot):
    from app.ui import jobs
    from app.ui.controller import AppController
    c = AppController()
    yield c
    jobs.cancel_all()
    jobs.wait_idle(20000)
    for w in (c.wizard, c.window):
        if w is not None:
            if hasattr(w, "close_for_switch"):
                w.close_for_switch()
            else:
                w.close()
    c.close()


@pytest.fixture
def window(controller, school_dir, qtbot):
    """The main window on a copy of the demo school, all background loads finished."""
    from app.ui import jobs
    assert controller.start(school_dir)
    w = controller.window
    assert w is not None
    w.resize(1366, 768)
    jobs.wait_idle()
    return w


def settle(qtbot=None) -> None:
    """Let queued signals and background jobs finish."""
    from PySide6.QtWidgets import QApplication

    from app.ui import jobs
    QApplication.processEvents()
    assert jobs.wait_idle(60000), "a background job did not finish"     # exports and PDFs take a while
    QApplication.processEvents()


def type_text(qtbot, widget, text: str) -> None:
    """Type like a user: ASCII as key presses, Chinese as an input-method commit (how an IME delivers it).

    QTest can only press keys that exist on a keyboard, so Chinese goes through QInputMethodEvent.
    """
    import re

    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication, QComboBox
    target = widget.lineEdit() if isinstance(widget, QComboBox) else widget
    target.setFocus()
    for chunk in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        if chunk.isascii():
            qtbot.keyClicks(target, chunk)
        else:
            event = QInputMethodEvent()
            event.setCommitString(chunk)
            QApplication.sendEvent(target, event)


def choose(qtbot, combo, text: str | None = None, *, data=None) -> None:
    """Pick an item the way a keyboard user does: focus the box and press ↓/↑ until it shows."""
    from PySide6.QtCore import Qt
    target = combo.findText(text) if text is not None else combo.findData(data)
    assert target >= 0, f"{text or data!r} is not in the list"
    combo.setFocus()
    for _ in range(combo.count()):
        if combo.currentIndex() == target:
            break
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)
    assert combo.currentIndex() == target


def click_row(qtbot, table, key, *, double: bool = False) -> None:
    """Click (or double-click) the row of a RecordTable that shows the record `key`."""
    from PySide6.QtCore import Qt
    pos = table.model.position_of(key)
    assert pos is not None, f"no record {key!r} in the table"
    index = table.proxy.mapFromSource(table.model.index(pos, 0))
    assert index.isValid(), f"record {key!r} is filtered out"
    table.view.scrollTo(index)
    centre = table.view.visualRect(index).center()
    qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    if double:     # the press of the first click is what the view matches a double-click against
        qtbot.mouseDClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert table.current_key() == key


def clear_text(qtbot, line_edit) -> None:
    """Select all and delete, as a user empties a box."""
    from PySide6.QtCore import Qt
    line_edit.setFocus()
    qtbot.keyClick(line_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(line_edit, Qt.Key.Key_Backspace)
    assert line_edit.text() == ""
