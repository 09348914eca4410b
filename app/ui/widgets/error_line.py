"""A one-line message under a form field whose space is always kept, so fields never jump.

When a validation message appeared or went away, the fields below it moved by
a line and the user's next click landed in the wrong box. An ErrorLine takes
its line whether or not it shows a message; a message longer than the field is
shortened with “…” and shown whole in the tooltip (and in the dialog's own
message strip when the user presses 保存).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ErrorLine(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setProperty("role", "error")
        self.setWordWrap(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)     # never widens the form
        self.setSizePolicy(policy)
        self.setFixedHeight(self.fontMetrics().height() + 2)

    def set_message(self, message: str) -> None:
        """Show (or, with "", clear) the message without changing the layout."""
        self._full = message
        self.setToolTip(message if message else "")
        self._elide()
        self.setVisible(bool(message))

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(40, self.width())
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        if shown != self.text():
            super().setText(shown)
