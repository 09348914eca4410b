"""A page in a scroll area that scrolls only when the window is smaller than the page can shrink to.

On a 1024×600 netbook a page that cannot fit is scrolled instead of cut off. QScrollArea's own
"widget resizable" mode sizes the page to its *preferred* height whenever a label wraps
(height-for-width), so it scrolled pages that would have fitted; here the page gets exactly the
frame's size, and only its minimum size makes the frame scroll.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QScrollArea, QWidget


class PageFrame(QScrollArea):
    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageFrame")
        self.setWidgetResizable(False)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)      # Tab goes straight to the page's fields
        self.setWidget(page)
        page.installEventFilter(self)

    def page(self) -> QWidget:
        return self.widget()

    def fit(self) -> None:
        page = self.widget()
        if page is None:
            return
        least = page.minimumSizeHint().expandedTo(page.minimumSize())
        room = self.maximumViewportSize()
        tall, wide = least.height() > room.height(), least.width() > room.width()
        width = room.width() - (self.verticalScrollBar().sizeHint().width() if tall else 0)
        height = room.height() - (self.horizontalScrollBar().sizeHint().height() if wide else 0)
        page.resize(max(width, least.width()), max(height, least.height()))

    def resizeEvent(self, event) -> None:
        self.fit()
        super().resizeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit()
        return super().eventFilter(watched, event)
