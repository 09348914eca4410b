"""The main window: a thin shell of navigation, pages, menus, toolbar and status bar.

Pages are listed in app.ui.pages.registry (title + module) and built the first
time they are shown. How to add a page:

1. write `app/ui/<feature>/<feature>_page.py` with a QWidget class taking
   `(api, events, parent=None)` and a `TITLE` (subclass `app.ui.pages.base.Page`
   for lazy reloads, the 编辑 menu hooks and navigation; see its docstring);
2. add or edit its entry in `registry.PAGES` (title, "module:Class", shortcut).

Navigation from anywhere: `window.go_to("教师", teacher_id=12)`; a page asks
for it by emitting `navigate_requested(title, teacher_id, record_id, kind)`.
Switching data folders is the controller's job (app.ui.controller): the window
only emits `open_folder_requested` / `new_folder_requested`.

At start-up the window is shown before any data is open (app.ui.opening): built with
`api=None` it is the whole frame – menus, toolbar, navigation, status bar, its saved size and
place – with a page that says the school's data is being opened, and the actions that need
the data greyed out. `attach(api, events)` then fills it in. This module imports only Qt and
light app modules, so that frame is painted before the database layer is even loaded.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path

from PySide6.QtCore import QSize, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QMessageBox, QStackedWidget, QStyle, QToolBar, QWidget)

from app import APP_NAME, __version__
from app.ui import jobs
from app.ui.pages import registry
from app.ui.widgets.opening_page import OpeningPage
from app.ui.widgets.screen_fit import resize_to_screen
from app.ui.settings import LAST_DATA_DIR_PARENT, LAST_PAGE, WINDOW_GEOMETRY, WINDOW_STATE, Settings

log = logging.getLogger(__name__)

EDIT_METHODS = {"add": "add_record", "edit": "edit_record", "delete": "delete_record", "search": "focus_search"}
MIN_WIDTH, MIN_HEIGHT = 760, 480

# The window is painted before anything else is loaded (app.ui.opening), so the frame does not touch
# PySide6's `Qt` namespace: turning its hundred-odd enums into Python enums takes PySide6 about 15 ms,
# a tenth of what a bare Qt program needs to show a window. The few settings the frame needs from it
# are Qt properties, set by the enum key's name (Qt converts the name).


class MainWindow(QMainWindow):
    open_folder_requested = Signal(str)
    new_folder_requested = Signal(str)
    data_restored = Signal(object)       # a RestoreResult: the controller reopens the folder
    closed = Signal()                    # the user closed the window (not a folder switch)

    def __init__(self, api, events, settings: Settings, parent: QWidget | None = None, *,
                 folder: Path | None = None) -> None:
        """With api=None: the frame shown while the data folder `folder` is being opened (see attach)."""
        super().__init__(parent)
        self.api, self.events, self.settings = None, None, settings
        self.school = None                   # the SchoolRow shown in the title and status bar
        self._pages: dict[str, QWidget] = {}
        self._closing_for_switch = False
        self.setWindowTitle(APP_NAME)
        # Fits a 1024×600 netbook (and 1280×720 at 150 %) with the taskbar and title bar taken off.
        self.setMinimumSize(QSize(MIN_WIDTH, MIN_HEIGHT))
        self._build_ui()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._restore_window()
        if api is not None:
            self.attach(api, events)
        else:
            self._show_opening(folder)

    @property
    def opening(self) -> bool:
        """True while the window is the frame waiting for its data (before attach)."""
        return self.api is None

    def _show_opening(self, folder: Path | None) -> None:
        self._opening_page = OpeningPage(folder)
        self.stack.addWidget(self._opening_page)
        self.stack.setCurrentWidget(self._opening_page)
        if folder is not None:
            self.status_folder.setText(f"数据文件夹：{folder}")
            self.status_folder.setToolTip(str(folder))
        for action in self._data_actions():
            action.setEnabled(False)

    def attach(self, api, events) -> None:
        """Fill the frame with an open data folder: its school in the title and status bar, and the
        page chosen in the navigation (the last one used, or one the user picked meanwhile)."""
        self.api, self.events = api, events
        self.events.school_changed.connect(self.refresh_status)
        self.events.data_changed.connect(self.refresh_status)
        for action in self._data_actions():
            action.setEnabled(True)
        self.refresh_status()
        opening = getattr(self, "_opening_page", None)
        row = self.nav.currentRow()
        self.go_to(registry.TITLES[row] if row >= 0 else registry.TITLES[0])
        self._update_edit_actions()
        if opening is not None:
            self.stack.removeWidget(opening)
            opening.deleteLater()
            self._opening_page = None

    def _data_actions(self) -> list[QAction]:
        """Every action that needs the open data folder (greyed out while it is being opened)."""
        keep = {self.act_quit, self.act_manual, self.act_about, *self.page_actions}
        return [a for a in self.findChildren(QAction) if a.parent() is self and a not in keep]

    def _build_ui(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(150)
        self.nav.setProperty("horizontalScrollBarPolicy", "ScrollBarAlwaysOff")
        for spec in registry.PAGES:
            item = QListWidgetItem(spec.title)
            item.setToolTip(f"{spec.title}（{QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)}）")
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status_school, self.status_programme, self.status_folder = QLabel(), QLabel(), QLabel()
        for label in (self.status_school, self.status_programme, self.status_folder):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)

    def _action(self, text: str, slot, shortcut=None, icon: QStyle.StandardPixmap | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcuts([QKeySequence(shortcut)])     # setShortcut's overloads would load `Qt`
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.act_new_folder = self._action("新建数据文件夹…", self._on_new_folder, "Ctrl+Shift+N", sp.SP_FileDialogNewFolder,
                                           "为另一所学校新建一个空的数据文件夹")
        self.act_open_folder = self._action("打开数据文件夹…", self._on_open_folder, QKeySequence.StandardKey.Open,
                                            sp.SP_DirOpenIcon, "切换到另一所学校的数据文件夹")
        self.act_show_folder = self._action("在文件管理器中显示数据文件夹", self._on_show_folder)
        self.act_backup = self._action("立即备份", self._on_backup, "Ctrl+B", sp.SP_DriveHDIcon,
                                       "把本校数据库备份到数据文件夹的 backups 目录")
        self.act_import_receipt = self._action("导入区县回执…", self._on_import_receipt,
                                               tip="导入区县签发的回执；首页显示“区县已接收 · 日期”")
        self.act_export_key = self._action("导出本校公钥…", self._on_export_public_key,
                                           tip="把本校签名公钥保存为 .pub 文件，交区县登记（区县用它核验报送包）")
        self.act_verify = self._action("核验报送包…", lambda: self.page("导出与打印").open_verify(), tip="检查报送包是否完整、未被改动")
        self.act_backups = self._action("备份与恢复…", self._on_backups, tip="查看全部备份、完整备份到U盘、从备份恢复")
        self.act_import_roster = self._action("导入教师名单…", lambda: self._on_import("roster"),
                                              tip="从 Excel/WPS 表格导入教师花名册")
        self.act_import_hours = self._action("导入学时…", lambda: self._on_import("hours"),
                                             tip="从研修平台导出的学时表或导入模板导入学时")
        self.act_quit = self._action("退出", self.close, QKeySequence.StandardKey.Quit)
        self.act_add = self._action("新增…", lambda: self._dispatch("add"), QKeySequence.StandardKey.New,
                                    sp.SP_FileIcon, "新增一条记录")
        self.act_edit = self._action("修改…", lambda: self._dispatch("edit"), "Ctrl+E", sp.SP_FileDialogDetailedView,
                                     "修改选中的记录")
        self.act_delete = self._action("删除…", lambda: self._dispatch("delete"), QKeySequence.StandardKey.Delete,
                                       sp.SP_TrashIcon, "删除选中的记录")
        self.act_search = self._action("查找", lambda: self._dispatch("search"), QKeySequence.StandardKey.Find,
                                       sp.SP_FileDialogContentsView, "在当前列表中搜索")
        self.act_refresh = self._action("刷新", self._on_refresh, QKeySequence.StandardKey.Refresh, sp.SP_BrowserReload,
                                        "重新读取当前页面的数据")
        self.act_about = self._action("关于…", self._on_about)
        self.act_logs = self._action("打开日志文件夹", self._on_show_logs)
        self.act_manual = self._action("用户手册", self._on_manual, QKeySequence.StandardKey.HelpContents,
                                       tip="打开用户手册：安装、设置、一学年的工作流程、报送与核验、备份")
        self.page_actions = []
        for spec in registry.PAGES:
            act = self._action(spec.title, lambda t=spec.title: self.go_to(t), spec.shortcut)
            self.page_actions.append(act)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("文件(&F)")
        for a in (self.act_new_folder, self.act_open_folder, self.act_show_folder):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_import_roster)
        m.addAction(self.act_import_hours)
        m.addSeparator()
        m.addAction(self.act_backup)
        m.addAction(self.act_backups)
        m.addAction(self.act_verify)
        m.addAction(self.act_export_key)
        m.addAction(self.act_import_receipt)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = bar.addMenu("编辑(&E)")
        for a in (self.act_add, self.act_edit, self.act_delete):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_search)
        m = bar.addMenu("视图(&V)")
        for a in self.page_actions:
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_refresh)
        m = bar.addMenu("帮助(&H)")
        m.addAction(self.act_manual)
        m.addAction(self.act_logs)
        m.addSeparator()
        m.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = QToolBar("工具栏")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(QSize(18, 18))
        tb.setProperty("toolButtonStyle", "ToolButtonTextBesideIcon")
        for a in (self.act_add, self.act_edit, self.act_delete):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_search)
        tb.addAction(self.act_refresh)
        tb.addSeparator()
        tb.addAction(self.act_backup)
        tb.addAction(self.act_open_folder)
        self.addToolBar(tb)                      # at the top
        self.toolbar = tb

    def page(self, title: str) -> QWidget:
        """The page with this title, built on first use."""
        if title not in self._pages:
            cls = registry.page_class(registry.spec_for(title))
            page = cls(self.api, self.events)
            if hasattr(page, "navigate_requested"):
                page.navigate_requested.connect(self._on_page_navigate_requested)
            self._pages[title] = page
            from app.ui.widgets.page_frame import PageFrame
            self.stack.addWidget(PageFrame(page))     # scrolls on a screen too small for the page
        return self._pages[title]

    def built_pages(self) -> dict[str, QWidget]:
        return dict(self._pages)

    def current_title(self) -> str:
        row = self.nav.currentRow()
        return registry.TITLES[row] if row >= 0 else ""

    def current_page(self) -> QWidget | None:
        title = self.current_title()
        return self._pages.get(title) if title else None

    def go_to(self, title: str, teacher_id: int | None = None, record_id: int | None = None,
              kind: str | None = None) -> QWidget | None:
        """Show a page; with ids, select the record there (as a finding's link does).

        While the data is being opened only the navigation moves (None): attach shows that page."""
        row = registry.TITLES.index(title)
        if self.opening:
            self.nav.setCurrentRow(row)
            return None
        page = self.page(title)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)      # → _on_nav_current_row_changed shows the page
        else:
            self.stack.setCurrentWidget(page.parentWidget().parentWidget())     # its PageFrame
        if teacher_id is not None or record_id is not None or kind is not None:
            self._navigate_within(page, teacher_id, record_id, kind)
        return page

    def _navigate_within(self, page: QWidget, teacher_id, record_id, kind) -> None:
        if hasattr(page, "ensure_loaded"):
            page.ensure_loaded()
        if hasattr(page, "show_record"):
            page.show_record(teacher_id=teacher_id, record_id=record_id, kind=kind)
        elif teacher_id is not None and hasattr(page, "show_teacher"):
            params = inspect.signature(page.show_teacher).parameters
            if "record_id" in params:
                page.show_teacher(teacher_id, record_id=record_id)
            else:
                page.show_teacher(teacher_id)

    def refresh_status(self) -> jobs.Job:
        """Read the school in the background, then show it in the title and the status bar."""
        self.status_folder.setText(f"数据文件夹：{self.api.folder.root}")
        self.status_folder.setToolTip(str(self.api.folder.root))
        return jobs.run_in_background(self, lambda ctx: self.api.school.get_school(), on_done=self._show_school)

    def _show_school(self, school) -> None:
        self.school = school
        name = school.name if school else "（尚未设置学校）"
        self.status_school.setText(f"学校：{name}")
        self.status_programme.setText(f"项目方案：{school.programme_name if school else '—'}")
        self.setWindowTitle(f"{name} — {APP_NAME}" if school else APP_NAME)

    def _update_edit_actions(self) -> None:
        page = self.current_page()
        supports = getattr(page, "SUPPORTS", frozenset()) if page is not None else frozenset()
        for name, action in (("add", self.act_add), ("edit", self.act_edit), ("delete", self.act_delete),
                             ("search", self.act_search)):
            action.setEnabled(name in supports and hasattr(page, EDIT_METHODS[name]))

    def _dispatch(self, name: str) -> None:
        page = self.current_page()
        method = getattr(page, EDIT_METHODS[name], None) if page is not None else None
        if method is not None and name in getattr(page, "SUPPORTS", frozenset()):
            method()

    def _restore_window(self) -> None:
        geometry = self.settings.get(WINDOW_GEOMETRY)
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            resize_to_screen(self, 1366, 768)
        else:                        # saved on a bigger screen (or a projector): shrink to this one
            resize_to_screen(self, self.width(), self.height())
        state = self.settings.get(WINDOW_STATE)
        if not state.isEmpty():
            self.restoreState(state)
        last = self.settings.get(LAST_PAGE)
        self.nav.setCurrentRow(registry.TITLES.index(last if last in registry.TITLES else registry.TITLES[0]))

    def save_window_state(self) -> None:
        self.settings.set(WINDOW_GEOMETRY, self.saveGeometry())
        self.settings.set(WINDOW_STATE, self.saveState())
        if self.current_title():
            self.settings.set(LAST_PAGE, self.current_title())
        self.settings.sync()

    def close_for_switch(self) -> None:
        """Close without questions (the controller has already stopped the jobs)."""
        self._closing_for_switch = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if jobs.active_jobs() and not self._closing_for_switch and not self.opening:
            answer = QMessageBox.question(self, "正在处理", "还有操作正在进行。要取消这些操作并退出吗？\n（取消的操作不会留下任何更改。）",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                          QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            jobs.cancel_all()
            jobs.wait_idle(15000)
        self.save_window_state()
        event.accept()
        if not self._closing_for_switch:
            self.closed.emit()

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row < 0 or self.opening:          # attach shows the page chosen meanwhile
            return
        page = self.page(registry.TITLES[row])
        self.stack.setCurrentWidget(page.parentWidget().parentWidget())     # its PageFrame
        self._update_edit_actions()

    def _on_page_navigate_requested(self, title: str, teacher_id, record_id, kind) -> None:
        self.go_to(title, teacher_id=teacher_id, record_id=record_id, kind=kind)

    def _on_refresh(self) -> None:
        page = self.current_page()
        if page is not None and hasattr(page, "refresh"):
            page.refresh()
        self.refresh_status()

    def _ask_folder(self, caption: str) -> str:
        start = self.settings.get(LAST_DATA_DIR_PARENT) or str(self.api.folder.root.parent)
        folder = QFileDialog.getExistingDirectory(self, caption, start)
        if folder:
            from pathlib import Path
            self.settings.set(LAST_DATA_DIR_PARENT, str(Path(folder).parent))
        return folder

    def _on_open_folder(self) -> None:
        folder = self._ask_folder("打开数据文件夹（选择一所学校的数据文件夹）")
        if folder:
            self.open_folder_requested.emit(folder)

    def _on_new_folder(self) -> None:
        folder = self._ask_folder("新建数据文件夹（请选择或新建一个空文件夹）")
        if folder:
            self.new_folder_requested.emit(folder)

    def _on_show_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.api.folder.root)))

    def _on_export_public_key(self) -> jobs.Job | None:
        school = self.school
        stem = f"{school.code}_{school.name}_公钥.pub" if school else "学校公钥.pub"
        suggested = Path(self.settings.get(LAST_DATA_DIR_PARENT) or Path.home()) / stem
        path, _ = QFileDialog.getSaveFileName(self, "导出本校公钥（交区县登记）", str(suggested), "minisign 公钥 (*.pub)")
        if not path:
            return None
        api = self.api.export

        def work(ctx):
            return api.export_public(Path(path)), api.school_key()

        def done(outcome) -> None:
            written, info = outcome
            QMessageBox.information(self, "公钥已导出",
                                    f"本校公钥已保存到：\n{written}\n\n密钥指纹：{info.fingerprint}\n\n"
                                    "请连同盖章的“密钥登记表”（导出与打印 › 打印签字确认表和公示表 › 密钥登记表）一起交区县登记。")

        return jobs.run_with_progress(self, work, title="导出本校公钥", on_done=done, cancellable=False)

    def _on_import_receipt(self) -> None:
        from app.ui.district.school_side import import_receipt_file
        import_receipt_file(self, self.api.receipts)

    def _on_manual(self) -> None:
        from app.ui.manual_window import show_manual
        show_manual(self)

    def _on_show_logs(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.api.folder.logs)))

    def _on_backup(self) -> None:
        def done(path) -> None:
            self.statusBar().showMessage(f"已备份：{path.name}（位于数据文件夹的 backups 目录）", 10000)
        jobs.run_with_progress(self, lambda ctx: self.api.backup.snapshot("manual"), title="备份数据",
                               text="正在备份本校数据库…", on_done=done, cancellable=False)

    def _on_backups(self) -> None:
        from app.ui.backup.backup_dialog import open_backup_dialog
        open_backup_dialog(self)

    def _on_import(self, kind: str) -> None:
        from app.ui.importing.actions import open_import_dialog
        open_import_dialog(self, self.api, kind)

    def _on_about(self) -> None:
        QMessageBox.about(self, f"关于 {APP_NAME}",
                          f"<h3>{APP_NAME}</h3><p>版本 {__version__}</p>"
                          "<p>中小学教师信息技术应用能力提升工程2.0 整校推进的离线管理工具：教师、学时、微能力、"
                          "证据、校本考核与报送材料。</p>"
                          + (f"<p>数据文件夹：{self.api.folder.root}</p>" if self.api is not None else ""))
