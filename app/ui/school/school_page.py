"""学校信息: the profile, the programme in force, and the teaching points."""

from __future__ import annotations

from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QMenu, QMessageBox, QPushButton, QTextBrowser, QToolButton,
                               QVBoxLayout, QWidget)

from app.errors import AppError
from app.services import school as school_service
from app.services.programmes import load_preset
from app.ui.errors import show_error
from app.ui.pages.base import Page
from app.ui.school.school_forms import ProgrammeDialog, SchoolForm, TeachingPointDialog
from app.services.programmes import adjust
from app.ui.jobs import run_in_background
from app.ui.widgets.preset_view import programme_html
from app.ui.widgets.record_table import RecordTable, standard_action
from app.ui.widgets.table_model import Column, RowTableModel


class TeachingPointModel(RowTableModel):
    COLUMNS = (Column("教学点", lambda p: p.name, width=140),
               Column("信息化环境", lambda p: p.environment or "（与本校相同）", width=110),
               Column("地址", lambda p: p.address, width=160),
               Column("备注", lambda p: p.note, width=120))


class SchoolPage(Page):
    TITLE = "学校信息"
    SUBTITLE = "本校基本信息、执行的项目方案和教学点。"
    SUPPORTS = frozenset({"add", "delete", "search"})
    LISTENS_TO = ("school",)

    def __init__(self, ws, events, parent: QWidget | None = None) -> None:
        super().__init__(ws, events, parent)
        self.form: SchoolForm | None = None
        self.dialog = None
        self._build_ui()

    def _build_ui(self) -> None:
        self.form_holder = QVBoxLayout()
        self.programme_view = QTextBrowser()
        self.programme_view.setObjectName("programmeView")
        self.change_button = QPushButton("更换项目方案…")
        self.change_button.clicked.connect(self._on_change_clicked)
        self.rules_button = QPushButton("查看规则与依据、调整…")
        self.rules_button.setObjectName("openProgrammePage")
        self.rules_button.clicked.connect(lambda: self.navigate_requested.emit("项目方案", None, None, None))
        self.points = RecordTable(TeachingPointModel(), settings_name="teaching_points", placeholder="搜索教学点")
        self.points.add_button(standard_action(self, "新增教学点…", self.add_record))
        self.points.add_button(standard_action(self, "删除…", self.delete_record))
        # One button with a menu beside the 教学点 title: the table's own bar must still fit 1024×600.
        self.act_create_pack = standard_action(self, "生成采集包…", self.create_pack,
                                               tip="把所选教学点教师的采集包写到U盘，交教学点离线采集")
        self.act_merge_pack = standard_action(self, "合并采集包…", self.merge_pack, tip="预览并合并教学点交回的采集包")
        packs = QMenu(self)
        packs.addAction(self.act_create_pack)
        packs.addAction(self.act_merge_pack)
        self.pack_button = QToolButton()
        self.pack_button.setText("采集包")
        self.pack_button.setObjectName("packButton")
        self.pack_button.setToolTip("教学点离线采集：生成采集包写到U盘，交回后合并")

        self.pack_button.setMenu(packs)
        self.pack_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for action in (self.act_create_pack, self.act_merge_pack):
            self.points.add_action(action)
        left = QFrame()
        left.setProperty("role", "card")
        left_lay = QVBoxLayout(left)
        form_title = QLabel("学校基本信息")
        form_title.setProperty("role", "sectionTitle")
        left_lay.addWidget(form_title)
        left_lay.addLayout(self.form_holder, 1)
        right = QVBoxLayout()
        title = QLabel("执行的项目方案")
        title.setProperty("role", "sectionTitle")
        row = QHBoxLayout()
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(self.rules_button)
        row.addWidget(self.change_button)
        right.addLayout(row)
        right.addWidget(self.programme_view, 3)
        points_title = QLabel("教学点")
        points_title.setProperty("role", "sectionTitle")
        points_row = QHBoxLayout()
        points_row.addWidget(points_title)
        points_row.addStretch(1)
        points_row.addWidget(self.pack_button)
        right.addLayout(points_row)
        right.addWidget(self.points, 2)
        body = QHBoxLayout()
        body.addWidget(left, 2)
        body.addLayout(right, 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addLayout(body, 1)

    def refresh(self) -> None:
        row = school_service.get_school(self.ws)
        if row is None:
            return
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
        self.form = SchoolForm(self.ws, row)
        self.form.saved.connect(self._on_form_saved)
        self.form_holder.addWidget(self.form)
        self._programme_id = row.programme_id
        run_in_background(self, lambda _ctx: adjust.show_programme(self.ws),
                          on_done=lambda view: self.programme_view.setHtml(programme_html(view)))
        self.points.set_rows(school_service.list_teaching_points(self.ws))

    def focus_search(self) -> None:
        self.points.focus_search()

    def add_record(self) -> None:
        self.dialog = TeachingPointDialog(self.ws, self)
        self.dialog.saved.connect(lambda _row: self.notify("school", "teachers"))
        self.dialog.open()

    def delete_record(self) -> None:
        point = self.points.current_row()
        if point is None:
            QMessageBox.information(self, "删除教学点", "请先在教学点列表中选择一项。")
            return
        answer = QMessageBox.question(self, "删除教学点",
                                      f"删除教学点“{point.name}”后，该点教师将改为属于校本部（按本校信息化环境选点）。确定删除吗？",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            school_service.remove_teaching_point(self.ws, point.id)
        except AppError as exc:
            show_error(self, exc)
            return
        self.notify("school", "teachers")

    def create_pack(self) -> None:
        """A collection pack for the selected 教学点 (or a 研修组, some teachers) onto a stick."""
        from app.ui.pack.create_dialog import CreatePackDialog
        point = self.points.current_row()
        self.dialog = CreatePackDialog(self.ws, self, point=point.name if point else None)
        self.dialog.created.connect(lambda _r: self.notify("school"))
        self.dialog.open()

    def merge_pack(self) -> None:
        from app.ui.pack.merge_dialog import MergeDialog
        self.dialog = MergeDialog(self.ws, self)
        self.dialog.merged.connect(lambda _r: self.notify("data"))
        self.dialog.open()

    def _on_form_saved(self, _row) -> None:
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage("学校信息已保存。", 5000)
        self.notify("school")

    def _on_change_clicked(self) -> None:
        self.dialog = ProgrammeDialog(self._programme_id, self)
        self.dialog.accepted.connect(self._on_programme_chosen)
        self.dialog.open()

    def _on_programme_chosen(self) -> None:
        new_id = self.dialog.chooser.value()
        if not new_id or new_id == self._programme_id:
            return
        name = load_preset(new_id)["name"]
        answer = QMessageBox.question(self, "更换项目方案", f"确定改为执行“{name}”吗？所有检查将按新方案重新进行。",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            school_service.change_programme(self.ws, new_id)
        except AppError as exc:
            show_error(self, exc)
            return
        self.notify("school", "deadlines", "hours")
