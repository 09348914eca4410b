"""A dashed box that takes files dragged from Explorer, or opens a file dialog when clicked."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


def local_files(mime) -> list[Path]:
    """The local files (not folders, not web links) in a drag's mime data."""
    if mime is None or not mime.hasUrls():
        return []
    out = []
    for url in mime.urls():
        if url.isLocalFile():
            p = Path(url.toLocalFile())
            if p.is_file():
                out.append(p)
    return out


class DropZone(QFrame):
    files_dropped = Signal(list)      # list[Path]
    browse_requested = Signal()

    IDLE = "QFrame#dropZone{border:2px dashed #8aa4c8;border-radius:8px;background:#f5f8fc}"
    HOVER = "QFrame#dropZone{border:2px dashed #2a6fdb;border-radius:8px;background:#e3edfb}"
    OFF = "QFrame#dropZone{border:2px dashed #cccccc;border-radius:8px;background:#fafafa}"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(64)
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        self.set_target("")

    def set_target(self, text: str) -> None:
        """text names the item the files will go to; '' disables the zone."""
        self.setEnabled(bool(text))
        if text:
            self.label.setText(f"将文件拖到此处，或点击选择文件（可多选）<br><b>添加到：{text}</b>")
            self.setStyleSheet(self.IDLE)
        else:
            self.label.setText("请先在上方选择一个证据项目，再把文件拖到这里")
            self.setStyleSheet(self.OFF)

    def mouseReleaseEvent(self, event) -> None:
        if self.isEnabled() and event.button() == Qt.MouseButton.LeftButton:
            self.browse_requested.emit()
        super().mouseReleaseEvent(event)

    def dragEnterEvent(self, event) -> None:
        if self.isEnabled() and local_files(event.mimeData()):
            event.acceptProposedAction()
            self.setStyleSheet(self.HOVER)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self.isEnabled() and event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self.setStyleSheet(self.IDLE if self.isEnabled() else self.OFF)
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:
        self.setStyleSheet(self.IDLE if self.isEnabled() else self.OFF)
        files = local_files(event.mimeData())
        if not self.isEnabled() or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(files)
