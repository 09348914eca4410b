"""备份与恢复: every backup of this school's data with its date, kind, size and check; back up now;
a full backup to a USB stick or folder; restore one (one confirmation, the current state is backed
up first); restore from a file.

    open_backup_dialog(window)      # 文件 › 备份与恢复…

A restore closes the database; the dialog then emits `restored(result)` and the
main window hands it to the controller, which opens the folder again and
rebuilds the window on the restored data.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.services.backup.restore import RestoreResult
from app.services.backup.snapshot import BackupInfo, BackupResult
from app.services.backup.source import backup_root_for, inspect_backup
from app.ui import jobs
from app.ui.backup.backup_table_model import BackupTableModel, Col, human_size
from app.ui.settings import Key, Settings
from app.ui.widgets.screen_fit import resize_to_screen

LAST_BACKUP_DIR = Key("paths/last_backup_dir", "")
SOURCE_FILTER = "本软件的备份 (*.sqlite3 *.zip *.txt manifest.json);;所有文件 (*)"
INTRO = ("本软件会自动备份：有改动时每 30 分钟最多一次、关闭软件时、每次导入和恢复之前。较早的备份会逐步精简"
         "（保留最近两天的全部备份，之后每天、每周、每月各留一份）。这些备份和数据在同一块硬盘上；"
         "请定期用“完整备份到U盘/文件夹…”另存一份（含证据文件和学校密钥，可用于换电脑）。")


def open_backup_dialog(window) -> "BackupDialog":
    """Show the dialog over the main window (window-modal, never blocking); a restore reloads the window."""
    dialog = BackupDialog(window.api, window)
    dialog.restored.connect(window.data_restored.emit)
    dialog.open()
    return dialog


class BackupDialog(QDialog):
    restored = Signal(object)            # RestoreResult; the database was replaced

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.job: jobs.Job | None = None
        self._check_job: jobs.Job | None = None
        self.setWindowTitle("备份与恢复")
        self.setMinimumSize(720, 420)
        resize_to_screen(self, 860, 520)
        self._build_ui()
        self._connect_signals()
        self.reload()

    def _build_ui(self) -> None:
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        self.folder_label = QLabel()
        self.folder_label.setObjectName("backupFolder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder_button = QPushButton("打开备份文件夹")
        top = QHBoxLayout()
        top.addWidget(self.folder_label, 1)
        top.addWidget(self.open_folder_button)

        self.model = BackupTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(BackupTableModel.SORT_ROLE)
        self.view = QTableView()
        self.view.setObjectName("backupTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(Col.WHEN, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in ((Col.WHEN, 170), (Col.KIND, 150), (Col.SIZE, 90), (Col.CHECK, 70)):
            self.view.setColumnWidth(col, width)
        self.empty_label = QLabel("还没有备份。点“立即备份”备份一次。")
        self.empty_label.setProperty("role", "hint")
        self.selection_label = QLabel()
        self.selection_label.setObjectName("selectionLabel")
        self.selection_label.setWordWrap(True)

        self.backup_button = QPushButton("立即备份")
        self.backup_button.setToolTip("把本校数据库备份到数据文件夹的 backups 目录")
        self.full_button = QPushButton("完整备份到U盘/文件夹…")
        self.full_button.setToolTip("数据库、全部证据文件和学校密钥，可带到新电脑上恢复")
        self.restore_button = QPushButton("恢复所选…")
        self.restore_button.setEnabled(False)
        self.restore_file_button = QPushButton("从文件恢复…")
        self.restore_file_button.setToolTip("从U盘上的完整备份文件夹、其压缩包或数据库备份文件（.sqlite3）恢复")
        self.close_button = QPushButton("关闭")
        buttons = QHBoxLayout()
        for b in (self.backup_button, self.full_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.restore_button, self.restore_file_button, self.close_button):
            buttons.addWidget(b)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.empty_label)
        lay.addWidget(self.selection_label)
        lay.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.backup_button.clicked.connect(self.backup_now)
        self.full_button.clicked.connect(self.full_backup)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button.clicked.connect(self.restore_from_file)
        self.close_button.clicked.connect(self.reject)
        self.open_folder_button.clicked.connect(self._on_open_folder_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.doubleClicked.connect(lambda _i: self.restore_selected())

    # ------------------------------------------------------------------ listing

    def reload(self, select: Path | None = None, note: str = "") -> jobs.Job:
        """List the backups (names and sizes), then check each one, both in the background;
        then select `select` and say `note`."""
        backup = self.api.backup
        return jobs.run_in_background(self, lambda ctx: backup.list_backups(),
                                      on_done=lambda found: self._on_listed(found, select, note), touches_db=False)

    def _on_listed(self, found, select: Path | None = None, note: str = "") -> None:
        self.model.set_rows(found)
        total = sum(b.size for b in found)
        self.folder_label.setText(f"备份文件夹：{self.api.folder.backups}　共 {len(found)} 份，{human_size(total)}")
        self.empty_label.setVisible(not found)
        self._on_selection_changed()
        if self._check_job is not None:
            self._check_job.cancel()
        if found:
            backup = self.api.backup
            self._check_job = jobs.run_in_background(self, lambda ctx: backup.list_backups(check=True),
                                                     on_done=self._on_checked, touches_db=False)
        if select is not None:
            self.select_path(select)
        if note:
            self.selection_label.setText(note)

    def _on_checked(self, checked) -> None:
        self._check_job = None
        self.model.set_checked(checked)
        self._on_selection_changed()

    def selected(self) -> BackupInfo | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(BackupTableModel.ROW_ROLE) if rows else None

    def select_path(self, path: Path) -> bool:
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if index.data(BackupTableModel.ROW_ROLE).path == path:
                self.view.selectRow(r)
                self.view.scrollTo(index)
                return True
        return False

    def _on_selection_changed(self, *args) -> None:
        b = self.selected()
        self.restore_button.setEnabled(b is not None and b.ok is not False and self.job is None)
        if b is None:
            self.selection_label.setText("选中一份备份后可以恢复。")
        elif b.ok is False:
            self.selection_label.setText(f"<span style='color:#c62828'>这份备份已损坏，不能用于恢复：{b.problem}</span>")
        else:
            self.selection_label.setText(f"选中：{b.created:%Y-%m-%d %H:%M} 的{b.label}（{b.path.name}）")

    # ------------------------------------------------------------------ backing up

    def backup_now(self) -> jobs.Job:
        backup = self.api.backup

        def done(result: BackupResult) -> None:
            self._finish_job()
            self.reload(select=result.path, note=f"已备份：{result.path.name}（{human_size(result.bytes)}）")

        return self._run(lambda ctx: backup.make_backup(progress=ctx.progress), "立即备份", "正在备份本校数据库…",
                         done, cancellable=False)

    def full_backup(self) -> jobs.Job | None:
        settings = Settings()
        start = settings.get(LAST_BACKUP_DIR) or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "完整备份到：请选择U盘或文件夹", start)
        if not folder:
            return None
        settings.set(LAST_BACKUP_DIR, folder)
        backup = self.api.backup

        def done(result: BackupResult) -> None:
            self._finish_job()
            text = (f"完整备份已写入：\n{result.path}\n\n共 {result.files} 个文件，{human_size(result.bytes)}，"
                    "写入后已逐一读回核对。换电脑时，在新电脑上用“从文件恢复…”选择这个文件夹中的 README-请先阅读.txt 即可。")
            if result.missing:
                text += (f"\n\n注意：有 {len(result.missing)} 个证据文件在本机已找不到，未能备份：\n"
                         + "\n".join(result.missing[:5]) + ("\n……" if len(result.missing) > 5 else ""))
            QMessageBox.information(self, "完整备份完成", text)

        return self._run(lambda ctx: backup.make_backup(folder, full=True, progress=ctx.progress),
                         "完整备份", "正在写入完整备份（数据库、证据文件和学校密钥）…", done)

    # ------------------------------------------------------------------ restoring

    def restore_selected(self) -> jobs.Job | None:
        b = self.selected()
        if b is None or b.ok is False or self.job is not None:
            return None
        when = f"{b.created:%Y-%m-%d %H:%M}"
        text = (f"将把本校数据恢复到 {when} 的状态（{b.label}）。\n\n"
                f"恢复前会先自动备份当前的数据，如需撤销，可再从那份“恢复前自动备份”恢复。"
                f"{when} 之后所做的更改不在这份备份中，恢复后将不再显示。\n\n"
                "恢复后窗口会重新载入数据。要恢复吗？")
        return self._confirm_and_restore(b.path, text)

    def restore_from_file(self) -> jobs.Job | None:
        if self.job is not None:
            return None
        settings = Settings()
        start = settings.get(LAST_BACKUP_DIR) or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "从文件恢复：选择数据库备份（.sqlite3）、完整备份的压缩包，或完整备份文件夹中的任意一个文件",
            start, SOURCE_FILTER)
        if not path:
            return None

        def work(ctx):
            source = backup_root_for(path)        # a file at the top of a full backup stands for its folder
            return source, inspect_backup(source)

        def inspected(outcome) -> None:
            source, info = outcome
            settings.set(LAST_BACKUP_DIR, str(source.parent))
            self._finish_job()
            when = (info.get("created") or "").replace("T", " ") or "（未知时间）"
            extra = (f"，含 {info['evidence_files']} 个证据文件" if info.get("evidence_files") else "") + \
                    ("和学校密钥" if info.get("has_keys") else "")
            text = (f"将用{info['label']}“{Path(info['path']).name}”（{when}，学校：{info.get('school') or '未设置'}"
                    f"{extra}）替换本校当前的数据。\n\n恢复前会先自动备份当前的数据，如需撤销，可再从那份“恢复前自动备份”"
                    "恢复。\n\n恢复后窗口会重新载入数据。要恢复吗？")
            self._confirm_and_restore(source, text)

        return self._run(work, "从文件恢复", "正在读取备份…", inspected, touches_db=False)

    def _confirm_and_restore(self, source: Path, text: str) -> jobs.Job | None:
        answer = QMessageBox.question(self, "从备份恢复", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        backup = self.api.backup

        def done(result: RestoreResult) -> None:
            self._finish_job()
            self.accept()
            self.restored.emit(result)

        return self._run(lambda ctx: backup.restore(source, progress=ctx.progress), "从备份恢复",
                         "正在恢复数据…", done)

    # ------------------------------------------------------------------ jobs

    def _run(self, fn, title: str, text: str, on_done, *, cancellable: bool = True,
             touches_db: bool = True) -> jobs.Job:
        self._set_busy(True)
        self.job = jobs.run_with_progress(self, fn, title=title, text=text, on_done=on_done,
                                          on_failed=self._on_failed, on_cancelled=self._on_cancelled,
                                          cancellable=cancellable, touches_db=touches_db)
        return self.job

    def _finish_job(self) -> None:
        self.job = None
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        for b in (self.backup_button, self.full_button, self.restore_file_button):
            b.setEnabled(not busy)
        self._on_selection_changed()
        self.restore_button.setEnabled(not busy and self.restore_button.isEnabled())

    def _on_failed(self, exc: BaseException) -> None:
        from app.ui.errors import show_error
        self._finish_job()
        show_error(self, exc)
        self.reload()

    def _on_cancelled(self) -> None:
        self._finish_job()
        self.selection_label.setText("已取消，数据未作任何更改。")

    def _on_open_folder_clicked(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.api.folder.backups)))
