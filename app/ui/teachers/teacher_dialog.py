"""Add or edit one teacher; every field is checked as you type by the service's own validator."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from app.services.school import STAGES
from app.services.teachers import GENDERS, STAFF_TYPES, STATUSES, TeacherRow, validate_teacher_fields
from app.services.validation.id_number import check_char
from app.ui.widgets.fields import DateField, combo, line
from app.ui.widgets.form_dialog import FormDialog, collect_errors

SUBJECTS = ("语文", "数学", "英语", "科学", "物理", "化学", "生物", "道德与法治", "思想政治", "历史", "地理",
            "音乐", "美术", "体育与健康", "信息科技", "综合实践活动", "劳动", "心理健康", "特殊教育")
TITLES = ("三级教师", "二级教师", "一级教师", "高级教师", "正高级教师")


PARTICIPATION_CHOICES = ("按方案", "自愿参加", "不参加")


def _participation_text(row) -> str:
    return (row.participation if row is not None and row.participation else "按方案")


def _neutral_id(gender: str) -> str:
    """A valid ID of the chosen gender, used only to find the other fields' problems."""
    first = "11010519900307" + ("001" if gender == "男" else "002")
    return first + check_char(first)


@dataclass(frozen=True)
class TeacherChoices:
    """What the form offers, loaded with the roster (the form opens without reading anything)."""

    points: tuple[str, ...] = ()          # teaching points
    groups: tuple[str, ...] = ()          # 学科研修组
    school_stage: str = ""                # a new teacher's 学段 starts as the school's own


def load_choices(api) -> TeacherChoices:
    """In a work function: the teaching points, groups and the school's 学段."""
    school = api.teachers.get_school()
    return TeacherChoices(tuple(p.name for p in api.teachers.list_teaching_points()),
                          tuple(g.name for g in api.teachers.list_groups()),
                          school.stage if school is not None else "")


class TeacherDialog(FormDialog):
    def __init__(self, api, parent: QWidget | None = None, row: TeacherRow | None = None,
                 choices: TeacherChoices = TeacherChoices()) -> None:
        self.api, self.row, self.choices = api, row, choices
        title = f"修改教师：{row.name}" if row else "新增教师"
        super().__init__(parent, title, intro="带 * 的为必填项。身份证号只在本表单中完整显示，列表中会打码。")

    def _school_stage(self) -> str:
        """A new teacher's 学段 starts as the school's own (a 小学's teachers teach 小学)."""
        return self.choices.school_stage

    def _build_fields(self) -> None:
        r = self.row
        points = list(self.choices.points)
        groups = list(self.choices.groups)
        self.add_field("name", "姓名 *", line(r.name if r else "", "如：王芳", 30))
        self.add_field("id_number", "身份证号 *", line(r.id_number if r else "", "18位，最后一位可为X", 20),
                       hint="输入后会自动检查位数、出生日期和校验位。")
        self.add_field("gender", "性别", combo(GENDERS, r.gender if r else "", blank="（按身份证号自动判断）"))
        self.add_field("phone", "联系电话", line(r.phone if r else "", "手机号或座机，如 0411-12345678", 20))
        self.add_field("staff_no", "工号", line(r.staff_no if r else "", "本校工号（可不填）", 20))
        self.add_field("subject", "任教学科", combo(SUBJECTS, r.subject if r else "", editable=True, blank=""))
        self.add_field("stage", "学段", combo(STAGES, r.stage if r else self._school_stage(), editable=True, blank=""))
        self.add_field("staff_type", "编制类型", combo(STAFF_TYPES, r.staff_type if r else "在编"))
        self.add_field("title", "职称", combo(TITLES, r.title if r else "", editable=True, blank=""))
        self.add_field("teaching_point", "教学点", combo(points, r.teaching_point if r else "", editable=True,
                                                      blank=""), hint="在校本部任教的教师留空。")
        self.add_field("group", "学科研修组", combo(groups, r.group if r else "", blank="（未加入）"),
                       hint="研修组在“团队”页面建立。")
        self.add_field("status", "状态", combo(STATUSES, r.status if r else "在岗"))
        self.add_field("status_reason", "状态原因", line(r.status_reason if r else "",
                                                      "免修时必填，如：距退休不满5年（本人申请，校长办公会同意）", 100))
        self.add_field("retire_date", "退休日期", DateField(r.retire_date if r else None, optional=True,
                                                         check_text="已确定"))
        self.add_field("participation", "参训意愿", combo(PARTICIPATION_CHOICES, _participation_text(r)),
                       hint="按方案：由项目方案决定是否要求参训；方案不要求时仍参加选“自愿参加”；"
                            "方案允许自愿不参加（须交保证书等）时选“不参加”。")
        self.add_field("note", "备注", line(r.note if r else "", "", 200))

    def _require_id(self) -> bool:
        return self.row is None or bool(self.row.id_number)

    def check(self, values: dict) -> dict[str, str]:
        neutral = {"name": "某", "id_number": _neutral_id(values.get("gender", "")), "gender": "",
                   "phone": "", "staff_type": "在编", "status": "在岗", "status_reason": "原因",
                   "staff_no": "", "retire_date": None}
        return collect_errors(lambda v: validate_teacher_fields(v, require_id=self._require_id()), values,
                              neutral, self.resolve_field)

    def save(self, values: dict):
        if self.row is None:
            return self.api.teachers.add_teacher(**values)
        return self.api.teachers.update_teacher(self.row.id, **values)
