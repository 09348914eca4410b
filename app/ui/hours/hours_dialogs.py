"""Forms of 学时与活动: one hours record, a training activity, a 校本研修课程."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QWidget

from app.errors import ValidationError
from app.services.activities import ACTIVITY_KINDS, ActivityRow
from app.services.courses import COURSE_STATUSES, CourseRow
from app.services.validation import validate_hours
from app.ui.widgets.fields import DateField, combo, line
from app.ui.widgets.form_dialog import FormDialog
from app.ui.widgets.teacher_picker import TeacherPicker, combo_teacher_id, teacher_combo


def current_semester(today: date | None = None) -> str:
    today = today or date.today()
    start = today.year if today.month >= 8 else today.year - 1
    first = today.month >= 8 or today.month < 2
    return f"{start}-{start + 1}学年第{'一' if first else '二'}学期"


def _hours_error(text: str) -> str | None:
    try:
        validate_hours(text)
    except ValidationError as exc:
        return exc.user_message
    return None


class HoursDialog(FormDialog):
    def __init__(self, api, teachers: list, categories: list[str], parent: QWidget | None = None,
                 teacher_id: int | None = None) -> None:
        self.api, self.teachers, self.categories, self.teacher_id = api, teachers, categories, teacher_id
        super().__init__(parent, "录入学时", intro="录入网络研修平台或其他来源的学时。培训活动和校本课程的学时请在各自标签页登记，会自动计入参加教师。")

    def _build_fields(self) -> None:
        self.add_field("teacher_id", "教师 *", teacher_combo(self.teachers, self.teacher_id, blank="（请选择）"))
        self.add_field("category", "学时类别 *", combo(self.categories))
        self.add_field("hours", "学时 *", line("", "如 25", 8))
        self.add_field("on_date", "日期", DateField(date.today(), optional=True))
        self.add_field("topic", "专题", line("", "方案要求某专题学时时填写，如：数据驱动的因材施教", 60))
        self.add_field("note", "备注", line("", "如：网络研修平台导出", 200))

    def values(self) -> dict:
        v = super().values()
        v["teacher_id"] = combo_teacher_id(self.field("teacher_id"))
        return v

    def check(self, values: dict) -> dict[str, str]:
        errors = {}
        if values["teacher_id"] is None:
            errors["teacher_id"] = "请选择教师。"
        if (msg := _hours_error(values["hours"])) is not None:
            errors["hours"] = msg
        return errors

    def save(self, values: dict):
        return self.api.hours.add_hours(values["teacher_id"], category=values["category"], hours=values["hours"],
                                        on_date=values["on_date"], topic=values["topic"], note=values["note"])


class ActivityDialog(FormDialog):
    def __init__(self, api, teachers: list, categories: list[str], parent: QWidget | None = None,
                 row: ActivityRow | None = None) -> None:
        self.api, self.teachers, self.categories, self.row = api, teachers, categories, row
        super().__init__(parent, f"修改培训活动：{row.title}" if row else "登记培训活动", width=640,
                         intro="保存后，本次活动的学时自动计入每位参加教师；以后修改学时或人员，教师的学时随之更新。")

    def _build_fields(self) -> None:
        r = self.row
        self.add_field("title", "活动名称 *", line(r.title if r else "", "如：信息技术与学科融合专题讲座", 80))
        self.add_field("kind", "活动类型", combo(ACTIVITY_KINDS, r.kind if r else ACTIVITY_KINDS[0]))
        self.add_field("on_date", "活动日期 *", DateField(r.on_date if r else date.today()))
        self.add_field("hours", "学时 *", line(f"{r.hours:g}" if r else "", "每位参加教师计入的学时，如 3", 8))
        self.add_field("category", "学时类别 *", combo(self.categories, r.category if r else self.categories[-1]))
        self.add_field("topic", "专题", line(r.topic if r else "", "可不填", 60))
        self.add_field("location", "地点", line(r.location if r else "", "如：学校多功能厅", 60))
        self.add_field("organiser", "组织者", line(r.organiser if r else "", "如：教务处", 60))
        self.picker = TeacherPicker(self.teachers, r.participant_ids if r else ())
        self.add_field("participant_ids", "参加教师 *", self.picker)
        self.add_field("note", "备注", line(r.note if r else "", "", 200))

    def check(self, values: dict) -> dict[str, str]:
        errors = {}
        if not values["title"].strip():
            errors["title"] = "活动名称不能为空。"
        if (msg := _hours_error(values["hours"])) is not None:
            errors["hours"] = msg
        if not values["participant_ids"]:
            errors["participant_ids"] = "请至少勾选一位参加教师。"
        return errors

    def resolve_field(self, name):
        return "on_date" if name == "活动日期" else super().resolve_field(name)

    def save(self, values: dict):
        ids = values.pop("participant_ids")
        return self.api.hours.save_activity(self.row.id if self.row else None, ids, **values)


class CourseDialog(FormDialog):
    def __init__(self, api, teachers: list, categories: list[str], parent: QWidget | None = None,
                 row: CourseRow | None = None) -> None:
        self.api, self.teachers, self.categories, self.row = api, teachers, categories, row
        super().__init__(parent, f"修改校本研修课程：{row.title}" if row else "新增校本研修课程", width=640,
                         intro="课程学时计入每位参加教师。")

    def _build_fields(self) -> None:
        r = self.row
        self.add_field("title", "课程名称 *", line(r.title if r else "", "如：微课设计与制作工作坊", 80))
        self.add_field("semester", "学期", line(r.semester if r else current_semester(), "", 40))
        self.add_field("hours", "学时 *", line(f"{r.hours:g}" if r else "", "如 12", 8))
        self.add_field("category", "学时类别", combo(self.categories, r.category if r else self.categories[-1]))
        self.add_field("lead", "负责人", line(r.lead if r else "", "", 30))
        self.add_field("status", "状态", combo(COURSE_STATUSES, r.status if r else COURSE_STATUSES[0]))
        self.picker = TeacherPicker(self.teachers, r.participant_ids if r else ())
        self.add_field("participant_ids", "参加教师", self.picker)
        self.add_field("note", "备注", line(r.note if r else "", "", 200))

    def check(self, values: dict) -> dict[str, str]:
        errors = {}
        if not values["title"].strip():
            errors["title"] = "课程名称不能为空。"
        if (msg := _hours_error(values["hours"])) is not None:
            errors["hours"] = msg
        return errors

    def save(self, values: dict):
        ids = values.pop("participant_ids")
        return self.api.hours.save_course(self.row.id if self.row else None, ids, **values)
