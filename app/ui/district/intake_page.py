"""接收报送包: take in bundles (a bag folder, a zip, or a stick's root with many), see every outcome.

The intake runs as a background job with a progress dialog whose 取消 really stops it (bundles
already recorded stay, each whole). A bundle of a school with no registered key waits as 待确认
until the user types the fingerprint from the paper form (核对指纹后接收…).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QFileDialog, QLabel, QMenu, QMessageBox, QSplitter, QTextBrowser, QToolButton,
                               QVBoxLayout, QWidget)
from PySide6.QtCore import Qt

from app.services.district.intake import IngestOptions, IntakeSummary
from app.ui import jobs
from app.ui.district.confirm_dialog import ConfirmFingerprintDialog
from app.ui.district.table_models import OUTCOME_COLOURS, IntakeTableModel
from app.ui.pages.base import Page
from app.ui.widgets.record_table import RecordTable, standard_action

HINT = "选择一条记录，这里显示它的全部说明（拒收的原因、被改动的文件、版本提醒）。"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class IntakePage(Page):
    TITLE = "接收报送包"
    SUBTITLE = ("插入学校的U盘，选择报送包（文件夹或 zip），或直接选U盘根目录一次接收多个。每个报送包都核验文件齐全、"
                "未被改动、由区县登记的学校密钥签名，并按区县方案复核。")
    SUPPORTS = frozenset({"search"})
    LISTENS_TO = ("data",)

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.last_summary: IntakeSummary | None = None
        self.ingest_job: jobs.Job | None = None
        self._build_ui()
        self._connect_signals()

    def _build_ui(self) -> None:
        self.table = RecordTable(IntakeTableModel(), settings_name="district_intake",
                                 placeholder="搜索学校、封存码、结果")
        self.ingest_button = QToolButton()
        self.ingest_button.setObjectName("ingestButton")
        self.ingest_button.setText("接收报送包…")
        self.ingest_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.ingest_button)
        self.act_folder = menu.addAction("选择报送包文件夹…")
        self.act_stick = menu.addAction("选择U盘根目录（接收其中全部报送包）…")
        self.act_zip = menu.addAction("选择报送包 zip 文件…")
        self.ingest_button.setMenu(menu)
        self.table.button_bar.addWidget(self.ingest_button)
        self.act_confirm = standard_action(self, "核对指纹后接收…", self.confirm_selected,
                                           tip="首次报送、尚未登记公钥的学校：照纸质密钥登记表输入指纹，一致后接收")
        self.confirm_button = self.table.add_button(self.act_confirm)
        self.act_confirm.setEnabled(False)
        self.copy_box = QCheckBox("复制到区县数据文件夹")
        self.copy_box.setObjectName("copyBox")
        self.copy_box.setToolTip("不勾选时证据留在原处（U盘或共享盘），区县只保存记录和清单；勾选时整个报送包复制一份。")
        self.table.button_bar.addWidget(self.copy_box)
        self.summary = QLabel("")
        self.summary.setObjectName("intakeSummary")
        self.summary.setWordWrap(True)
        self.summary.hide()                     # shown after an intake
        self.detail = QTextBrowser()
        self.detail.setObjectName("intakeDetail")
        self.detail.setPlaceholderText(HINT)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)

    def _connect_signals(self) -> None:
        self.act_folder.triggered.connect(lambda: self._choose("folder"))
        self.act_stick.triggered.connect(lambda: self._choose("stick"))
        self.act_zip.triggered.connect(lambda: self._choose("zip"))
        self.table.selection_changed.connect(self._on_table_selection_changed)
        self.table.row_activated.connect(lambda row: self.confirm_selected() if row.outcome == "待确认" else None)

    def refresh(self) -> None:
        api = self.api.district
        self.load(lambda ctx: api.intake_log(), self.table.set_rows)

    def focus_search(self) -> None:
        self.table.focus_search()

    def _choose(self, what: str) -> None:
        if what == "zip":
            paths, _ = QFileDialog.getOpenFileNames(self, "选择报送包 zip 文件", "", "报送包 (*.zip);;所有文件 (*)")
        else:
            caption = "选择报送包文件夹（含 bagit.txt 的那一层）" if what == "folder" else "选择U盘根目录或存放报送包的文件夹"
            folder = QFileDialog.getExistingDirectory(self, caption, "")
            paths = [folder] if folder else []
        if paths:
            self.start_ingest([Path(p) for p in paths])

    def start_ingest(self, paths: list[Path], confirm: tuple[str, ...] = ()) -> jobs.Job:
        api, options = self.api.district, IngestOptions(copy=self.copy_box.isChecked(), confirm=confirm)
        self.ingest_job = jobs.run_with_progress(
            self, lambda ctx: api.ingest(paths, options, ctx.progress), title="接收报送包",
            text="正在核验报送包…", on_done=self._on_ingested)
        return self.ingest_job

    def confirm_selected(self) -> None:
        row = self.table.current_row()
        if row is None or row.outcome != "待确认":
            return
        dialog = ConfirmFingerprintDialog(f"{row.school_name}（{row.unit_code}）", row.fingerprint, self)
        self.confirm_dialog = dialog
        dialog.accepted.connect(lambda: self.start_ingest([Path(row.path)], confirm=(dialog.typed(),))
                                if dialog.typed() else None)
        dialog.open()

    def _on_ingested(self, summary: IntakeSummary) -> None:
        self.ingest_job = None
        self.last_summary = summary
        self.summary.show()
        self.summary.setText(f"本次：{summary.text()}（{summary.bytes_checked / 1024 ** 2:,.0f} MB，"
                             f"{summary.seconds:.1f} 秒）")
        self.detail.setHtml(self._summary_html(summary))
        pending = [o for o in summary.outcomes if o.outcome == "待确认"]
        if pending and not summary.cancelled:
            QMessageBox.information(self, "需要核对指纹",
                                    f"有 {len(pending)} 个报送包的学校尚未登记公钥。请在列表中选中它（结果为“待确认”），"
                                    "点“核对指纹后接收…”，照学校盖章的密钥登记表输入指纹。")

    @staticmethod
    def _summary_html(summary: IntakeSummary) -> str:
        parts = []
        for o in summary.outcomes:
            colour = OUTCOME_COLOURS.get(o.outcome, "#333")
            head = f"<b style='color:{colour}'>{o.outcome}</b> {_esc(o.school_name or o.unit_code or o.path)}"
            body = _esc(o.message) + (f"<br>区县复核：{_esc(o.recheck)}" if o.recheck else "")
            items = "".join(f"<li>{_esc(d)}</li>" for d in o.details[:50])
            parts.append(f"<p>{head}<br>{body}</p>" + (f"<ul>{items}</ul>" if items else ""))
        return "".join(parts) or "没有找到报送包。"

    def _on_table_selection_changed(self, row) -> None:
        self.act_confirm.setEnabled(row is not None and row.outcome == "待确认")
        if row is None:
            self.detail.clear()
            return
        items = "".join(f"<li>{_esc(d)}</li>" for d in row.details[:200])
        self.detail.setHtml(f"<p><b style='color:{OUTCOME_COLOURS.get(row.outcome, '#333')}'>{row.outcome}</b> "
                            f"{_esc(row.school_name or row.unit_code)}　{_esc(row.seal_code)}</p>"
                            f"<p>{_esc(row.message)}</p>" + (f"<ul>{items}</ul>" if items else "")
                            + f"<p style='color:#666'>位置：{_esc(row.path)}<br>密钥指纹：{_esc(row.fingerprint)}</p>")
