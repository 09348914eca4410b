"""Helpers for driving the part-2 pages."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class StandInEvents(QObject):
    """Used only while the shell's AppEvents is not importable."""
    teachers_changed = Signal()
    choices_changed = Signal()
    evidence_changed = Signal()
    assessment_changed = Signal()


def make_events():
    try:
        from app.ui.events import AppEvents
    except ImportError:
        return StandInEvents()
    return AppEvents()


def wait_idle(qtbot, timeout: int = 10000) -> None:
    """Wait until every background job of the part-2 pages has finished."""
    from app.ui.micro import page_kit
    qtbot.waitUntil(lambda: not page_kit._LIVE, timeout=timeout)


def drop_files(widget, paths, pos=None) -> bool:
    """What Explorer does: a drag enter, then a drop carrying file URLs. Returns whether the drop was accepted."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = pos if pos is not None else widget.rect().center()
    enter = QDragEnterEvent(QPointF(point), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()
