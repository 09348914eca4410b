"""Forms of the 团队 page: a team, a member (role, duty, 第一责任人) and a 学科研修组."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from app.services.teams import GroupRow, TeamRow
from app.ui.teachers.teacher_dialog import SUBJECTS
from app.ui.widgets.fields import combo, line
from app.ui.widgets.form_dialog import FormDialog
from app.ui.widgets.teacher_picker import TeacherPicker, combo_teacher_id, teacher_combo

ROLES = ("校长", "副校长", "书记", "教务主任", "教科室主任", "信息中心主任", "学科组长", "指导教师", "区教研员", "成员")


class TeamDialog(FormDialog):
    def __init__(self, api, parent: QWidget | None = None, row: TeamRow | None = None,
                 kinds: tuple[str, ...] = ()) -> None:
        self.api, self.row, self.kinds = api, row, tuple(kinds) or ((row.kind,) if row else ("校级管理团队",))
        super().__init__(parent, f"修改团队：{row.name}" if row else "新建团队")

    def _build_fields(self) -> None:
        r = self.row
        kinds = list(self.kinds)
        self.add_field("kind", "团队类型 *", combo(kinds, r.kind if r else kinds[0]))
        self.add_field("name", "团队名称", line(r.name if r else "", "不填则与团队类型相同", 40))
        self.add_field("duty", "团队职责", line(r.duty if r else "", "如：统筹整校推进，制定一划两案，组织校本考核", 200))

    def save(self, values: dict) -> TeamRow:
        return self.api.teams.save_team(self.row.id if self.row else None, **values)


class MemberDialog(FormDialog):
    def __init__(self, api, team: TeamRow, teachers: list, parent: QWidget | None = None) -> None:
        self.api, self.team, self.teachers = api, team, teachers
        super().__init__(parent, f"添加成员：{team.name}",
                         intro="从本校教师中选择；校外人员（如区教研员）不选教师，直接填写姓名。")

    def _build_fields(self) -> None:
        self.add_field("teacher_id", "本校教师", teacher_combo(self.teachers, blank="（校外人员）"))
        self.add_field("name", "校外人员姓名", line("", "仅校外人员填写", 30))
        role = combo(ROLES, "", editable=True, blank="")
        self.add_field("role", "角色", role)
        self.add_field("duty", "分工", line("", "如：第一责任人，全面负责", 200))
        self.first = QCheckBox("第一责任人（校长）")
        self.add_field("first_responsible", "责任", self.first,
                       hint="校级管理团队须由校长任第一责任人。一个团队只有一位第一责任人。")
        role.currentTextChanged.connect(self._on_role_changed)

    def _on_role_changed(self, text: str) -> None:
        if text.strip() == "校长" and self.team.kind == "校级管理团队":
            self.first.setChecked(True)

    def values(self) -> dict:
        v = super().values()
        v["teacher_id"] = combo_teacher_id(self.field("teacher_id"))
        return v

    def check(self, values: dict) -> dict[str, str]:
        errors = {}
        if values["teacher_id"] is None and not values["name"].strip():
            errors["teacher_id"] = "请选择本校教师，或在下面填写校外人员姓名。"
        if values["teacher_id"] is not None and values["name"].strip():
            errors["name"] = "已选择本校教师时不需要填写校外人员姓名。"
        return errors

    def resolve_field(self, name):
        return "teacher_id" if name == "name" and self.values()["teacher_id"] is None else super().resolve_field(name)

    def save(self, values: dict) -> TeamRow:
        return self.api.teams.add_member(self.team.id, teacher_id=values["teacher_id"],
                                         name="" if values["teacher_id"] else values["name"], role=values["role"],
                                         duty=values["duty"], first_responsible=values["first_responsible"])


class GroupDialog(FormDialog):
    def __init__(self, api, teachers: list, parent: QWidget | None = None, row: GroupRow | None = None,
                 groups: list[GroupRow] | tuple = ()) -> None:
        self.api, self.teachers, self.row, self.groups = api, teachers, row, list(groups)
        super().__init__(parent, f"修改学科研修组：{row.name}" if row else "新建学科研修组", width=600,
                         intro="每位教师只属于一个研修组；勾选的教师会从原来的组移到本组。")

    def _build_fields(self) -> None:
        r = self.row
        self.add_field("name", "研修组名称 *", line(r.name if r else "", "如：语文研修组", 40))
        self.add_field("subject", "学科", combo(SUBJECTS + ("综合",), r.subject if r else "", editable=True, blank=""))
        self.add_field("leader_id", "组长", teacher_combo(self.teachers, r.leader_id if r else None, blank="（未指定）"))
        self.add_field("common_point", "共同能力点", line(r.common_point if r else "", "可不填，如 A1", 8))
        self.picker = TeacherPicker(self.teachers, r.member_ids if r else ())
        self.add_field("member_ids", "组员", self.picker)

    def values(self) -> dict:
        v = super().values()
        v["leader_id"] = combo_teacher_id(self.field("leader_id"))
        return v

    def check(self, values: dict) -> dict[str, str]:
        return {} if values["name"].strip() else {"name": "研修组名称不能为空。"}

    def moving_leader(self, values: dict) -> str:
        """The question to ask when the chosen 组长 belongs to another 研修组 ("" when not)."""
        leader = next((t for t in self.teachers if t.id == values["leader_id"]), None)
        here = values["name"].strip() or "本组"
        if leader is None or not leader.group or (self.row is not None and leader.group == self.row.name):
            return ""
        if leader.id in values["member_ids"]:      # ticked as a member: moving was chosen on purpose
            return ""
        leads = next((g for g in self.groups if g.name == leader.group and g.leader_id == leader.id), None)
        tail = f"，并且是该组的组长；移过来后“{leader.group}”将没有组长" if leads else ""
        return (f"{leader.name} 现在是“{leader.group}”的组员{tail}。\n\n"
                f"设为“{here}”的组长会把 {leader.name} 从“{leader.group}”移到“{here}”（每位教师只属于一个研修组）。"
                "确定吗？")

    def confirm(self, values: dict) -> bool:
        question = self.moving_leader(values)
        if not question:
            return True
        answer = QMessageBox.question(self, "组长来自其他研修组", question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def save(self, values: dict) -> GroupRow:
        return self.api.teams.save_group(self.row.id if self.row else None, name=values["name"],
                                         subject=values["subject"], leader_id=values["leader_id"],
                                         common_point=values["common_point"], member_ids=values["member_ids"])
