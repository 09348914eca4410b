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
    if not demo and _no_school_yet(data_dir):    # a teaching point PC: a pack on the stick?
        from app.ui.pack.launch import open_pack_window, pack_at_start
        pack = pack_at_start(data_paths(data_dir).database)
        if pack is not None and open_pack_window(pack) is not None:
            app.setQuitOnLastWindowClosed(True)
            return int(app.exec())
    from app.ui.controller import AppController
    controller = AppController()
    controller.gave_up.connect(app.quit)
    if not controller.start(data_dir, demo=demo):
        return 1
    app.setQuitOnLastWindowClosed(True)
    code = app.exec()
    controller.close()
    return int(code)


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


def _no_school_yet(data_dir) -> bool:
    """Whether this data folder has no school yet (only then are the sticks searched for a pack).

    One read-only query, and nothing of the pack or drive code loaded: a school's PC starts as fast
    as before the packs existed."""
    from app.paths import data_paths
    from app.services.packs.startup import school_missing
    from app.ui import jobs
    database = data_paths(data_dir).database
    box: dict[str, bool] = {}
    jobs.run_in_background(None, lambda ctx: school_missing(database), on_done=lambda r: box.setdefault("missing", r),
                           on_failed=lambda exc: box.setdefault("missing", False))
    jobs.wait_idle(10000)
    return box.get("missing", False)


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
