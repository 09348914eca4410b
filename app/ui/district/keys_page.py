"""密钥登记: the register of school keys (current and retired), and registering one from the paper form."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui.district.key_dialog import KeyDialog
from app.ui.district.table_models import KeyTableModel
from app.ui.pages.base import Page
from app.ui.widgets.record_table import RecordTable, standard_action


class KeysPage(Page):
    TITLE = "密钥登记"
    SUBTITLE = ("各校的签名公钥，按学校盖章的《密钥登记表》登记。报送包必须由这里登记的在用密钥签名，"
                "否则拒收；学校更换密钥后须重新登记（原指纹停用）。")
    SUPPORTS = frozenset({"add", "search"})
    LISTENS_TO = ("data",)

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.dialog: KeyDialog | None = None
        self.table = RecordTable(KeyTableModel(), settings_name="district_keys", placeholder="搜索学校代码、名称、指纹")
        self.act_add = standard_action(self, "登记学校公钥…", self.add_record, tip="输入密钥登记表上的指纹，或选择公钥文件")
        self.table.add_button(self.act_add)
        self.act_replace = standard_action(self, "更换密钥…", self.replace_selected,
                                           tip="学校换了电脑或重装系统：按新的密钥登记表登记，原指纹停用")
        self.table.add_button(self.act_replace)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(self.table, 1)
        self.table.selection_changed.connect(lambda row: self.act_replace.setEnabled(row is not None))
        self.act_replace.setEnabled(False)

    def refresh(self) -> None:
        api = self.api.district
        self.load(lambda ctx: api.list_keys(), self.table.set_rows)

    def focus_search(self) -> None:
        self.table.focus_search()

    def add_record(self, school: str = "", name: str = "", replace: bool = False) -> KeyDialog:
        self.dialog = KeyDialog(self.api, self, school=school, name=name)
        self.dialog.replace.setChecked(replace)
        self.dialog.open()
        return self.dialog

    def replace_selected(self) -> None:
        row = self.table.current_row()
        if row is not None:
            self.add_record(row.unit_code, row.unit_name, replace=True)
