"""团队: teams with their members' roles and duties (校长 as 第一责任人), and 学科研修组 with 组长."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.ui import jobs
from app.ui.pages.base import Page
from app.ui.teams.team_dialogs import GroupDialog, MemberDialog, TeamDialog
from app.ui.widgets.record_table import RecordTable, standard_action
from app.ui.widgets.table_model import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel


def _first(team) -> str:
    return next((m.name for m in team.members if m.is_first_responsible), "")


class TeamModel(RowTableModel):
    COLUMNS = (Column("团队类型", lambda t: t.kind, width=170),
               Column("名称", lambda t: t.name, width=170),
               Column("成员", lambda t: str(len(t.members)), sort=lambda t: len(t.members), width=50,
                      align=ALIGN_RIGHT),
               Column("第一责任人", lambda t: _first(t) or "未指定", width=90,
                      colour=lambda t: None if _first(t) or t.kind != "校级管理团队" else "#c62828"),
               Column("职责", lambda t: t.duty, width=240))


class MemberModel(RowTableModel):
    COLUMNS = (Column("姓名", lambda m: m.name + ("" if m.teacher_id else "（校外）"), width=110),
               Column("角色", lambda m: m.role, width=110),
               Column("第一责任人", lambda m: "是" if m.is_first_responsible else "", width=80, align=ALIGN_CENTER),
               Column("分工", lambda m: m.duty, width=260))


class GroupModel(RowTableModel):
    COLUMNS = (Column("研修组", lambda g: g.name, width=150),
               Column("学科", lambda g: g.subject, width=90),
               Column("组长", lambda g: g.leader or "未指定", width=90,
                      colour=lambda g: None if g.leader else "#c62828"),
               Column("人数", lambda g: str(len(g.member_ids)), sort=lambda g: len(g.member_ids), width=50,
                      align=ALIGN_RIGHT),
               Column("共同能力点", lambda g: g.common_point, width=90))


class TeamsPage(Page):
    TITLE = "团队"
    SUBTITLE = "校级管理团队、信息化教学创新研修团队等的成员与分工；学科研修组及组长。"
    SUPPORTS = frozenset({"add", "edit", "delete", "search"})
    LISTENS_TO = ("teams", "teachers")

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(api, events, parent)
        self.dialog = None
        self._teachers: list = []
        self._kinds: tuple[str, ...] = ()
        self._build_ui()
        self.teams.selection_changed.connect(self._on_team_selected)
        self.teams.row_activated.connect(lambda _t: self._edit_team())
        self.groups.row_activated.connect(lambda _g: self._edit_group())

    def _build_ui(self) -> None:
        self.teams = RecordTable(TeamModel(), settings_name="teams", placeholder="搜索团队")
        self.teams.add_button(standard_action(self, "新建团队…", self._add_team))
        self.teams.add_button(standard_action(self, "修改团队…", self._edit_team))
        self.teams.add_button(standard_action(self, "删除团队…", self._delete_team))
        self.members = RecordTable(MemberModel(), settings_name="team_members", placeholder="搜索成员")
        self.members.add_button(standard_action(self, "添加成员…", self._add_member))
        self.members.add_button(standard_action(self, "移除成员…", self._remove_member))
        self.members_title = QLabel("成员")
        self.members_title.setProperty("role", "sectionTitle")
        lower = QWidget()
        lower_lay = QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 6, 0, 0)
        lower_lay.addWidget(self.members_title)
        lower_lay.addWidget(self.members)
        split = QSplitter()
        split.setOrientation(Qt.Orientation.Vertical)
        split.addWidget(self.teams)
        split.addWidget(lower)
        split.setSizes([220, 320])
        self.groups = RecordTable(GroupModel(), settings_name="groups", placeholder="搜索研修组、学科或组长")
        self.groups.add_button(standard_action(self, "新建研修组…", self._add_group))
        self.groups.add_button(standard_action(self, "修改…", self._edit_group))
        self.groups.add_button(standard_action(self, "删除…", self._delete_group))
        self.tabs = QTabWidget()
        self.tabs.addTab(split, "团队与分工")
        self.tabs.addTab(self.groups, "学科研修组")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 10)
        lay.addWidget(self.header())
        lay.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        teams = self.api.teams

        def work(ctx):
            return (teams.list_teachers(include_left=False), teams.list_teams(), teams.list_groups(),
                    tuple(teams.team_kinds()))

        self.load(work, self._fill)

    def _fill(self, loaded) -> None:
        self._teachers, team_rows, group_rows, self._kinds = loaded
        self.teams.set_rows(team_rows)
        self.groups.set_rows(group_rows)
        if self.teams.current_row() is None and self.teams.model.rowCount():
            self.teams.view.selectRow(0)
        self._on_team_selected(self.teams.current_row())

    def show_record(self, teacher_id=None, record_id=None, kind=None) -> None:
        self.when_loaded(lambda: self._show(record_id, kind))

    def _show(self, record_id, kind) -> None:
        if kind and kind.startswith("groups"):
            self.tabs.setCurrentIndex(1)
            if record_id is not None:
                self.groups.select_key(record_id)
        else:
            self.tabs.setCurrentIndex(0)
            if record_id is not None:
                self.teams.select_key(record_id)

    def _on_team_selected(self, team) -> None:
        self.members.set_rows(list(team.members) if team else [])
        self.members_title.setText(f"成员：{team.name}" if team else "成员（先在上方选择一个团队）")

    def _on_groups_tab(self) -> bool:
        return self.tabs.currentIndex() == 1

    def add_record(self) -> None:
        if self._on_groups_tab():
            self._add_group()
        else:
            self._add_team()

    def edit_record(self) -> None:
        if self._on_groups_tab():
            self._edit_group()
        else:
            self._edit_team()

    def delete_record(self) -> None:
        if self._on_groups_tab():
            self._delete_group()
        else:
            self._delete_team()

    def focus_search(self) -> None:
        (self.groups if self._on_groups_tab() else self.teams).focus_search()

    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.open()

    def _add_team(self) -> None:
        self._open(TeamDialog(self.api, self, kinds=self._kinds))

    def _edit_team(self) -> None:
        team = self._need(self.teams, "团队")
        if team is not None:
            self._open(TeamDialog(self.api, self, team, kinds=self._kinds))

    def _delete_team(self) -> None:
        team = self._need(self.teams, "团队")
        if team is not None and self._confirm("删除团队", f"删除“{team.name}”及其 {len(team.members)} 位成员的分工？"):
            self._write("删除团队", lambda ctx: self.api.teams.remove_team(team.id))

    def _add_member(self) -> None:
        team = self._need(self.teams, "团队")
        if team is not None:
            self._open(MemberDialog(self.api, team, self._teachers, self))

    def _remove_member(self) -> None:
        member = self._need(self.members, "成员")
        if member is not None and self._confirm("移除成员", f"把“{member.name}”从团队中移除？（教师本人的记录不受影响）"):
            self._write("移除成员", lambda ctx: self.api.teams.remove_member(member.id))

    def _add_group(self) -> None:
        self._open(GroupDialog(self.api, self._teachers, self, groups=self.groups.model.rows()))

    def _edit_group(self) -> None:
        group = self._need(self.groups, "研修组")
        if group is not None:
            self._open(GroupDialog(self.api, self._teachers, self, group, groups=self.groups.model.rows()))

    def _delete_group(self) -> None:
        group = self._need(self.groups, "研修组")
        if group is not None and self._confirm(
                "删除研修组", f"删除“{group.name}”？组内 {len(group.member_ids)} 位教师将变为未加入研修组。"):
            self._write("删除研修组", lambda ctx: self.api.teams.remove_group(group.id))

    def _need(self, table: RecordTable, what: str):
        row = table.current_row()
        if row is None:
            QMessageBox.information(self, self.TITLE, f"请先在列表中选择一个{what}。")
        return row

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _write(self, title: str, work) -> jobs.Job:
        """A removal in the background; the runner publishes what it changed."""
        return jobs.run_with_progress(self, work, title=title, cancellable=False)
