"""The progress dialog of a background job: shows late, cancels for real, closes when the job ends.

Not a QProgressDialog: that one hides itself the moment 取消 is pressed, while
the job is still rolling back. This one stays up, says it is cancelling, and
closes only when the job reports that it has stopped.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget


class JobProgressDialog(QDialog):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None, *, title: str, text: str, cancellable: bool = True,
                 min_duration_ms: int = 500) -> None:
        super().__init__(parent)
        self._min_duration_ms = min_duration_ms
        self._finished = False
        self._cancelling = False
        self._build_ui(title, text, cancellable)
        self._show_timer = QTimer(self, singleShot=True, interval=max(0, min_duration_ms))
        self._show_timer.timeout.connect(self._on_show_timer_timeout)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)

    def _build_ui(self, title: str, text: str, cancellable: bool) -> None:
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(420)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)          # busy until the first report
        self.bar.setFormat("%p%")
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setVisible(cancellable)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addLayout(buttons)

    def start(self) -> None:
        if self._min_duration_ms <= 0:
            self._on_show_timer_timeout()
        else:
            self._show_timer.start()

    @Slot(int, int, str)
    def set_progress(self, done: int, total: int, text: str) -> None:
        if self._cancelling:
            return
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        if text:
            self.label.setText(text)

    def finish(self) -> None:
        """The job has ended (any outcome): close for good."""
        self._finished = True
        self._show_timer.stop()
        self.hide()
        self.deleteLater()

    @property
    def cancelling(self) -> bool:
        return self._cancelling

    def _on_show_timer_timeout(self) -> None:
        if not self._finished:
            self.show()

    def _on_cancel_clicked(self) -> None:
        if self._cancelling or not self.cancel_button.isVisible():
            return
        self._cancelling = True
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, 0)
        self.label.setText("正在取消，已做的更改将全部撤销，请稍候…")
        self.cancel_requested.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._on_cancel_clicked()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finished:
            event.accept()
            return
        event.ignore()                   # closing the window means cancelling, not hiding
        self._on_cancel_clicked()
