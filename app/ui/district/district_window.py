"""The district office's main window: a thin shell of navigation and pages (PAGES below).

Opened by the controller for a data folder whose office is a district's. Like the school's
window it emits `open_folder_requested` / `new_folder_requested` and `closed`, and closes without
questions on `close_for_switch()`.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QMainWindow, QMessageBox, QStackedWidget,
                               QWidget)

from app import APP_NAME, __version__
from app.services import backups, keys
from app.services.district.office import OfficeInfo, office_info
from app.services.district.publish import publish_programme
from app.ui import jobs
from app.ui.district.county_page import CountyPage
from app.ui.district.duplicates_page import DuplicatesPage
from app.ui.district.intake_page import IntakePage
from app.ui.district.keys_page import KeysPage
from app.ui.district.paper_page import PaperPage
from app.ui.district.receipts_page import ReceiptsPage
from app.ui.district.recheck_page import RecheckPage
from app.ui.district.versions_page import VersionsPage
from app.ui.settings import LAST_DATA_DIR_PARENT, Settings
from app.ui.widgets.page_frame import PageFrame
from app.ui.widgets.screen_fit import resize_to_screen

PAGES = (CountyPage, IntakePage, KeysPage, PaperPage, RecheckPage, VersionsPage, ReceiptsPage, DuplicatesPage)
TITLES = tuple(p.TITLE for p in PAGES)
MIN_WIDTH, MIN_HEIGHT = 760, 480


class DistrictWindow(QMainWindow):
    open_folder_requested = Signal(str)
    new_folder_requested = Signal(str)
    data_restored = Signal(object)
    closed = Signal()

    def __init__(self, ws, events, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.events, self.settings = ws, events, settings
        self.info: OfficeInfo | None = None
        self._pages: dict[str, QWidget] = {}
        self._closing_for_switch = False
        self.setWindowTitle(f"区县项目办 — {APP_NAME}")
        self.setMinimumSize(QSize(MIN_WIDTH, MIN_HEIGHT))
        self._build_ui()
        self._build_menus()
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        resize_to_screen(self, 1366, 768)
        self.go_to(TITLES[0])
        jobs.run_in_background(self, lambda ctx: office_info(ws), on_done=self._on_info_loaded)

    def _build_ui(self) -> None:
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(150)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.addItems(list(TITLES))
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status_office, self.status_key, self.status_folder = QLabel(), QLabel(), QLabel()
        for label in (self.status_office, self.status_key, self.status_folder):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        self.status_folder.setText(f"数据文件夹：{self.ws.paths.root}")

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("文件(&F)")
        m.addAction(self._action("新建数据文件夹…", lambda: self._ask_folder(True), "Ctrl+Shift+N"))
        m.addAction(self._action("打开数据文件夹…", lambda: self._ask_folder(False), QKeySequence.StandardKey.Open))
        m.addAction(self._action("在文件管理器中显示数据文件夹",
                                 lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ws.paths.root)))))
        m.addSeparator()
        m.addAction(self._action("立即备份", self._on_backup, "Ctrl+B", "把区县数据库备份到数据文件夹的 backups 目录"))
        m.addSeparator()
        m.addAction(self._action("退出", self.close, QKeySequence.StandardKey.Quit))
        m = bar.addMenu("区县(&D)")
        m.addAction(self._action("接收报送包…", lambda: self.go_to("接收报送包").ingest_button.showMenu(), "Ctrl+I"))
        m.addAction(self._action("导出区县公钥…", self._on_export_key, tip="交给各校，用于核对回执和区县方案"))
        m.addAction(self._action("发布区县项目方案…", self._on_publish,
                                 tip="把区县现行项目方案写成签名文件，学校导入后报送包注明该方案"))
        m.addAction(self._action("重新复核全部学校", lambda: self.go_to("规则复核").rerun()))
        m = bar.addMenu("视图(&V)")
        for n, title in enumerate(TITLES, 1):
            m.addAction(self._action(title, lambda t=title: self.go_to(t), f"Ctrl+{n}"))
        m.addSeparator()
        m.addAction(self._action("刷新", self._on_refresh, QKeySequence.StandardKey.Refresh))
        m = bar.addMenu("帮助(&H)")
        m.addAction(self._action("用户手册", self._on_manual, QKeySequence.StandardKey.HelpContents))
        m.addAction(self._action("关于…", self._on_about))

    def page(self, title: str) -> QWidget:
        if title not in self._pages:
            cls = PAGES[TITLES.index(title)]
            page = cls(self.ws, self.events)
            self._pages[title] = page
            self.stack.addWidget(PageFrame(page))
        return self._pages[title]

    def built_pages(self) -> dict[str, QWidget]:
        return dict(self._pages)

    def current_title(self) -> str:
        row = self.nav.currentRow()
        return TITLES[row] if row >= 0 else ""

    def go_to(self, title: str, *_args, **_kw) -> QWidget:
        page = self.page(title)
        row = TITLES.index(title)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)
        else:
            self.stack.setCurrentWidget(page.parentWidget().parentWidget())
        return page

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row >= 0:
            page = self.page(TITLES[row])
            self.stack.setCurrentWidget(page.parentWidget().parentWidget())

    def _on_info_loaded(self, info: OfficeInfo) -> None:
        self.info = info
        self.setWindowTitle(f"{info.name} · 区县项目办 — {APP_NAME}")
        self.status_office.setText(f"区县：{info.name}（{info.code}）· 方案：{info.programme_name}")
        self.status_key.setText(f"区县公钥指纹：{info.fingerprint}")

    def _on_refresh(self) -> None:
        page = self._pages.get(self.current_title())
        if page is not None and hasattr(page, "refresh"):
            page.refresh()

    def _ask_folder(self, new: bool) -> None:
        start = self.settings.get(LAST_DATA_DIR_PARENT) or str(self.ws.paths.root.parent)
        folder = QFileDialog.getExistingDirectory(self, "新建数据文件夹" if new else "打开数据文件夹", start)
        if folder:
            (self.new_folder_requested if new else self.open_folder_requested).emit(folder)

    def _on_backup(self) -> None:
        jobs.run_with_progress(self, lambda ctx: backups.snapshot(self.ws.paths, "manual"), title="备份数据",
                               text="正在备份区县数据库…", cancellable=False,
                               on_done=lambda p: self.statusBar().showMessage(f"已备份：{p.name}", 10000))

    def _on_export_key(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出区县公钥", "区县公钥.pub", "minisign 公钥 (*.pub)")
        if not path:
            return
        ws = self.ws

        def work(ctx):
            return keys.export_public(ws, path), keys.school_key(ws).fingerprint

        jobs.run_in_background(self, work, on_done=lambda r: QMessageBox.information(
            self, "区县公钥已导出", f"{r[0]}\n\n指纹：{r[1]}\n请把公钥文件交给各校，并公布指纹，学校据此核对回执。"))

    def _on_publish(self, path: str | None = None) -> None:
        if path is None:
            path = QFileDialog.getExistingDirectory(self, "发布区县项目方案：选择写入的文件夹", "")
        if not path:
            return
        ws = self.ws
        jobs.run_in_background(self, lambda ctx: publish_programme(ws, path), on_done=lambda r: QMessageBox.information(
            self, "区县项目方案已发布", f"{r.path}\n方案哈希 {r.hash[:16]}\n\n连同签名文件和区县公钥交给各校，"
            "学校用“学校信息 › 项目方案 › 从文件导入”（或 tisheng programme import）导入。"))

    def _on_manual(self) -> None:
        from app.ui.manual_window import show_manual
        show_manual(self)

    def _on_about(self) -> None:
        QMessageBox.about(self, f"关于 {APP_NAME}", f"<h3>{APP_NAME}</h3><p>版本 {__version__}</p><p>区县项目办模式：接收各校报送包、"
                          f"登记学校公钥、复核、回执和全县总览。</p><p>数据文件夹：{self.ws.paths.root}</p>")

    def close_for_switch(self) -> None:
        self._closing_for_switch = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if jobs.active_jobs() and not self._closing_for_switch:
            answer = QMessageBox.question(self, "正在处理", "还有操作正在进行。要取消这些操作并退出吗？",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                          QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            jobs.cancel_all()
            jobs.wait_idle(15000)
        event.accept()
        if not self._closing_for_switch:
            self.closed.emit()
