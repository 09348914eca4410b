"""Hours (学时) records and per-teacher totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.errors import NotFoundError
from app.models import HoursRecord, School, Teacher
from app.models.hours import SOURCE_MANUAL
from app.services.counted_hours import EMPTY, HoursFilter, HoursRecordLite, HoursTotals, count
from app.services.programmes import current_rules
from app.services.programmes.calendar import year_start
from app.services.teachers import resolve_in
from app.services.validation import normalize_text, parse_date, validate_hours


@dataclass(frozen=True)
class HoursRow:
    id: int
    teacher_id: int
    teacher: str
    category: str
    topic: str
    hours: float
    on_date: date | None
    source: str
    note: str
    activity_id: int | None
    course_id: int | None


def add_hours(ws, teacher_ref: str | int, *, category: str, hours, on_date=None, topic: str = "",
              note: str = "", source: str = SOURCE_MANUAL) -> HoursRow:
    with ws.sessions() as s:
        rules = current_rules(s)
        t = s.get(Teacher, teacher_ref) if isinstance(teacher_ref, int) else resolve_in(s, teacher_ref)
        if t is None:
            raise NotFoundError("找不到该教师。")
        rec = HoursRecord(teacher_id=t.id, category=rules.check_category(normalize_text(category, label="学时类别", field="category")),
                          topic=normalize_text(topic, label="专题", field="topic"), hours=validate_hours(hours, cap=rules.record_max),
                          on_date=parse_date(on_date), source=source, note=normalize_text(note, label="备注", field="note", multiline=True))
        s.add(rec)
        s.commit()
        return _row(rec, t.name)


def _row(r: HoursRecord, name: str) -> HoursRow:
    return HoursRow(r.id, r.teacher_id, name, r.category, r.topic, r.hours, r.on_date, r.source,
                    r.note, r.activity_id, r.course_id)


def list_hours(ws, teacher_id: int | None = None) -> list[HoursRow]:
    with ws.sessions() as s:
        names = {t.id: t.name for t in s.exec(select(Teacher))}
        q = select(HoursRecord).order_by(HoursRecord.on_date, HoursRecord.id)
        if teacher_id is not None:
            q = q.where(HoursRecord.teacher_id == teacher_id)
        return [_row(r, names.get(r.teacher_id, "")) for r in s.exec(q)]


def remove_hours(ws, record_id: int) -> None:
    with ws.sessions() as s:
        r = s.get(HoursRecord, record_id)
        if r is None:
            raise NotFoundError("找不到该学时记录。")
        if r.activity_id or r.course_id:
            raise NotFoundError("这条学时来自培训活动或校本课程，请在活动/课程中修改参加人员。")
        s.delete(r)
        s.commit()


def hours_filter(s: Session, rules=None, today: date | None = None) -> HoursFilter:
    """The programme's hour windows for the school's current year."""
    rules = rules or current_rules(s)
    school = s.exec(select(School)).first()
    start = year_start(school.school_year if school else "", today or date.today(), rules.cycle)
    return HoursFilter.of(rules, start)


def records_lite(s: Session, teacher_id: int | None = None) -> list[HoursRecordLite]:
    q = select(HoursRecord.teacher_id, HoursRecord.category, HoursRecord.topic, HoursRecord.hours,
               HoursRecord.on_date)
    if teacher_id is not None:
        q = q.where(HoursRecord.teacher_id == teacher_id)
    return [HoursRecordLite(*row) for row in s.exec(q)]


def totals_by_teacher(s: Session, rules=None, today: date | None = None) -> dict[int, HoursTotals]:
    """Each teacher's counted hours (inside the programme's windows) and what was left out."""
    return count(records_lite(s), hours_filter(s, rules, today))


def teacher_totals(ws, teacher_id: int) -> HoursTotals:
    with ws.sessions() as s:
        return count(records_lite(s, teacher_id), hours_filter(s)).get(teacher_id, EMPTY)
