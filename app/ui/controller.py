"""Which school is open: workspace, set-up wizard, demo school, main window, folder switching.

    controller = AppController(settings)
    controller.start(data_dir, demo=False)   # opens the folder; wizard if it has no school yet

Nothing here blocks: the wizard and the demo job report back through signals,
so tests drive them like a user. The controller is the one place in app/ui that holds a
Workspace; windows and wizards get app.ui.facades.Facades. Opening a folder (the start-up
checks and the lock) and letting it go happen here between windows (at start-up the checks
themselves run in app.ui.opening's background job, which hands their result to start()):
the decisions they lead to (another instance, a damaged database) are questions to the
user, asked on the GUI thread. Everything else (the demo, reopening after a restore) runs in jobs. `window` is the current MainWindow (None until
a school is open); `wizard` the set-up wizard while one is showing.

A folder is opened with every start-up check (startup.open_checked): the
single-writer lock, a restore left half done, quick_check. While it is open the
controller holds its lock and a QLocalServer (app.ui.single_instance): a second
start on the same folder brings this window forward and exits (`handed_over`).
A damaged database is never opened: the user is offered the newest good backup
(the damaged file is kept aside). Changes are backed up every 30 minutes at most
and when the folder is closed.

At start-up the main window's frame is already on the screen (app.ui.opening): `start(…, frame=)`
hands it over, the first school's window fills it in (MainWindow.attach), and questions asked
before that sit over it. When the folder leads elsewhere (the wizard, the district window, a
hand-over to another instance) the frame is closed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.errors import AppError
from app.paths import default_data_dir
from app.services import demo_setup, startup
from app.services.backup.restore import restore
from app.services.backup.source import backup_root_for
from app.services.district.office import folder_kind
from app.services.instance_lock import AlreadyRunningError
from app.services.workspace import Workspace
from app.ui import jobs, single_instance
from app.ui.errors import setup_logging, show_error
from app.ui.events import AppEvents
from app.ui.facades import Facades
from app.ui.main_window import MainWindow
from app.ui.settings import Settings

if TYPE_CHECKING:
    from app.ui.wizard.setup_wizard import SetupWizard

log = logging.getLogger(__name__)

AUTO_BACKUP_CHECK_MS = 5 * 60 * 1000      # maybe_auto_backup itself keeps to one per 30 minutes


class AppController(QObject):
    window_opened = Signal(object)       # the new MainWindow
    gave_up = Signal()                   # the user closed the wizard with no school open: quit

    def __init__(self, settings: Settings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or Settings()
        self.ws: Workspace | None = None
        self.window: MainWindow | None = None
        self.frame: MainWindow | None = None    # the main window's frame shown before any folder was open
        self.wizard: SetupWizard | None = None
        self.events: AppEvents | None = None
        self._pending_ws: Workspace | None = None
        self.demo_job: jobs.Job | None = None
        self.recover_job: jobs.Job | None = None
        self.handed_over = False          # another instance had the folder and was brought forward
        self._opened: dict[Path, startup.CheckedWorkspace] = {}     # by data folder: lock + checks
        self._servers: dict[Path, single_instance.InstanceServer] = {}
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(AUTO_BACKUP_CHECK_MS)
        self._backup_timer.timeout.connect(self._on_backup_timer)

    def start(self, data_dir: Path | str | None = None, *, demo: bool = False,
              frame: MainWindow | None = None, opened=None) -> bool:
        """Open a data folder: the window if it has a school, else the wizard (or the demo with demo=True).

        `frame`: a MainWindow still without data, already shown, to become the window.
        `opened`: what startup.open_checked(folder) already gave off the GUI thread (app.ui.opening):
        the CheckedWorkspace, or the exception it raised; None to open the folder here."""
        if frame is not None:
            self.frame = frame
        folder = Path(data_dir) if data_dir else default_data_dir()
        ws = self._open_workspace(folder, opened)
        if ws is None:
            # a restore from backup under way keeps the app running; a hand-over to the first
            # instance ends it quietly (gave_up → quit → exit code 0)
            return self.recover_job is not None or (self.handed_over and self.window is None)
        if folder_kind(ws) != "empty":               # a school's folder, or a district office's
            self._show_window(ws)
        elif demo:
            self._build_demo(ws, parent=self.frame)
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
        self._backup_timer.stop()
        for ws in (self._pending_ws, self.ws):
            if ws is not None:
                self._close_ws(ws)
        for checked in list(self._opened.values()):
            self._close_ws(checked.ws)
        self._pending_ws = self.ws = None
        self._drop_frame()

    def _parent(self):
        """Where a question or message goes: the window, or the frame while there is none yet."""
        return self.window or self.frame

    def _drop_frame(self) -> None:
        """The start led elsewhere than the main window (the wizard, another instance…): close the frame."""
        frame, self.frame = self.frame, None
        if frame is not None:
            frame.close_for_switch()
            frame.deleteLater()

    def _open_workspace(self, folder: Path, opened=None) -> Workspace | None:
        parent = self._parent()
        try:
            if isinstance(opened, BaseException):
                raise opened
            checked = opened if opened is not None else startup.open_checked(folder)
        except AlreadyRunningError as exc:
            self._on_already_running(folder, exc)
            return None
        except startup.DatabaseDamagedError as exc:
            self._offer_backup(folder, exc)
            return None
        except AppError as exc:
            show_error(parent, exc)
            return None
        except OSError as exc:
            show_error(parent, AppError(f"无法打开数据文件夹“{folder}”：{exc.strerror or exc}。"
                                        "请检查该文件夹是否存在、是否有写入权限。"))
            return None
        ws = checked.ws
        root = ws.paths.root
        self._opened[root] = checked
        server = single_instance.InstanceServer(root, self)
        server.activation_requested.connect(self.bring_forward)
        server.listen()
        self._servers[root] = server
        if self.ws is None:
            setup_logging(ws.paths.logs)
        self._show_warnings(checked)
        return ws

    def _close_ws(self, ws: Workspace) -> None:
        """Close a workspace; if it is the one holding its folder, back up changes and let the folder go."""
        root = ws.paths.root
        checked = self._opened.get(root)
        if checked is None or checked.ws is not ws:
            ws.close()
            return
        del self._opened[root]
        server = self._servers.pop(root, None)
        if server is not None:
            server.close()
            server.deleteLater()
        checked.close()                  # backup if changed, close, release the lock; never raises

    def _adopt(self, ws: Workspace) -> None:
        """A new Workspace on a folder this controller holds (after the demo was installed or a restore)."""
        checked = self._opened.get(ws.paths.root)
        if checked is not None:
            startup.adopt(checked, ws)

    def _show_warnings(self, checked: startup.CheckedWorkspace) -> None:
        notes = [w for w in checked.warnings if not (checked.unclean_shutdown and w.startswith("上次本软件"))]
        if notes:
            QMessageBox.warning(self._parent(), "数据文件夹的位置", "\n\n".join(notes))

    def bring_forward(self) -> None:
        """Another start on this folder: show this instance's window (or its wizard)."""
        for widget in (self.window, self.wizard, self.frame):
            if widget is not None:
                single_instance.bring_forward(widget)
                return

    def _on_already_running(self, folder: Path, exc: AlreadyRunningError) -> None:
        if not single_instance.ask_first_instance(folder, exc.holder.get("pid")):
            show_error(self._parent(), exc)
            return
        if self.window is None and self.wizard is None:
            log.info("%s is open in another instance; brought it forward, exiting", folder)
            self._drop_frame()
            self.handed_over = True
            QTimer.singleShot(0, self, self.gave_up.emit)    # with a context: never fires on a deleted controller
        else:
            QMessageBox.information(self.window, "已在另一个窗口中打开",
                                    f"数据文件夹“{folder}”已在另一个本软件窗口中打开，已切换到那个窗口。")

    def _offer_backup(self, folder: Path, exc: startup.DatabaseDamagedError) -> None:
        """The database fails its check: offer the newest good backup (the damaged file is kept aside)."""
        from app.ui.backup.damaged_dialog import ask_restore_damaged
        candidate = exc.candidate
        if candidate is None or not ask_restore_damaged(self._parent(), exc):
            if candidate is None:
                show_error(self._parent(), exc)
            return

        def done(result) -> None:
            self.recover_job = None
            if self.start(folder) and self.window is not None:
                QMessageBox.information(self.window, "已从备份恢复", result.message)

        def failed(error: BaseException) -> None:
            self.recover_job = None
            show_error(self._parent(), error)
            if self.window is None and self.wizard is None:
                self.gave_up.emit()

        def cancelled() -> None:
            self.recover_job = None
            if self.window is None and self.wizard is None:
                self.gave_up.emit()

        self.recover_job = jobs.run_with_progress(
            self._parent(), lambda ctx: startup.recover_from_backup(folder, candidate, progress=ctx.progress),
            title="从备份恢复", text="正在从备份恢复数据…", on_done=done, on_failed=failed, on_cancelled=cancelled)

    def reopen_after_restore(self, result) -> jobs.Job | None:
        """The data folder was restored from a backup: open it again (migrating an older backup) and
        rebuild the window on it, so every page shows the restored data."""
        if self.ws is None:
            return None
        root = self.ws.paths.root

        def done(ws: Workspace) -> None:
            self._adopt(ws)
            self._show_window(ws)
            QMessageBox.information(self.window, "恢复完成", result.message)

        return jobs.run_with_progress(self.window, lambda ctx: Workspace.open(root), title="重新打开数据",
                                      text="正在打开恢复后的数据…", on_done=done, cancellable=False)

    def _on_backup_timer(self) -> None:
        checked = self._opened.get(self.ws.paths.root) if self.ws is not None else None
        if checked is None:
            return
        try:
            checked.tick()
        except AppError as exc:          # housekeeping: log, never interrupt the user
            log.warning("automatic backup: %s", exc.user_message)

    def _on_window_closed(self) -> None:
        """The user closed the window: let the folder go now (backup, lock) rather than at exit."""
        window, ws = self.window, self.ws
        if window is None or ws is None:
            return
        self._backup_timer.stop()
        self.window = self.ws = None
        self._close_ws(ws)

    def _show_wizard(self, ws: Workspace) -> None:
        self._pending_ws = ws
        from app.ui.wizard.setup_wizard import SetupWizard    # only when a folder has no school yet
        self.wizard = SetupWizard(Facades(ws), self.window, settings=self.settings)
        self.wizard.demo_requested.connect(lambda: self._build_demo(ws, parent=self.wizard))
        self.wizard.restore_requested.connect(lambda: self._restore_into_empty(ws))
        self.wizard.accepted.connect(lambda: self._on_wizard_accepted(ws))
        self.wizard.rejected.connect(lambda: self._on_wizard_rejected(ws))
        self.wizard.show()
        self._drop_frame()

    def _on_wizard_accepted(self, ws: Workspace) -> None:
        self.wizard = None
        self._show_window(ws)

    def _on_wizard_rejected(self, ws: Workspace) -> None:
        self.wizard = None
        if ws is self._pending_ws:
            self._pending_ws = None
            self._close_ws(ws)
        if self.window is None and self.demo_job is None:
            self.gave_up.emit()

    def _build_demo(self, ws: Workspace, parent) -> None:
        """Build the demo school off the UI thread; only a finished demo replaces the empty folder."""
        self._pending_ws = ws
        paths = ws.paths
        root = paths.root

        def work(ctx) -> Workspace:
            scratch = demo_setup.build_demo(paths, ctx.progress)    # a cancel stops it here, nothing installed
            try:
                ws.close()
                demo_setup.install_demo(scratch, root)
                return Workspace.open(root)
            except AppError as exc:
                raise _DemoNotInstalled(exc) from exc

        def done(new_ws: Workspace) -> None:
            self.demo_job = None
            self._adopt(new_ws)
            if self.wizard is not None:
                wizard, self.wizard = self.wizard, None
                wizard.blockSignals(True)
                wizard.close_for_switch()
                wizard.deleteLater()
            self._show_window(new_ws)

        def failed(exc: BaseException) -> None:
            self.demo_job = None
            if isinstance(exc, _DemoNotInstalled):
                show_error(parent, exc.error)
                self._pending_ws = None
                self._close_ws(ws)       # lets the folder go, so it can be opened again
                self._after_demo_failed(root)
                return
            show_error(parent, exc)
            if self.wizard is None and self.window is None:
                self.gave_up.emit()

        def cancelled() -> None:
            self.demo_job = None
            if self.wizard is None and self.window is None:
                self._show_wizard(ws)

        self.demo_job = jobs.run_with_progress(parent, work, title="打开示例学校", text="正在建立示例学校…",
                                               on_done=done, on_failed=failed, on_cancelled=cancelled)

    def _restore_into_empty(self, ws: Workspace) -> None:
        """From the wizard (a new PC): restore a full backup into this still empty data folder."""
        from app.ui.backup.backup_dialog import SOURCE_FILTER
        path, _ = QFileDialog.getOpenFileName(
            self.wizard, "选择完整备份：U盘上备份文件夹中的 README-请先阅读.txt（或任意一个文件），或完整备份的压缩包",
            str(Path.home()),
            SOURCE_FILTER)
        if not path:
            return
        parent = self.wizard

        def work(ctx):
            source = backup_root_for(path)         # a file at the top of a full backup stands for its folder
            result = restore(ws, source, progress=ctx.progress)
            return result, Workspace.open(ws.paths.root)

        def done(outcome) -> None:
            result, new_ws = outcome
            self.recover_job = None
            if self.wizard is not None:
                wizard, self.wizard = self.wizard, None
                wizard.blockSignals(True)
                wizard.close_for_switch()
                wizard.deleteLater()
            self._pending_ws = None
            self._adopt(new_ws)
            self._show_window(new_ws)
            QMessageBox.information(self.window, "恢复完成", result.message)

        def failed(exc: BaseException) -> None:
            self.recover_job = None
            show_error(parent, exc)

        self.recover_job = jobs.run_with_progress(
            parent, work, title="从完整备份恢复",
            text="正在恢复数据、证据文件和学校密钥…", on_done=done, on_failed=failed,
            on_cancelled=lambda: setattr(self, "recover_job", None))

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
            self._close_ws(old_ws)
        self._pending_ws = None
        self.ws = ws
        setup_logging(ws.paths.logs)
        self.settings.remember_data_dir(str(ws.paths.root))
        self.events = AppEvents()
        if folder_kind(ws) == "district":
            # Only a district office's folder needs this window (and the workbook library it loads).
            from app.ui.district.district_window import DistrictWindow
            self.window = DistrictWindow(Facades(ws), self.events, self.settings)
        elif self.frame is not None:              # the frame shown at start-up becomes the window
            self.window, self.frame = self.frame, None
            self.window.attach(Facades(ws), self.events)
        else:
            self.window = MainWindow(Facades(ws), self.events, self.settings)
        self.window.open_folder_requested.connect(self.open_folder)
        self.window.new_folder_requested.connect(self._on_new_folder_requested)
        self.window.data_restored.connect(self.reopen_after_restore)
        self.window.closed.connect(self._on_window_closed)
        self._backup_timer.start()
        self.window.show()
        self._drop_frame()                        # a district office's folder: its own window instead
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


class _DemoNotInstalled(Exception):
    """The demo was built but could not replace the empty folder (the folder must be let go)."""

    def __init__(self, error: AppError) -> None:
        super().__init__(error.user_message)
        self.error = error


def quit_app() -> None:
    app = QApplication.instance()
    if app is not None:
        app.quit()
