"""The main window: a thin shell of navigation, pages, menus, toolbar and status bar.

Pages are listed in app.ui.pages.registry (title + module) and built the first
time they are shown. How to add a page:

1. write `app/ui/<feature>/<feature>_page.py` with a QWidget class taking
   `(ws, events, parent=None)` and a `TITLE` (subclass `app.ui.pages.base.Page`
   for lazy reloads, the 编辑 menu hooks and navigation; see its docstring);
2. add or edit its entry in `registry.PAGES` (title, "module:Class", shortcut).

Navigation from anywhere: `window.go_to("教师", teacher_id=12)`; a page asks
for it by emitting `navigate_requested(title, teacher_id, record_id, kind)`.
Switching data folders is the controller's job (app.ui.controller): the window
only emits `open_folder_requested` / `new_folder_requested`.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QMessageBox, QStackedWidget, QStyle, QToolBar, QWidget)

from app import APP_NAME, __version__
from app.services import backups
from app.services.school import get_school
from app.ui import jobs
from app.ui.pages import registry
from app.ui.widgets.page_frame import PageFrame
from app.ui.widgets.screen_fit import resize_to_screen
from app.ui.settings import LAST_DATA_DIR_PARENT, LAST_PAGE, WINDOW_GEOMETRY, WINDOW_STATE, Settings

log = logging.getLogger(__name__)

EDIT_METHODS = {"add": "add_record", "edit": "edit_record", "delete": "delete_record", "search": "focus_search"}
MIN_WIDTH, MIN_HEIGHT = 760, 480



class MainWindow(QMainWindow):
    open_folder_requested = Signal(str)
    new_folder_requested = Signal(str)
    data_restored = Signal(object)       # a RestoreResult: the controller reopens the folder
    closed = Signal()                    # the user closed the window (not a folder switch)

    def __init__(self, ws, events, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.events, self.settings = ws, events, settings
        self._pages: dict[str, QWidget] = {}
        self._closing_for_switch = False
        self.setWindowTitle(APP_NAME)
        # Fits a 1024×600 netbook (and 1280×720 at 150 %) with the taskbar and title bar taken off.
        self.setMinimumSize(QSize(MIN_WIDTH, MIN_HEIGHT))
        self._build_ui()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._connect_signals()
        self.refresh_status()
        self._restore_window()

    def _build_ui(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(150)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
            action.setShortcut(QKeySequence(shortcut))
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
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_add, self.act_edit, self.act_delete):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_search)
        tb.addAction(self.act_refresh)
        tb.addSeparator()
        tb.addAction(self.act_backup)
        tb.addAction(self.act_open_folder)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb

    def _connect_signals(self) -> None:
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.events.school_changed.connect(self.refresh_status)
        self.events.data_changed.connect(self.refresh_status)

    def page(self, title: str) -> QWidget:
        """The page with this title, built on first use."""
        if title not in self._pages:
            cls = registry.page_class(registry.spec_for(title))
            page = cls(self.ws, self.events)
            if hasattr(page, "navigate_requested"):
                page.navigate_requested.connect(self._on_page_navigate_requested)
            self._pages[title] = page
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
              kind: str | None = None) -> QWidget:
        """Show a page; with ids, select the record there (as a finding's link does)."""
        row = registry.TITLES.index(title)
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

    def refresh_status(self) -> None:
        school = get_school(self.ws)
        name = school.name if school else "（尚未设置学校）"
        self.status_school.setText(f"学校：{name}")
        self.status_programme.setText(f"项目方案：{school.programme_name if school else '—'}")
        self.status_folder.setText(f"数据文件夹：{self.ws.paths.root}")
        self.status_folder.setToolTip(str(self.ws.paths.root))
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
        self.go_to(last if last in registry.TITLES else registry.TITLES[0])

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
        if jobs.active_jobs() and not self._closing_for_switch:
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
        if row < 0:
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
        start = self.settings.get(LAST_DATA_DIR_PARENT) or str(self.ws.paths.root.parent)
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
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ws.paths.root)))

    def _on_export_public_key(self) -> None:
        from app.services import keys
        from app.ui.errors import show_error
        school = get_school(self.ws)
        suggested = Path(self.settings.get(LAST_DATA_DIR_PARENT) or Path.home()) / f"{school.code}_{school.name}_公钥.pub"
        path, _ = QFileDialog.getSaveFileName(self, "导出本校公钥（交区县登记）", str(suggested), "minisign 公钥 (*.pub)")
        if not path:
            return
        try:
            written = keys.export_public(self.ws, Path(path))
            info = keys.school_key(self.ws)
        except Exception as exc:                  # noqa: BLE001 - shown as a Chinese message, logged if unexpected
            show_error(self, exc)
            return
        QMessageBox.information(self, "公钥已导出",
                                f"本校公钥已保存到：\n{written}\n\n密钥指纹：{info.fingerprint}\n\n"
                                "请连同盖章的“密钥登记表”（导出与打印 › 打印签字确认表和公示表 › 密钥登记表）一起交区县登记。")

    def _on_import_receipt(self) -> None:
        from app.ui.district.school_side import import_receipt_file
        import_receipt_file(self, self.ws, self.events)

    def _on_manual(self) -> None:
        from app.ui.manual_window import show_manual
        show_manual(self)

    def _on_show_logs(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ws.paths.logs)))

    def _on_backup(self) -> None:
        def done(path) -> None:
            self.statusBar().showMessage(f"已备份：{path.name}（位于数据文件夹的 backups 目录）", 10000)
        jobs.run_with_progress(self, lambda ctx: backups.snapshot(self.ws.paths, "manual"), title="备份数据",
                               text="正在备份本校数据库…", on_done=done, cancellable=False)

    def _on_backups(self) -> None:
        from app.ui.backup.backup_dialog import open_backup_dialog
        open_backup_dialog(self)

    def _on_import(self, kind: str) -> None:
        from app.ui.importing.actions import open_import_dialog
        open_import_dialog(self, self.ws, self.events, kind)

    def _on_about(self) -> None:
        QMessageBox.about(self, f"关于 {APP_NAME}",
                          f"<h3>{APP_NAME}</h3><p>版本 {__version__}</p>"
                          "<p>中小学教师信息技术应用能力提升工程2.0 整校推进的离线管理工具：教师、学时、微能力、"
                          "证据、校本考核与报送材料。</p>"
                          f"<p>数据文件夹：{self.ws.paths.root}</p>")
