"""A district page of received bundles above the detail of the one selected (规则复核, 报送版本).

The detail is read in a job and shown as HTML; a subclass names its table model, which bundles it
lists and how one bundle's detail reads."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTextBrowser, QVBoxLayout, QWidget

from app.services.district.queries import BundleDetail
from app.ui.pages.base import Page
from app.ui.widgets.record_table import RecordTable


def esc(text) -> str:
    """Text shown inside the detail's HTML (a school's name may hold < or &)."""
    return escape(str(text), quote=False)


class BundleDetailPage(Page):
    SUPPORTS = frozenset({"search"})
    LISTENS_TO = ("data",)
    SETTINGS_NAME = ""
    PLACEHOLDER = ""               # the search box's
    DETAIL_NAME = ""               # the detail's object name
    DETAIL_HINT = ""               # shown while nothing is selected
    DETAIL_STRETCH = 2             # against the table's 2

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.table = RecordTable(self.make_model(), settings_name=self.SETTINGS_NAME, placeholder=self.PLACEHOLDER)
        self.detail = QTextBrowser()
        self.detail.setObjectName(self.DETAIL_NAME)
        self.detail.setPlaceholderText(self.DETAIL_HINT)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, self.DETAIL_STRETCH)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(split, 1)
        self.table.selection_changed.connect(self._on_table_selection_changed)

    def make_model(self):
        """Override: the table's model."""
        raise NotImplementedError

    def list_rows(self, api) -> list:
        """Override: the bundles listed (runs in a job)."""
        raise NotImplementedError

    def detail_html(self, detail: BundleDetail) -> str:
        """Override: one bundle's detail."""
        raise NotImplementedError

    def refresh(self) -> None:
        api = self.api.district
        self.load(lambda ctx: self.list_rows(api), self.table.set_rows)

    def focus_search(self) -> None:
        self.table.focus_search()

    def _on_table_selection_changed(self, row) -> None:
        # A newer selection makes a slower earlier detail stale (Page.load drops its result); so does none.
        if row is None:
            self._load_tokens["detail"] = self._load_tokens.get("detail", 0) + 1
            self.detail.clear()
            return
        api = self.api.district
        self.load(lambda ctx: api.bundle_detail(row.id), lambda d: self.detail.setHtml(self.detail_html(d)),
                  slot="detail")
