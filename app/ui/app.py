"""Start the desktop app: `run(data_dir=None, demo=False, screenshot_dir=None) -> exit code`, or only
the collecting window on a pack (`run_pack(path)`).

Called by `tisheng`, `tisheng gui` and `tisheng --demo` (app/cli/cmd_gui.py).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app import APP_NAME, __version__

log = logging.getLogger(__name__)

# Set to 1, the app prints "first-paint" once its first window has been painted and quits
# (the cold-start benchmark and installer/smoke.sh time a whole start this way).
FIRST_PAINT_ENV = "TISHENG_FIRST_PAINT_EXIT"
# The file an instance keeps in the data folder while it holds it (app.services.startup.RUNNING_MARKER,
# named here so the start need not load the services to look for it; a test checks they agree).
RUNNING_MARKER = ".running"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, in Chinese, with the app's fonts and style (reused if one exists)."""
    from app.ui.style import apply_style, install_translations
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setApplicationName("Tisheng")
    QCoreApplication.setOrganizationName("Tisheng")
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setApplicationDisplayName(APP_NAME)
    if not getattr(app, "_tisheng_ready", False):
        install_translations(app)
        apply_style(app)
        from app.ui import main_thread_gc
        main_thread_gc.install(app)
        app._tisheng_ready = True
    return app  # type: ignore[return-value]


def run(data_dir: str | Path | None = None, demo: bool = False, screenshot_dir: Path | None = None,
        screen_size: tuple[int, int] | None = None, scale: float | None = None) -> int:
    """The window first, the data after it is painted (app.ui.opening): nothing of the database
    layer, the workbook or the PDF code is loaded before the user sees the main window."""
    from app.paths import data_paths
    from app.ui.errors import install_excepthook, setup_logging
    setup_logging(data_paths(data_dir).logs)
    install_excepthook()
    log.info("starting %s %s (data folder %s)", APP_NAME, __version__, data_paths(data_dir).root)
    if screenshot_dir is not None:
        return _run_screenshots(data_dir, demo, Path(screenshot_dir), screen_size, scale)
    app = make_application()
    if os.environ.get(FIRST_PAINT_ENV):
        _report_first_paint(app)
    if _handed_over(data_paths(data_dir).root):
        return 0
    from app.ui.opening import Opening
    opening = Opening(app, data_dir, demo=demo)
    opening.show()
    try:
        code = app.exec()
    finally:
        opening.close()
    return int(code)


def _handed_over(root: Path) -> bool:
    """Another instance has this folder open: it was told to bring its window forward, and this start
    ends before showing one. Asked only when the folder's "in use" marker is there (an instance that
    holds the folder writes it; a crash leaves it behind), so an ordinary start loads no network code."""
    if not (root / RUNNING_MARKER).exists():
        return False
    from app.ui import single_instance
    if not single_instance.ask_first_instance(root):
        return False
    log.info("%s is open in another instance; brought it forward, exiting", root)
    return True


def run_pack(path: str | Path) -> int:
    """`tisheng pack open PATH`: the collecting window only (no school data folder is opened)."""
    from app.ui.errors import install_excepthook
    from app.ui.pack.launch import open_pack_window
    app = make_application()
    install_excepthook()
    window = open_pack_window(path)
    if window is None:
        return 2
    app.setQuitOnLastWindowClosed(True)
    return int(app.exec())


def _report_first_paint(app: QApplication) -> None:
    """After the first paint of a top-level window (and of its children, painted in the same
    pass), print the marker and quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        seen = False

        def eventFilter(self, obj, event) -> bool:      # noqa: N802 (Qt's name)
            if not self.seen and event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow():
                self.seen = True
                QTimer.singleShot(0, self._done)
            return False

        def _done(self) -> None:
            sys.stdout.write("first-paint\n")
            sys.stdout.flush()
            from app.ui import jobs
            jobs.cancel_all()              # so that closing does not ask about them
            jobs.wait_idle(15000)
            app.quit()

    watcher = FirstPaint(app)
    app.installEventFilter(watcher)
    app._first_paint = watcher            # kept alive with the application


def _run_screenshots(data_dir, demo: bool, out_dir: Path, screen_size, scale) -> int:
    """Off screen, on a virtual screen of that size, with settings that are thrown away afterwards."""
    from app.ui import screenshots
    scratch = screenshots.prepare_platform(screen_size, scale)      # before the QApplication exists
    try:
        make_application()
        from app.ui.controller import AppController
        controller = AppController(screenshots.scratch_settings(scratch))
        code = screenshots.take_screenshots(controller, data_dir, out_dir, demo=demo)
        controller.settings.sync()      # written now, so nothing re-creates the scratch file after it is gone
        controller.deleteLater()
        del controller
        QCoreApplication.processEvents()
        return code
    finally:
        screenshots.cleanup(scratch)


def main() -> int:      # python -m app.ui.app
    return run()


if __name__ == "__main__":
    sys.exit(main())
