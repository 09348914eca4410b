"""Which school is open: workspace, set-up wizard, demo school, main window, folder switching.

    controller = AppController(settings)
    controller.start(data_dir, demo=False)   # opens the folder; wizard if it has no school yet

Nothing here blocks: the wizard and the demo job report back through signals,
so tests drive them like a user. `window` is the current MainWindow (None until
a school is open); `wizard` the set-up wizard while one is showing.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from app.errors import AppError
from app.paths import default_data_dir
from app.services import demo_setup
from app.services.workspace import Workspace
from app.ui import jobs
from app.ui.errors import setup_logging, show_error
from app.ui.events import AppEvents
from app.ui.main_window import MainWindow
from app.ui.settings import Settings
from app.ui.wizard.setup_wizard import SetupWizard

log = logging.getLogger(__name__)


class AppController(QObject):
    window_opened = Signal(object)       # the new MainWindow
    gave_up = Signal()                   # the user closed the wizard with no school open: quit

    def __init__(self, settings: Settings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or Settings()
        self.ws: Workspace | None = None
        self.window: MainWindow | None = None
        self.wizard: SetupWizard | None = None
        self.events: AppEvents | None = None
        self._pending_ws: Workspace | None = None
        self.demo_job: jobs.Job | None = None

    def start(self, data_dir: Path | str | None = None, *, demo: bool = False) -> bool:
        """Open a data folder: the window if it has a school, else the wizard (or the demo with demo=True)."""
        folder = Path(data_dir) if data_dir else default_data_dir()
        ws = self._open_workspace(folder)
        if ws is None:
            return False
        if ws.has_school():
            self._show_window(ws)
        elif demo:
            self._build_demo(ws, parent=None)
        else:
            self._show_wizard(ws)
        return True

    def open_folder(self, folder: str | Path) -> bool:
        """文件 › 打开数据文件夹 / 新建数据文件夹: switch to another school's folder."""
        folder = Path(folder)
        if self.ws is not None and folder.resolve() == self.ws.paths.root:
            return True
        return self.start(folder)

    def close(self) -> None:
        jobs.cancel_all()
        jobs.wait_idle(15000)
        for ws in (self._pending_ws, self.ws):
            if ws is not None:
                ws.close()
        self._pending_ws = self.ws = None

    def _open_workspace(self, folder: Path) -> Workspace | None:
        parent = self.window
        try:
            ws = Workspace.open(folder)
        except AppError as exc:
            show_error(parent, exc)
            return None
        except OSError as exc:
            show_error(parent, AppError(f"无法打开数据文件夹“{folder}”：{exc.strerror or exc}。"
                                        "请检查该文件夹是否存在、是否有写入权限。"))
            return None
        if self.ws is None:
            setup_logging(ws.paths.logs)
        return ws

    def _show_wizard(self, ws: Workspace) -> None:
        self._pending_ws = ws
        self.wizard = SetupWizard(ws, self.window)
        self.wizard.demo_requested.connect(lambda: self._build_demo(ws, parent=self.wizard))
        self.wizard.accepted.connect(lambda: self._on_wizard_accepted(ws))
        self.wizard.rejected.connect(lambda: self._on_wizard_rejected(ws))
        self.wizard.show()

    def _on_wizard_accepted(self, ws: Workspace) -> None:
        self.wizard = None
        self._show_window(ws)

    def _on_wizard_rejected(self, ws: Workspace) -> None:
        self.wizard = None
        if ws is self._pending_ws:
            self._pending_ws = None
            ws.close()
        if self.window is None and self.demo_job is None:
            self.gave_up.emit()

    def _build_demo(self, ws: Workspace, parent) -> None:
        """Build the demo school off the UI thread; only a finished demo replaces the empty folder."""
        self._pending_ws = ws
        paths = ws.paths

        def done(scratch: Path) -> None:
            self.demo_job = None
            root = ws.paths.root
            ws.close()
            try:
                demo_setup.install_demo(scratch, root)
                new_ws = Workspace.open(root)
            except AppError as exc:
                show_error(parent, exc)
                self._pending_ws = None
                self._after_demo_failed(root)
                return
            if self.wizard is not None:
                wizard, self.wizard = self.wizard, None
                wizard.blockSignals(True)
                wizard.close()
                wizard.deleteLater()
            self._show_window(new_ws)

        def failed(exc: BaseException) -> None:
            self.demo_job = None
            show_error(parent, exc)
            if self.wizard is None and self.window is None:
                self.gave_up.emit()

        def cancelled() -> None:
            self.demo_job = None
            if self.wizard is None and self.window is None:
                self._show_wizard(ws)

        self.demo_job = jobs.run_with_progress(parent, lambda ctx: demo_setup.build_demo(paths, ctx.progress),
                                               title="打开示例学校", text="正在建立示例学校…",
                                               on_done=done, on_failed=failed, on_cancelled=cancelled)

    def _after_demo_failed(self, root: Path) -> None:
        if self.window is None and self.wizard is None:
            ws = self._open_workspace(root)
            if ws is not None:
                self._show_wizard(ws)
            else:
                self.gave_up.emit()

    def _show_window(self, ws: Workspace) -> None:
        old_window, old_ws = self.window, self.ws
        if old_window is not None:
            jobs.cancel_all()
            jobs.wait_idle(15000)
            old_window.close_for_switch()
            old_window.deleteLater()
        if old_ws is not None and old_ws is not ws:
            old_ws.close()
        self._pending_ws = None
        self.ws = ws
        setup_logging(ws.paths.logs)
        self.settings.remember_data_dir(str(ws.paths.root))
        self.events = AppEvents()
        self.window = MainWindow(ws, self.events, self.settings)
        self.window.open_folder_requested.connect(self.open_folder)
        self.window.new_folder_requested.connect(self._on_new_folder_requested)
        self.window.show()
        self.window_opened.emit(self.window)

    def _on_new_folder_requested(self, folder: str) -> None:
        path = Path(folder)
        if path.exists() and any(path.iterdir()):
            has_data = (path / "tisheng.sqlite3").exists()
            QMessageBox.information(
                self.window, "新建数据文件夹",
                "该文件夹已有本软件的数据，将直接打开它。" if has_data else
                "该文件夹不是空的。本软件会在其中建立 tisheng.sqlite3、store、backups 等文件和目录。")
        self.open_folder(path)


def quit_app() -> None:
    app = QApplication.instance()
    if app is not None:
        app.quit()
