"""回执: sign a receipt for a school's current bundle and write it where the school will take it home."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QVBoxLayout, QWidget

from app.services.district.receipts import ReceiptFile
from app.ui import jobs
from app.ui.district.table_models import ReceiptTableModel
from app.ui.pages.base import Page
from app.ui.widgets.record_table import RecordTable, standard_action


class ReceiptsPage(Page):
    TITLE = "回执"
    SUBTITLE = ("为学校当前版本的报送包出具回执（区县密钥签名）。回执写到学校的U盘，学校导入后首页显示“区县已接收”；"
                "不用本软件也能用 minisign 核对。")
    SUPPORTS = frozenset({"search"})
    LISTENS_TO = ("data",)

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.last: ReceiptFile | None = None
        self.table = RecordTable(ReceiptTableModel(), settings_name="district_receipts", placeholder="搜索学校、封存码")
        self.act_issue = standard_action(self, "出具回执…", self.issue_selected, tip="为选中的学校写出签名回执")
        self.table.add_button(self.act_issue)
        self.act_issue.setEnabled(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(self.table, 1)
        self.table.selection_changed.connect(lambda row: self.act_issue.setEnabled(row is not None))
        self.table.row_activated.connect(lambda _row: self.issue_selected())

    def refresh(self) -> None:
        api = self.api.district
        self.load(lambda ctx: api.list_bundles(current_only=True), self.table.set_rows)

    def focus_search(self) -> None:
        self.table.focus_search()

    def issue_selected(self, folder: str | None = None) -> None:
        row = self.table.current_row()
        if row is None:
            return
        folder = folder or QFileDialog.getExistingDirectory(self, f"回执写到哪里（如{row.school_name}的U盘）", "")
        if not folder:
            return
        api = self.api.district
        jobs.run_in_background(self, lambda ctx: api.issue_receipt(row.unit_code, folder, seal_code=row.seal_code),
                               on_done=self._on_issued)

    def _on_issued(self, r: ReceiptFile) -> None:
        self.last = r
        QMessageBox.information(self, "回执已写出", f"回执：{r.path}\n签名：{r.signature.name}\n区县公钥：{r.public_key.name}\n\n"
                                "请学校在本软件中导入回执（文件 › 导入区县回执…，或 tisheng receipt import）。")
