"""Baseline: a bare PySide6 program that opens a QMainWindow with a QTableView (1366×768) and,
once it has been painted, prints "first-paint" and quits, timed as a whole process.

    python bench/baselines/bare_window.py
"""

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView


class FirstPaint(QObject):
    seen = False

    def eventFilter(self, obj, event):  # noqa: N802
        if not self.seen and event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow():
            self.seen = True
            QTimer.singleShot(0, self.done)
        return False

    def done(self):
        sys.stdout.write("first-paint\n")
        sys.stdout.flush()
        QApplication.instance().quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    watcher = FirstPaint(app)
    app.installEventFilter(watcher)
    window = QMainWindow()
    view = QTableView()
    view.setModel(QStandardItemModel(0, 8, window))
    window.setCentralWidget(view)
    window.resize(1366, 768)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
