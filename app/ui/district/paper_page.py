"""纸质确认表: type or scan the seal code (or the QR text) from a school's paper form.

A USB barcode scanner types like a keyboard and ends with Enter, so the field checks as soon as
Enter arrives and is cleared for the next form. The answer is shown large, green when the paper
belongs to a received bundle, red when it matches none.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.services.district.paper import PaperResult
from app.ui import jobs
from app.ui.district.table_models import PaperTableModel
from app.ui.errors import show_error
from app.ui.pages.base import Page
from app.ui.style import BAD, OK
from app.ui.widgets.record_table import RecordTable


class PaperPage(Page):
    TITLE = "纸质确认表"
    SUBTITLE = "用扫码枪扫描确认表上的二维码，或输入确认表上的封存码（8 组，每组 4 位）后按回车。"
    SUPPORTS = frozenset({"search"})
    LISTENS_TO = ("data",)

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.last: PaperResult | None = None
        self.code = QLineEdit(placeholderText="封存码，如 0A51-283D-ABB5-…；或扫描二维码")
        self.code.setObjectName("paperCode")
        font = self.code.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.code.setFont(font)
        self.check_button = QPushButton("核对")
        self.check_button.setObjectName("paperCheck")
        self.result = QLabel("")
        self.result.setObjectName("paperResult")
        self.result.setWordWrap(True)
        self.result.setMinimumHeight(56)
        self.table = RecordTable(PaperTableModel(), settings_name="district_paper", placeholder="搜索学校、封存码")
        row = QHBoxLayout()
        row.addWidget(self.code, 1)
        row.addWidget(self.check_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addLayout(row)
        lay.addWidget(self.result)
        lay.addWidget(self.table, 1)
        self.code.returnPressed.connect(self.check)
        self.check_button.clicked.connect(self.check)

    def refresh(self) -> None:
        api = self.api.district
        self.load(lambda ctx: api.list_bundles(current_only=True), self.table.set_rows)

    def focus_search(self) -> None:
        self.code.setFocus()

    def check(self) -> None:
        text = self.code.text().strip()
        if not text:
            return
        api = self.api.district

        def failed(exc) -> None:
            self.result.setText(f"<span style='color:{BAD}; font-size:14pt'>✘ {getattr(exc, 'user_message', exc)}</span>")
            if not hasattr(exc, "user_message"):
                show_error(self, exc)

        jobs.run_in_background(self, lambda ctx: api.tie_paper(text), on_done=self._on_checked, on_failed=failed)

    def _on_checked(self, r: PaperResult) -> None:
        self.last = r
        colour = OK if r.matched else BAD
        self.result.setText(f"<span style='color:{colour}; font-size:14pt; font-weight:bold'>{r.message}</span>")
        self.code.clear()
        self.code.setFocus()
