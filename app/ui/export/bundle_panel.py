"""导出报送包: where to (U盘 first, or any folder), how big and how much room, the options, export, the seal code.

The size, free space and blocking findings come from `preview_export` (a
background job each time the target or the zip option changes, nothing is
written). The export itself is `export_bundle` behind a progress dialog whose
取消 works: the service writes into `<name>.partial` and renames only at the
end, so a cancel leaves no folder with the final name. Afterwards the seal code
is shown large enough to compare group by group with the printed forms.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFileDialog, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QPushButton, QTableView, QTextBrowser, QVBoxLayout, QWidget)

from app.errors import AppError
from app.services.bundle.destination import human_size
from app.services.bundle.export import ExportOptions, ExportPreview, ExportResult
from app.services.bundle.layout import FORMS_PDF
from app.ui import jobs
from app.ui.errors import show_error
from app.ui.export.common import LAST_EXPORT_DIR, remember_dir, remembered_dir, status_note
from app.ui.export.drive_table_model import DriveTableModel, list_drives
from app.ui.style import BAD, MUTED, OK, WARN
from app.ui.widgets.table_model import RowTableModel

log = logging.getLogger(__name__)

UNMASK_WARNING = ("不打码时，报送包和导出的 Excel 表中会有完整的身份证号和手机号。"
                  "只有区县明确要求时才这样做，并妥善保管 U盘，用完及时删除。")
SHOWN_FINDINGS = 12


def _room_problems(p: ExportPreview) -> list[str]:
    """Why this target cannot take the bag (the preview is asked with allow_incomplete, so the
    blocking findings are not among these: the page lists them separately)."""
    return list(p.problems)


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "sectionTitle")
    return label


class BundlePanel(QWidget):
    """The export half of the 导出与打印 page."""

    exported = Signal(object)           # ExportResult
    verify_requested = Signal(str)      # a bag's path, for the 核验报送包 dialog

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.school_name = ""                     # names the sealed forms' file; set by the page
        self.dest: Path | None = None
        self.preview: ExportPreview | None = None
        self.result: ExportResult | None = None
        self.blocking: list[str] = []          # the findings that refuse a complete export
        self.preview_job: jobs.Job | None = None
        self.export_job: jobs.Job | None = None
        self._build_ui()
        self._connect_signals()
        self._update_state()
        self._watch = QTimer(self)                 # a U盘 plugged in while the page is open shows up by itself
        self._watch.setInterval(3000)
        self._watch.timeout.connect(self._on_watch_timeout)

    # ---- layout

    def _build_ui(self) -> None:
        self.drives = DriveTableModel(self)
        self.drive_view = QTableView()
        self.drive_view.setObjectName("driveTable")
        self.drive_view.setModel(self.drives)
        self.drive_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.drive_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.drive_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.drive_view.verticalHeader().setVisible(False)
        self.drive_view.horizontalHeader().setStretchLastSection(True)
        self.drive_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, col in enumerate(self.drives.COLUMNS):
            self.drive_view.setColumnWidth(i, col.width)
        self.drive_view.setMinimumHeight(110)
        self.drive_view.setMaximumHeight(170)
        self.refresh_button = QPushButton("刷新列表")
        self.refresh_button.setToolTip("插入或拔出 U盘后，点这里重新查找")
        self.folder_button = QPushButton("选择其他文件夹…")
        self.folder_button.setObjectName("chooseFolderButton")
        self.no_stick = QLabel("没有找到 U盘。请插入 U盘后点“刷新列表”，或点“选择其他文件夹…”。")
        self.no_stick.setObjectName("noStickHint")
        self.no_stick.setProperty("role", "hint")
        self.no_stick.setWordWrap(True)
        self.target = QLabel("导出位置：尚未选择")
        self.target.setObjectName("exportTarget")
        self.target.setWordWrap(True)
        self.target.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.estimate = QLabel()
        self.estimate.setObjectName("exportEstimate")
        self.estimate.setWordWrap(True)
        self.findings = QTextBrowser()
        self.findings.setObjectName("blockingFindings")
        self.findings.setMaximumHeight(120)
        self.findings.hide()

        self.mask = QCheckBox("身份证号、手机号打码（推荐）")
        self.mask.setObjectName("maskPersonal")
        self.mask.setChecked(True)
        self.mask.setToolTip("打码后只显示身份证号的前 6 位和后 4 位、手机号的前 3 位和后 4 位。")
        self.unmask_warning = QLabel("⚠ " + UNMASK_WARNING)
        self.unmask_warning.setObjectName("unmaskWarning")
        self.unmask_warning.setWordWrap(True)
        self.unmask_warning.setStyleSheet(f"color:{BAD};")
        self.unmask_warning.hide()
        self.allow_incomplete = QCheckBox("仍有必须处理的问题时也导出（不完整报送）")
        self.allow_incomplete.setObjectName("allowIncomplete")
        self.allow_incomplete.setToolTip("只有区县同意先报送不完整的材料时才勾选。"
                                         "这一选择和问题数会写入报送包，并印在签字确认表上。")
        self.as_zip = QCheckBox("打包成一个 zip 文件")
        self.as_zip.setObjectName("asZip")
        self.as_zip.setToolTip("不勾选时导出为一个文件夹（推荐：区县用任何电脑都能直接打开查看）。")

        self.export_button = QPushButton("导出报送包")
        self.export_button.setObjectName("exportButton")
        self.export_button.setMinimumHeight(34)
        self.export_button.setStyleSheet("QPushButton { font-size: 15px; font-weight: bold; padding: 4px 22px; }")
        self.export_reason = QLabel()
        self.export_reason.setObjectName("exportReason")
        self.export_reason.setProperty("role", "hint")
        self.export_reason.setWordWrap(True)

        self.result_card = QFrame()
        self.result_card.setObjectName("exportResult")
        self.result_card.setProperty("role", "card")
        self.result_title = QLabel()
        self.result_title.setObjectName("resultTitle")
        self.result_title.setStyleSheet(f"color:{OK}; font-size:15px; font-weight:bold;")
        self.result_path = QLabel()
        self.result_path.setObjectName("resultPath")
        self.result_path.setWordWrap(True)
        self.result_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        seal_caption = QLabel("封存码（请与纸质签字确认表每页上的封存码逐组核对）：")
        self.seal_code = QLabel()
        self.seal_code.setObjectName("sealCode")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPixelSize(30)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.5)
        self.seal_code.setFont(font)
        self.seal_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_notes = QLabel()
        self.result_notes.setObjectName("resultNotes")
        self.result_notes.setWordWrap(True)
        self.print_sealed_button = QPushButton("打印签字确认表…")
        self.print_sealed_button.setObjectName("printSealedButton")
        self.print_sealed_button.setToolTip("打印报送包里的签字确认表（每页带封存码），签字盖章后随 U盘一起报送")
        self.open_button = QPushButton("打开所在文件夹")
        self.verify_button = QPushButton("核验这个报送包…")
        card_buttons = QHBoxLayout()
        for b in (self.print_sealed_button, self.open_button, self.verify_button):
            card_buttons.addWidget(b)
        card_buttons.addStretch(1)
        card = QVBoxLayout(self.result_card)
        card.setContentsMargins(14, 10, 14, 12)
        for w in (self.result_title, self.result_path, seal_caption, self.seal_code, self.result_notes):
            card.addWidget(w)
        card.addLayout(card_buttons)
        self.result_card.hide()

        left = QVBoxLayout()
        left.addWidget(_section("1. 选择导出位置"))
        left.addWidget(self.drive_view)
        row = QHBoxLayout()
        row.addWidget(self.refresh_button)
        row.addWidget(self.folder_button)
        row.addStretch(1)
        left.addLayout(row)
        left.addWidget(self.no_stick)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(_section("2. 核对大小和选项"))
        right.addWidget(self.target)
        right.addWidget(self.estimate)
        right.addWidget(self.findings)
        for w in (self.mask, self.unmask_warning, self.allow_incomplete, self.as_zip):
            right.addWidget(w)
        right.addSpacing(6)
        go = QHBoxLayout()
        go.addWidget(self.export_button)
        go.addWidget(self.export_reason, 1)
        right.addLayout(go)
        right.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(left, 5)
        top.addSpacing(18)
        top.addLayout(right, 6)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.result_card)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._watch.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._watch.stop()

    def _on_watch_timeout(self) -> None:
        if self.export_job is not None:
            return
        try:
            roots = [d.root for d in list_drives()]
        except Exception:                           # noqa: BLE001 - polling must never raise
            return
        if roots != [d.root for d in self.drives.rows()]:
            self.reload_drives()

    def _connect_signals(self) -> None:
        self.drive_view.selectionModel().currentRowChanged.connect(self._on_drive_current_changed)
        self.refresh_button.clicked.connect(self.reload_drives)
        self.folder_button.clicked.connect(self._on_folder_clicked)
        self.mask.toggled.connect(self._on_mask_toggled)
        self.allow_incomplete.toggled.connect(lambda _on: self._update_state())
        self.as_zip.toggled.connect(lambda _on: self._start_preview())
        self.export_button.clicked.connect(self.start_export)
        self.print_sealed_button.clicked.connect(self._on_print_sealed_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.verify_button.clicked.connect(self._on_verify_clicked)

    # ---- public API

    def reload_drives(self) -> None:
        """List the drives again; keep the chosen target, else take the first U盘."""
        try:
            drives = list_drives()
        except Exception:                           # noqa: BLE001 - a broken volume must not block the page
            log.exception("listing drives failed")
            drives = []
        self.drives.set_rows(drives)
        removable = [d for d in drives if d.removable]
        self.no_stick.setVisible(not removable)
        if self.dest is not None:
            self._select_drive_of(self.dest)
            self._start_preview()
        elif removable:
            self.set_destination(Path(removable[0].root))
        else:
            self._start_preview()

    def set_destination(self, folder: str | Path) -> None:
        """Export into this folder (a drive's root or any folder): shows its room, enables 导出."""
        self.dest = Path(folder)
        self._select_drive_of(self.dest)
        self.target.setText(f"导出位置：<b>{escape(str(self.dest))}</b>")
        self._start_preview()

    def options(self) -> ExportOptions:
        return ExportOptions(unmask_personal=not self.mask.isChecked(),
                             allow_incomplete=self.allow_incomplete.isChecked() and self.allow_incomplete.isEnabled(),
                             as_zip=self.as_zip.isChecked())

    def start_export(self) -> jobs.Job | None:
        if self.dest is None or self.export_job is not None:
            return None
        options = self.options()
        if options.unmask_personal:
            answer = QMessageBox.question(self, "导出报送包", UNMASK_WARNING + "\n\n确定导出不打码的报送包吗？",
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                          QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return None
        if options.allow_incomplete and self.blocking:
            answer = QMessageBox.question(
                self, "导出报送包",
                f"还有 {len(self.blocking)} 项必须处理的问题。导出的报送包会注明“不完整报送”，"
                "签字确认表上也会印出这一点。\n\n只有区县同意先报送不完整材料时才这样做。确定导出吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return None
        export, dest = self.api.export, self.dest
        if self.preview_job is not None:
            self.preview_job.cancel()

        def work(ctx) -> ExportResult:
            return export.export_bundle(dest, options, progress=ctx.progress)

        self.export_job = jobs.run_with_progress(self, work, title="导出报送包", text="正在准备导出…",
                                                 on_done=self._on_exported, on_failed=self._on_export_failed,
                                                 on_cancelled=self._on_export_cancelled)
        self._update_state()
        return self.export_job

    # ---- preview

    def _start_preview(self) -> None:
        """Size, room and findings for the chosen target; with none yet, size and findings only."""
        if self.preview_job is not None:
            self.preview_job.cancel()
        self.preview = None
        self.estimate.setText("正在计算报送包大小…")
        export, dest = self.api.export, self.dest
        probe = dest if dest is not None else Path(self.api.folder.tmp)     # any existing folder: size only
        options = ExportOptions(allow_incomplete=True, as_zip=self.as_zip.isChecked())
        holder: list[jobs.Job] = []
        job = jobs.run_in_background(self, lambda ctx: export.preview_export(probe, options),
                                     on_done=lambda p: self._on_preview_done(holder[0], p, dest),
                                     on_failed=lambda exc: self._on_preview_failed(holder[0], exc))
        holder.append(job)
        self.preview_job = job
        self._update_state()

    def _on_preview_done(self, job: jobs.Job, preview: ExportPreview, dest: Path | None) -> None:
        if job is not self.preview_job:
            return                                   # a newer target was chosen meanwhile
        self.preview_job = None
        self.preview = preview if dest is not None else None
        size = (f"报送包约 <b>{human_size(preview.payload_bytes)}</b>"
                f"（{preview.teachers} 位教师，{preview.files} 个文件），"
                f"导出需要至少 {human_size(preview.needed_bytes)} 可用空间")
        if dest is None:
            self.estimate.setText(size + "；选择导出位置后显示那里的可用空间。")
        else:
            colour = BAD if _room_problems(preview) else OK
            fs = f"，{preview.fs_type}" if preview.fs_type else ""
            self.estimate.setText(f"{size}；<span style='color:{colour}'>该位置可用空间 "
                                  f"<b>{human_size(preview.free_bytes)}</b>{fs}</span>")
        self.blocking = list(preview.blocking)
        self._show_findings(preview, room=dest is not None)
        self._update_state()

    def _on_preview_failed(self, job: jobs.Job, exc: BaseException) -> None:
        if job is not self.preview_job:
            return
        self.preview_job = None
        self.preview = None
        text = exc.user_message if isinstance(exc, AppError) else "无法计算报送包大小，请稍后再试。"
        if not isinstance(exc, AppError):
            log.error("export preview failed", exc_info=(type(exc), exc, exc.__traceback__))
        self.estimate.setText(f"<span style='color:{BAD}'>{escape(text)}</span>")
        self._update_state()

    def _show_findings(self, p: ExportPreview, room: bool = True) -> None:
        parts = []
        room = _room_problems(p) if room else []
        if room:
            parts.append("".join(f"<p style='color:{BAD};margin:2px 0'>✘ {escape(m)}</p>" for m in room))
        if p.blocking:
            items = "".join(f"<li>{escape(m)}</li>" for m in p.blocking[:SHOWN_FINDINGS])
            more = f"<li>……另有 {len(p.blocking) - SHOWN_FINDINGS} 项（见“首页”）</li>" \
                if len(p.blocking) > SHOWN_FINDINGS else ""
            parts.append(f"<p style='color:{WARN};margin:2px 0'><b>还有 {len(p.blocking)} 项必须处理的问题：</b></p>"
                         f"<ul style='margin:0 0 0 -20px'>{items}{more}</ul>")
        self.findings.setHtml("".join(parts))
        self.findings.setVisible(bool(parts))

    # ---- state

    def _update_state(self) -> None:
        running = self.export_job is not None
        blocking = bool(self.blocking)
        self.allow_incomplete.setEnabled(blocking and not running)
        if not blocking:
            self.allow_incomplete.setChecked(False)
        for w in (self.drive_view, self.refresh_button, self.folder_button, self.mask, self.as_zip):
            w.setEnabled(not running)
        reason = ""
        if running:
            reason = "正在导出…"
        elif self.dest is None:
            reason = "请先选择 U盘或文件夹。"
        elif self.preview_job is not None:
            reason = "正在计算…"
        elif self.preview is None:
            reason = "无法导出到这个位置（见上方说明）。"
        else:
            if _room_problems(self.preview):
                reason = "这个位置不能导出，请换一个 U盘或文件夹。"
            elif blocking and not self.allow_incomplete.isChecked():
                reason = "请先处理上面列出的问题；区县同意时，可勾选“不完整报送”后导出。"
        self.export_button.setEnabled(not reason)
        self.export_reason.setText(reason)
        self.export_reason.setStyleSheet("" if not reason or running else f"color:{MUTED};")

    def _select_drive_of(self, folder: Path) -> None:
        pos = self.drives.position_of(str(folder))
        sel = self.drive_view.selectionModel()
        blocker = sel.blockSignals(True)
        try:
            if pos is None:
                sel.clearSelection()
                sel.clearCurrentIndex()
            else:
                self.drive_view.selectRow(pos)
        finally:
            sel.blockSignals(blocker)

    # ---- slots

    def _on_drive_current_changed(self, current, _previous) -> None:
        row = current.data(RowTableModel.ROW_ROLE) if current.isValid() else None
        if row is not None and (self.dest is None or Path(row.root) != self.dest):
            self.set_destination(Path(row.root))

    def _on_folder_clicked(self) -> None:
        start = str(self.dest) if self.dest is not None else remembered_dir(LAST_EXPORT_DIR)
        folder = QFileDialog.getExistingDirectory(self, "选择导出报送包的文件夹", start)
        if folder:
            self.set_destination(folder)

    def _on_mask_toggled(self, on: bool) -> None:
        self.unmask_warning.setVisible(not on)

    def _on_exported(self, result: ExportResult) -> None:
        self.export_job = None
        self.result = result
        if self.dest is not None:
            remember_dir(self.dest, LAST_EXPORT_DIR)
        kind = "zip 文件" if result.as_zip else "文件夹"
        self.result_title.setText("✔ 报送包已导出、核对并封存")
        self.result_path.setText(f"{kind}：{result.path}")
        self.seal_code.setText(result.seal.seal_code)
        notes = [f"共 {result.payload_files} 个文件，{human_size(result.payload_bytes)}；学校密钥指纹 {result.fingerprint}。"]
        if result.allow_incomplete:
            notes.append(f"<span style='color:{WARN}'>不完整报送：导出时还有 {result.blocking} 项必须处理的问题。</span>")
        if not result.masked:
            notes.append(f"<span style='color:{BAD}'>身份证号和手机号没有打码。</span>")
        notes.append("下一步：点“打印签字确认表…”，打印后签字、盖章，随 U盘一起报送。")
        self.result_notes.setText("<br>".join(notes))
        self.result_card.show()
        status_note(self, f"报送包已导出：{result.path}")
        self._start_preview()             # free space changed
        self.exported.emit(result)

    def _on_export_failed(self, exc: BaseException) -> None:
        self.export_job = None
        self._update_state()
        show_error(self, exc)
        self._start_preview()

    def _on_export_cancelled(self) -> None:
        self.export_job = None
        status_note(self, "已取消导出：目标位置没有留下报送包，数据未作任何更改。")
        self._start_preview()

    def sealed_pdf(self) -> Path | None:
        """The sign-off PDF inside the last exported bag (folder exports only)."""
        if self.result is None or self.result.as_zip:
            return None
        pdf = Path(self.result.path) / FORMS_PDF
        return pdf if pdf.is_file() else None

    def _on_print_sealed_clicked(self) -> None:
        from app.ui.export import forms_actions
        if self.result is not None:
            forms_actions.preview_sealed_forms(self, self.api, self.result, self.sealed_pdf(),
                                               school=self.school_name)

    def _on_open_clicked(self) -> None:
        if self.result is not None:
            folder = self.result.path if not self.result.as_zip else self.result.path.parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _on_verify_clicked(self) -> None:
        if self.result is not None:
            self.verify_requested.emit(str(self.result.path))
