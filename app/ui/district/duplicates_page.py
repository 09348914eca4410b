"""材料雷同: the same file from different teachers, and the same person in two schools, for review."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.ui.district.table_models import DuplicateFileModel, SamePersonModel
from app.ui.pages.base import Page
from app.ui.widgets.record_table import RecordTable


def _load(api):
    return api.duplicate_evidence(), api.same_persons()


class DuplicatesPage(Page):
    TITLE = "材料雷同"
    SUBTITLE = ("同一个文件（内容完全相同）由不同教师提交的，以及同一身份证号出现在两个单位的，列出供复核。"
                "报送包默认隐去身份证号中间 8 位，这时只能比较首末位和姓名，标为“疑似”。")
    SUPPORTS = frozenset({"search"})
    LISTENS_TO = ("data",)

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.files = RecordTable(DuplicateFileModel(), settings_name="district_dup_files", placeholder="搜索学校、教师、文件")
        self.people = RecordTable(SamePersonModel(), settings_name="district_dup_people", placeholder="搜索姓名、学校")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.files, "相同文件")
        self.tabs.addTab(self.people, "同一人员")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        api = self.api.district
        self.load(lambda ctx: _load(api), self._on_loaded)

    def focus_search(self) -> None:
        (self.files if self.tabs.currentIndex() == 0 else self.people).focus_search()

    def _on_loaded(self, data) -> None:
        files, people = data
        self.files.set_rows(files)
        self.people.set_rows(people)
        self.tabs.setTabText(0, f"相同文件（{len(files)}）")
        self.tabs.setTabText(1, f"同一人员（{len(people)}）")
