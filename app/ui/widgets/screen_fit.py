"""Sizes that fit the screen a school has: 1024×600 netbooks, 1280×720 projectors, Windows at 150 %.

Every window and dialog asks here for its size instead of a fixed number, so
its 保存/取消 never end up below the taskbar. Sizes are in logical pixels
(what Qt lays out in); at 150 % scaling a 1920×1080 screen is 1280×720 of them.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room for the title bar and borders Windows draws around a window (not part of its geometry).
FRAME_W, FRAME_H = 16, 40


def available_rect(widget: QWidget | None = None) -> QRect:
    """The part of the widget's screen (else the main screen) that is not taskbar."""
    screen = None
    if widget is not None:
        parent = widget.parentWidget()
        screen = (parent.window().screen() if parent is not None else None) or widget.screen()
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def available_size(widget: QWidget | None = None) -> QSize:
    """The largest window size whose frame still fits on the widget's screen."""
    rect = available_rect(widget)
    return QSize(max(320, rect.width() - FRAME_W), max(240, rect.height() - FRAME_H))


def fit_size(widget: QWidget, width: int, height: int) -> QSize:
    """The wanted size, shrunk to the screen (never below what the widget can be shrunk to)."""
    room = available_size(widget)
    least = widget.minimumSize()
    return QSize(max(least.width(), min(width, room.width())), max(least.height(), min(height, room.height())))


def resize_to_screen(widget: QWidget, width: int, height: int) -> None:
    """`widget.resize(width, height)`, but no larger than the screen it will show on."""
    widget.resize(fit_size(widget, width, height))


def keep_on_screen(widget: QWidget) -> None:
    """Move a shown window so that all of it (title bar included) is on its screen."""
    rect = available_rect(widget)
    frame = widget.frameGeometry()
    x = min(max(frame.x(), rect.left()), max(rect.left(), rect.right() + 1 - frame.width()))
    y = min(max(frame.y(), rect.top()), max(rect.top(), rect.bottom() + 1 - frame.height()))
    if (x, y) != (frame.x(), frame.y()):
        widget.move(x, y)
