"""校本研修课程: the school's own courses; participants earn the course hours."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.errors import NotFoundError, ValidationError
from app.models import HoursRecord, SchoolCourse, Teacher
from app.models.hours import SOURCE_COURSE
from app.services.naming import clean_text, find_by_name_or_id
from app.services.programmes import current_rules
from app.services.validation import normalize_text, validate_hours
from app.vocab import COURSE_STATUSES  # noqa: F401 (defined there for the command line)


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
        title = clean_text(values.get("title"), "课程名称", 80, field="title", required=True)
        status = normalize_text(values.get("status")) or "已申报"
        if status not in COURSE_STATUSES:
            raise ValidationError(f"课程状态“{status}”无效，应为：{'、'.join(COURSE_STATUSES)}。", field="status")
        category = normalize_text(values.get("category")) or (rules.practice_keys or rules.category_keys)[0]
        clean = {"title": title, "semester": clean_text(values.get("semester"), "学期", 40, field="semester"),
                 "hours": validate_hours(values.get("hours"), cap=rules.record_max),
                 "category": rules.check_category(category),
                 "lead": clean_text(values.get("lead"), "负责人", 30, field="lead"),
                 "status": status, "note": clean_text(values.get("note"), "备注", 200, field="note")}
        # The same course entered twice would give its participants its hours twice.
        twin = s.exec(select(SchoolCourse).where(SchoolCourse.title == title,
                                                 SchoolCourse.semester == clean["semester"])).first()
        if twin is not None and twin.id != course_id:
            raise ValidationError(f"{clean['semester'] or '（未注明学期）'}已有校本研修课程“{title}”（编号 {twin.id}），"
                                  "不能重复登记；要修改它请编辑该课程。", field="title")
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


def find_course(ws, ref: object) -> CourseRow:
    """A course named on the command line by its title or its number (a title used in two
    semesters is ambiguous: the message lists both numbers)."""
    with ws.sessions() as s:
        c = find_by_name_or_id(s, SchoolCourse, ref, noun="校本研修课程", name_field="title", counter="门",
                               describe=lambda c: c.semester or "未注明学期")
        return _row(s, c)
