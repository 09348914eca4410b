"""Hours (学时) records and per-teacher totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.errors import NotFoundError
from app.models import HoursRecord, Teacher
from app.models.hours import SOURCE_MANUAL
from app.services.programmes import current_rules
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


@dataclass(frozen=True)
class HoursTotals:
    by_category: dict[str, float]
    by_topic: dict[tuple[str, str], float]

    @property
    def total(self) -> float:
        return round(sum(self.by_category.values()), 2)


def totals_by_teacher(s: Session) -> dict[int, HoursTotals]:
    cats: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    topics: dict[int, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    for tid, cat, topic, h in s.exec(select(HoursRecord.teacher_id, HoursRecord.category,
                                            HoursRecord.topic, HoursRecord.hours)):
        cats[tid][cat] += h
        if topic:
            topics[tid][(cat, topic)] += h
    return {tid: HoursTotals({k: round(v, 2) for k, v in cats[tid].items()},
                             {k: round(v, 2) for k, v in topics[tid].items()}) for tid in cats}


def teacher_totals(ws, teacher_id: int) -> HoursTotals:
    with ws.sessions() as s:
        return totals_by_teacher(s).get(teacher_id, HoursTotals({}, {}))
