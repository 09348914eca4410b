"""The machinery of `tisheng gui --screenshot` (app.ui.screenshots, and the district's in
app.ui.district.screenshots): capture a window's pages and the dialogs its buttons open, each after
its background loads, with the layout problems app.ui.layout_check finds."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app.ui import jobs
from app.ui.pages import registry

log = logging.getLogger(__name__)
WIDE_ENOUGH = 1280          # at this logical width and above, no main table may scroll sideways


def settle() -> None:
    app = QApplication.instance()
    for _ in range(3):
        app.processEvents()
        jobs.wait_idle(120000)
    app.processEvents()


def grab(widget: QWidget, path: Path) -> Path:
    settle()
    widget.grab().save(str(path))
    return path


@dataclass
class Shot:
    name: str
    kind: str                       # 页面 / 对话框
    file: str
    size: tuple[int, int]
    problems: list[str] = field(default_factory=list)


def select_first(table) -> None:
    if table.current_row() is None and table.proxy.rowCount():
        table.select_key(table.model.key(table.proxy.index(0, 0).data(table.model.ROW_ROLE)))


def _open_windows() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}


def _new_window(before: set[int]) -> QWidget | None:
    found = [w for w in QApplication.topLevelWidgets()
             if w.isVisible() and id(w) not in before and isinstance(w, QDialog) and not isinstance(w, QMessageBox)]
    return found[-1] if found else None


def _dismiss_message_boxes() -> None:
    """A question or notice a dialog raises on the way must not stop the run (nobody is there to answer)."""
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        log.warning("screenshot: dismissed %s: %s", box.windowTitle(), box.text())
        box.reject()


def shoot_dialogs(window, out_dir: Path, dialogs) -> list[Shot]:
    from app.ui.layout_check import dialog_problems
    shots = []
    watchdog = QTimer()
    watchdog.setInterval(200)
    watchdog.timeout.connect(_dismiss_message_boxes)
    watchdog.start()
    try:
        for where, name, opener in dialogs:
            before = _open_windows()
            try:
                opener(window)
            except Exception:                          # noqa: BLE001 - one dialog must not stop the rest
                log.exception("screenshot: could not open %s › %s", where, name)
                continue
            settle()
            dialog = _new_window(before)
            if dialog is None:
                log.warning("screenshot: %s › %s did not open a dialog", where, name)
                continue
            dialog.activateWindow()              # as on screen: the focused field shows its ring
            path = grab(dialog, out_dir / f"{where}-{name}.png")
            shots.append(Shot(f"{where} › {name}", "对话框", path.name, (dialog.width(), dialog.height()),
                              dialog_problems(dialog)))
            dialog.reject() if isinstance(dialog, QDialog) else dialog.close()
            settle()
    finally:
        watchdog.stop()
    return shots


def shoot_pages(window, out_dir: Path, titles=None, prefix: str = "") -> list[Shot]:
    from app.ui.layout_check import page_problems
    from app.ui.widgets.screen_fit import available_rect
    wide = available_rect(window).width() >= WIDE_ENOUGH
    shots = []
    for title in titles or registry.TITLES:
        page = window.go_to(title)
        path = grab(window, out_dir / f"{prefix}{title}.png")
        shots.append(Shot(title, "页面", path.name, (window.width(), window.height()),
                          page_problems(page, table_must_fit=wide)))
    return shots
