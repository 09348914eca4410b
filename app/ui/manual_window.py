"""帮助 › 用户手册: the Markdown manual (docs/用户手册.md) shown in a window, with its screenshots.

One non-modal window per main window, so the manual can stay open beside the page it explains.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.resources import manual_path
from app.ui.widgets.screen_fit import resize_to_screen


class ManualWindow(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("用户手册")
        resize_to_screen(self, 980, 720)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        path = manual_path()
        if path.is_file():
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setSource(QUrl.fromLocalFile(str(path)), QTextDocument.ResourceType.MarkdownResource)
            fit_images(self.browser.document(), 860)
            layout.addWidget(self.browser)
        else:                                   # a damaged installation: say where it should be
            layout.addWidget(QLabel(f"找不到用户手册文件：{path}\n请重新安装本软件。"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)


def fit_images(doc: QTextDocument, width: int) -> None:
    """Screenshots are 1366 px wide: show them at `width` so the manual reads without side-scrolling."""
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                image = fmt.toImageFormat()
                source = doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(image.name()))
                natural = source.width() if source is not None and hasattr(source, "width") else 0
                if natural > width:
                    image.setWidth(width)
                    image.setHeight(source.height() * width / natural)
                    cursor = QTextCursor(doc)
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(image)
            it += 1
        block = block.next()


def show_manual(parent: QWidget) -> ManualWindow:
    window = getattr(parent, "_manual_window", None)
    if window is None:
        window = ManualWindow(parent)
        parent._manual_window = window
    window.show()
    window.raise_()
    window.activateWindow()
    return window
