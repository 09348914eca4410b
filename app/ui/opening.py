"""Start-up in two steps: the main window's frame first, the school's data once it is painted.

    opening = Opening(app, data_dir, demo=False)
    opening.show()            # the MainWindow frame (api=None): no database code is loaded yet
    code = app.exec()         # after its first paint, the data is opened and fills it in
    opening.close()

Loading the database layer alone (SQLModel, SQLAlchemy, the models) takes longer than showing a
window, so the user first sees the real window – title, menus, navigation, its saved size and
place – saying “正在打开学校数据…”. After its first paint a job loads that layer off the GUI
thread (the window keeps painting and can be moved), looks whether the folder has a school yet and,
when it has (or sticks are not searched), opens it with every start-up check (startup.open_checked:
the lock, quick_check, the weekly or after-a-crash integrity_check, a migration and its backup –
seconds on a big or damaged database, so not on the GUI thread either). Then, on the GUI thread:

* no school, and a collection pack on a stick (a teaching point's PC): the pack window replaces the frame;
* otherwise the controller takes the opened folder, or the error opening it raised (app.ui.controller),
  and fills the frame in – or shows the set-up wizard, the demo's progress, the district window, the
  offer to restore a damaged database, or hands over to the instance that has the folder open.

Closing the frame before the data is open quits the app (a folder the job opened meanwhile is let go).
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from app.paths import data_paths, default_data_dir
from app.ui import jobs
from app.ui.main_window import MainWindow
from app.ui.settings import Settings

log = logging.getLogger(__name__)

# What the controller and the start-up checks import from the services: loaded by the job, so the
# GUI thread finds them ready (one left out is merely imported on the GUI thread, later).
DATA_LAYER = ("app.services.workspace", "app.services.startup", "app.services.district.office",
              "app.services.instance_lock", "app.services.demo_setup", "app.services.backup.restore",
              "app.services.backup.source")
PAINT_FALLBACK_MS = 2000        # a window that is never painted (started minimised…) still opens its data


def after_first_paint(widget: QWidget, callback) -> None:
    """Call `callback` once, from the event loop, after `widget` was first painted (so the picture
    is on the screen before the GUI thread does anything slow)."""
    _AfterFirstPaint(widget, callback)


class _AfterFirstPaint(QObject):
    def __init__(self, widget: QWidget, callback) -> None:
        super().__init__(widget)
        self._callback = callback
        self._fired = False
        widget.installEventFilter(self)
        QTimer.singleShot(PAINT_FALLBACK_MS, self, self._fire)

    def eventFilter(self, obj, event) -> bool:      # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        if not self._fired:
            self._fired = True
            self._callback()


def _load_data_layer(database: Path, look_for_school: bool) -> bool:
    """Work function: import the data layer; True when the folder has no school yet (looked for only
    when asked: only then are the sticks searched for a pack)."""
    for name in DATA_LAYER:
        importlib.import_module(name)
    if not look_for_school:
        return False
    from app.services.packs.startup import school_missing
    return school_missing(database)


def _open_data(folder: Path, database: Path, look_for_school: bool, box: dict) -> bool:
    """Work function: load the data layer and, unless the folder has no school yet, open it with the
    start-up checks. The CheckedWorkspace, or the error opening it raised (the controller asks the user
    about it on the GUI thread), goes into box["opened"]; returns whether the folder has no school."""
    if _load_data_layer(database, look_for_school):
        return True
    from app.services import startup
    try:
        box["opened"] = startup.open_checked(folder)
    except Exception as exc:                    # noqa: BLE001 - each is answered by the controller
        box["opened"] = exc
    return False


class Opening(QObject):
    def __init__(self, app: QApplication, data_dir: str | Path | None = None, *, demo: bool = False,
                 settings: Settings | None = None) -> None:
        super().__init__()
        self.app, self.data_dir, self.demo = app, data_dir, demo
        self.settings = settings or Settings()
        self.paths = data_paths(data_dir)
        self.frame: MainWindow | None = None
        self.controller = None               # the AppController, once the data layer is loaded
        self.job: jobs.Job | None = None
        self._early: dict = {}               # "opened": what the job's open_checked gave, until taken
        self.settled = False                 # the frame was filled in, or gave way to another window
        self.abandoned = False               # the user closed the frame while it was opening

    def show(self) -> MainWindow:
        self.frame = MainWindow(None, None, self.settings, folder=self.paths.root)
        self.frame.closed.connect(self._on_frame_closed)
        self.app.setQuitOnLastWindowClosed(False)      # the frame may close before the wizard shows
        after_first_paint(self.frame, self._load)
        self.frame.show()
        return self.frame

    def _load(self) -> None:
        if self.abandoned:
            return
        database, look = self.paths.database, not self.demo
        folder = Path(self.data_dir) if self.data_dir else default_data_dir()     # as controller.start
        box = self._early
        self.job = jobs.run_in_background(
            self.frame, lambda ctx: _open_data(folder, database, look, box), on_done=self._open,
            on_failed=self._on_load_failed)

    def _on_load_failed(self, exc: BaseException) -> None:
        log.error("loading the data layer off the GUI thread failed: %r", exc)
        self._open(False)                  # the controller's own imports say what is wrong

    def _open(self, no_school: bool) -> None:
        self.job = None
        if self.abandoned:
            self._let_go_early()
            return
        if no_school and self._open_pack():
            return
        from app.ui.controller import AppController
        self.controller = AppController(self.settings)
        self.controller.gave_up.connect(self.app.quit)
        opened = self._early.pop("opened", None)      # None: the controller opens the folder itself
        started = self.controller.start(self.data_dir, demo=self.demo, frame=self.frame, opened=opened)
        self.frame = None                  # the controller's now: its window, or closed by it
        self._settle()
        if not started:
            self.app.exit(1)

    def _open_pack(self) -> bool:
        """A teaching point's PC: the pack on the stick opens instead of the main window."""
        from app.ui.pack.launch import open_pack_window, pack_at_start
        pack = pack_at_start(self.paths.database)
        if pack is None or open_pack_window(pack) is None:
            return False
        self._settle()
        self._drop_frame()
        return True

    def _settle(self) -> None:
        self.settled = True
        self.app.setQuitOnLastWindowClosed(True)

    def _on_frame_closed(self) -> None:
        if not self.settled and self.frame is not None and self.frame.opening:
            self.abandoned = True
            self.app.quit()

    def _drop_frame(self) -> None:
        frame, self.frame = self.frame, None
        if frame is not None and frame.opening:
            frame.close_for_switch()
            frame.deleteLater()

    def _let_go_early(self) -> None:
        """A folder the job opened that no controller took (the frame was closed meanwhile)."""
        opened = self._early.pop("opened", None)
        if opened is not None and not isinstance(opened, BaseException):
            opened.close()                 # backup if changed, close, release the lock; never raises

    def close(self) -> None:
        """After the event loop: let the folder go (backup, lock), and close a frame still opening."""
        if self.controller is not None:
            self.controller.close()
        else:
            jobs.cancel_all()
            jobs.wait_idle(15000)
        self._let_go_early()
        self._drop_frame()
