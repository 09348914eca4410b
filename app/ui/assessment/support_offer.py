"""The 帮扶 reminder after a teacher's result turns 不合格: a bar on the page, never a question box.

A question box after grading took the next key the reviewer typed for the queue (N = 下一项
answered 否, and the following digit re-graded the failed item). The bar waits beside the work
until the reviewer clicks 建立帮扶… (or 稍后); keys keep going to the queue.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class SupportOffer(QFrame):
    open_requested = Signal(int, str, tuple)      # teacher id, name, failed point codes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supportOffer")
        self.setStyleSheet("#supportOffer{background:#fff4d6;border:1px solid #e0c070;border-radius:4px}")
        self._teacher: tuple[int, str, tuple] | None = None
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.open_button = QPushButton("建立帮扶…")
        self.later_button = QPushButton("稍后")
        for b in (self.open_button, self.later_button):
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)     # a click must not pull the focus off the queue
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 4, 6, 4)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.open_button)
        lay.addWidget(self.later_button)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.later_button.clicked.connect(self.hide)
        self.hide()

    def offer(self, teacher_id: int, name: str, result: str, failed_points: tuple) -> None:
        self._teacher = (teacher_id, name, tuple(failed_points))
        self.text.setText(f"<b>{name}</b> 的考核结果为“{result}”，按方案需要建立一对一帮扶（帮扶人、计划、复评日期）。"
                          "可以现在建立，也可以稍后在“一对一帮扶”页建立。")
        self.show()

    def teacher_id(self) -> int | None:
        return self._teacher[0] if self._teacher and self.isVisible() else None

    def withdraw(self, teacher_id: int) -> None:
        """The teacher no longer needs it (a 帮扶 was opened, or the result changed)."""
        if self.teacher_id() == teacher_id:
            self.hide()

    def _on_open_clicked(self) -> None:
        if self._teacher is not None:
            self.hide()
            self.open_requested.emit(*self._teacher)
