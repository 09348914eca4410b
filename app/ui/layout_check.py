"""Does a window fit the screen it is on? What `gui --screenshot` reports and the screen tests assert.

A dialog fits when its frame and every button lie inside the screen's
available geometry (the part not under the taskbar) and the dialog can be
shrunk that far; a page fits when the window's size can hold it without
clipping and its main table needs no sideways scrolling.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractScrollArea, QApplication, QTableView,
                               QWidget)

from app.ui.widgets.screen_fit import available_rect


def _global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def _name(widget: QWidget) -> str:
    return widget.text().replace("&", "") if isinstance(widget, QAbstractButton) else widget.objectName()


def _scrolls(widget: QWidget, top: QWidget) -> bool:
    """Inside a scroll area (or a list): reachable by scrolling, wherever it is now."""
    w = widget.parentWidget()
    while w is not None and w is not top:
        if isinstance(w, QAbstractScrollArea):
            return True
        w = w.parentWidget()
    return False


def dialog_problems(dialog: QWidget) -> list[str]:
    """Plain-Chinese problems of a shown dialog on its screen ([] when everything is reachable)."""
    QApplication.processEvents()
    screen = available_rect(dialog)
    problems = []
    frame = dialog.frameGeometry()
    if not screen.contains(frame):
        problems.append(f"窗口 {frame.width()}×{frame.height()}（位置 {frame.x()},{frame.y()}）超出屏幕可用区域 "
                        f"{screen.width()}×{screen.height()}")
    least = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    if least.height() > screen.height() or least.width() > screen.width():
        problems.append(f"窗口最小 {least.width()}×{least.height()}，屏幕放不下")
    for button in dialog.findChildren(QAbstractButton):
        if not button.isVisibleTo(dialog) or button.window() is not dialog or _scrolls(button, dialog):
            continue
        rect = _global_rect(button)
        if not screen.contains(rect):
            problems.append(f"按钮“{_name(button)}”在屏幕外（{rect.x()},{rect.y()}）")
        inside = dialog.rect().contains(QRect(button.mapTo(dialog, QPoint(0, 0)), button.size()))
        if not inside:
            problems.append(f"按钮“{_name(button)}”被窗口边缘截断")
    return problems


def main_table(page: QWidget) -> QTableView | None:
    """The page's biggest visible table (what the user reads the page by)."""
    tables = [t for t in page.findChildren(QTableView) if t.isVisibleTo(page) and t.width() > 0]
    return max(tables, key=lambda t: t.width() * t.height(), default=None)


def needs_sideways_scroll(view: QAbstractItemView) -> bool:
    QApplication.processEvents()
    return view.horizontalScrollBar().maximum() > 0


def page_problems(page: QWidget, *, table_must_fit: bool) -> list[str]:
    """Problems of a page shown in the window: clipped because too small, or a table to scroll sideways."""
    QApplication.processEvents()
    problems = []
    least = page.minimumSizeHint()
    frame = page.parentWidget().parentWidget() if page.parentWidget() is not None else None
    room = frame.viewport().size() if isinstance(frame, QAbstractScrollArea) else page.size()
    if least.width() > room.width() + 1:
        problems.append(f"页面至少需要宽 {least.width()}，窗口只给了 {room.width()}（要左右滚动）")
    if table_must_fit and least.height() > room.height() + 1:
        problems.append(f"页面至少需要高 {least.height()}，窗口只给了 {room.height()}（要上下滚动）")
    if not isinstance(frame, QAbstractScrollArea) and (least.width() > page.width() + 1
                                                      or least.height() > page.height() + 1):
        problems.append("页面内容被截断")
    table = main_table(page)
    if table_must_fit and table is not None and needs_sideways_scroll(table):
        problems.append(f"主表格需要左右滚动（表格宽 {table.viewport().width()}，内容宽 "
                        f"{table.viewport().width() + table.horizontalScrollBar().maximum()}）")
    return problems
