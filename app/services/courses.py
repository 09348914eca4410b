"""校本研修课程: the school's own courses; participants earn the course hours."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.errors import NotFoundError, ValidationError
from app.models import HoursRecord, SchoolCourse, Teacher
from app.models.hours import SOURCE_COURSE
from app.services.programmes import current_rules
from app.services.validation import normalize_text, validate_hours

COURSE_STATUSES = ("已申报", "实施中", "已完成")


@dataclass(frozen=True)
class CourseRow:
    id: int
    title: str
    semester: str
    hours: float
    category: str
    lead: str
    status: str
    note: str
    participant_ids: tuple[int, ...]


def save_course(ws, course_id: int | None, participant_ids: list[int] | None = None, **values) -> CourseRow:
    with ws.sessions() as s:
        rules = current_rules(s)
        title = normalize_text(values.get("title"), label="课程名称", field="title")
        if not title:
            raise ValidationError("课程名称不能为空。", field="title")
        status = normalize_text(values.get("status")) or "已申报"
        if status not in COURSE_STATUSES:
            raise ValidationError(f"课程状态应为：{'、'.join(COURSE_STATUSES)}。", field="status")
        category = normalize_text(values.get("category")) or (rules.practice_keys or rules.category_keys)[0]
        clean = {"title": title, "semester": normalize_text(values.get("semester"), label="学期", field="semester"),
                 "hours": validate_hours(values.get("hours"), cap=rules.record_max),
                 "category": rules.check_category(category), "lead": normalize_text(values.get("lead"), label="负责人", field="lead"),
                 "status": status, "note": normalize_text(values.get("note"), label="备注", field="note", multiline=True)}
        if course_id is None:
            c = SchoolCourse(**clean)
        else:
            c = s.get(SchoolCourse, course_id)
            if c is None:
                raise NotFoundError("找不到该校本研修课程。")
            for k, v in clean.items():
                setattr(c, k, v)
        s.add(c)
        s.flush()
        if participant_ids is not None:
            for h in s.exec(select(HoursRecord).where(HoursRecord.course_id == c.id)):
                s.delete(h)
            s.flush()
            for tid in dict.fromkeys(participant_ids):
                if s.get(Teacher, tid) is None:
                    raise NotFoundError("参加人员中有教师不存在。")
                s.add(HoursRecord(teacher_id=tid, category=c.category, hours=c.hours, source=SOURCE_COURSE,
                                  source_ref=f"course:{c.id}", course_id=c.id, note=c.title))
        else:
            for h in s.exec(select(HoursRecord).where(HoursRecord.course_id == c.id)):
                h.hours, h.category, h.note = c.hours, c.category, c.title
                s.add(h)
        s.commit()
        return _row(s, c)


def _row(s, c: SchoolCourse) -> CourseRow:
    ids = tuple(h.teacher_id for h in s.exec(select(HoursRecord).where(HoursRecord.course_id == c.id)))
    return CourseRow(c.id, c.title, c.semester, c.hours, c.category, c.lead, c.status, c.note, ids)


def list_courses(ws) -> list[CourseRow]:
    with ws.sessions() as s:
        return [_row(s, c) for c in s.exec(select(SchoolCourse).order_by(SchoolCourse.semester, SchoolCourse.id))]


def remove_course(ws, course_id: int) -> None:
    with ws.sessions() as s:
        c = s.get(SchoolCourse, course_id)
        if c is None:
            raise NotFoundError("找不到该校本研修课程。")
        s.delete(c)
        s.commit()
