"""Helpers for driving the part-2 pages."""

from __future__ import annotations

def make_events():
    from app.ui.events import AppEvents
    return AppEvents()


def wait_idle(qtbot, timeout: int = 10000) -> None:
    """Wait until every background job of the part-2 pages has finished."""
    from app.ui import jobs
    qtbot.waitUntil(lambda: not jobs.active_jobs(), timeout=timeout)


def drop_files(widget, paths, pos=None) -> bool:
    """What Explorer does: a drag enter, then a drop carrying file URLs. Returns whether the drop was accepted."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = pos if pos is not None else widget.rect().center()
    # QDragEnterEvent takes a QPoint (QPointF only in some 6.12 builds), QDropEvent a QPointF.
    enter = QDragEnterEvent(QPointF(point).toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()
