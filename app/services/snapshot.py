"""Everything the rules need, loaded in a handful of queries.

The compliance engine, the result views, the reports and the forms read one
Snapshot instead of querying per teacher, so a 1,000-teacher school stays fast.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from app.models import (AbilityChoice, ActivityAttendance, Assessment, Deadline, EvidenceFile,
                        EvidenceItem, ExcellentCase, PlanDocument, School, SchoolCourse, StudyGroup,
                        SupportRecord, Teacher, TeachingPoint, Team, TeamMember, TrainingActivity)
from app.models.teacher import STATUS_EXEMPT, STATUS_LEFT, STATUS_RETIRED
from app.services import grading
from app.services.choices import PointInfo, catalogue
from app.services.evidence import ItemInfo, item_info
from app.services.hours import HoursTotals, totals_by_teacher
from app.services.programmes import Rules, current_rules
from app.services.validation.id_number import birth_date


@dataclass(frozen=True)
class ItemState:
    item: ItemInfo
    files: int
    grade: str | None
    round: int
    reviewer: str

    @property
    def state(self) -> str:
        if self.grade:
            return "已评"
        return "已提交" if self.files else "缺"


@dataclass
class TeacherView:
    teacher: Teacher
    environment: str
    exempt_reason: str | None
    points: list[PointInfo]
    point_items: dict[str, list[ItemState]]
    personal_items: list[ItemState]
    point_results: dict[str, str]
    result: str
    hours: HoursTotals
    supports: list[SupportRecord]
    cases: list[ExcellentCase]
    activities: int


@dataclass
class Snapshot:
    today: date
    school: School | None
    rules: Rules
    catalogue: dict[str, PointInfo]
    teachers: list[TeacherView]
    excluded: list[Teacher]
    plans: list[PlanDocument]
    teams: list[Team]
    members: dict[int, list[TeamMember]]
    groups: list[StudyGroup]
    courses: list[SchoolCourse]
    activities: list[TrainingActivity]
    deadlines: list[Deadline]
    teaching_points: dict[int, TeachingPoint] = field(default_factory=dict)

    def by_id(self, teacher_id: int) -> TeacherView | None:
        return next((v for v in self.teachers if v.teacher.id == teacher_id), None)

    @property
    def active(self) -> list[TeacherView]:
        return [v for v in self.teachers if v.exempt_reason is None]


def retirement_date(t: Teacher) -> date | None:
    """An explicit retire date, else the statutory age (60 men, 55 women) from the ID number."""
    if t.retire_date:
        return t.retire_date
    if not t.id_number:
        return None
    born = birth_date(t.id_number)
    age = 60 if t.gender == "男" else 55
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return born.replace(year=born.year + age, day=28)


def exempt_reason(t: Teacher, rules: Rules, today: date) -> str | None:
    if t.status == STATUS_EXEMPT:
        return t.status_reason or "免修"
    if t.status == STATUS_RETIRED:
        cutoff = rules.exemptions.get("retired_before")
        if cutoff and t.retire_date and t.retire_date.isoformat() <= cutoff:
            return f"{cutoff}前退休，自愿参加"
        return "已退休" + (f"（{t.status_reason}）" if t.status_reason else "")
    years = rules.exemptions.get("retire_within_years")
    if years:
        retire = retirement_date(t)
        if retire and (retire - today).days < years * 365.25:
            return f"距退休不满{years}年，按方案不作培训要求"
    return None


def load(s: Session, today: date | None = None) -> Snapshot:
    today = today or date.today()
    rules = current_rules(s)
    school = s.exec(select(School)).first()
    cat = catalogue(s)
    order = list(cat)
    items = [item_info(e) for e in s.exec(select(EvidenceItem).order_by(EvidenceItem.seq))]
    items_by_point: dict[str | None, list[ItemInfo]] = defaultdict(list)
    for it in items:
        items_by_point[it.point_code].append(it)
    choices: dict[int, list[str]] = defaultdict(list)
    for c in s.exec(select(AbilityChoice)):
        choices[c.teacher_id].append(c.point_code)
    files: dict[tuple[int, int], int] = defaultdict(int)
    for tid, iid in s.exec(select(EvidenceFile.teacher_id, EvidenceFile.item_id)):
        files[(tid, iid)] += 1
    latest: dict[tuple[int, int], Assessment] = {}
    for a in s.exec(select(Assessment).order_by(Assessment.round, Assessment.id)):
        latest[(a.teacher_id, a.item_id)] = a
    supports: dict[int, list[SupportRecord]] = defaultdict(list)
    for r in s.exec(select(SupportRecord).order_by(SupportRecord.opened_on, SupportRecord.id)):
        supports[r.teacher_id].append(r)
    cases: dict[int, list[ExcellentCase]] = defaultdict(list)
    for c in s.exec(select(ExcellentCase)):
        cases[c.teacher_id].append(c)
    attendance: dict[int, int] = defaultdict(int)
    for tid in s.exec(select(ActivityAttendance.teacher_id)):
        attendance[tid] += 1
    hours = totals_by_teacher(s)
    tps = {p.id: p for p in s.exec(select(TeachingPoint))}
    school_env = school.environment if school else "多媒体"
    scale, fail = rules.scale, rules.grading["fail"]

    def state(tid: int, it: ItemInfo) -> ItemState:
        a = latest.get((tid, it.id))
        return ItemState(it, files[(tid, it.id)], a.grade if a else None, a.round if a else 0,
                         a.reviewer if a else "")

    views, excluded = [], []
    for t in s.exec(select(Teacher).order_by(Teacher.id)):
        if t.status == STATUS_LEFT:
            excluded.append(t)
            continue
        env = (tps[t.teaching_point_id].environment if t.teaching_point_id in tps
               and tps[t.teaching_point_id].environment else school_env)
        codes = sorted(choices[t.id], key=order.index)
        point_items = {c: [state(t.id, it) for it in items_by_point[c]] for c in codes}
        personal = [state(t.id, it) for it in items_by_point[None]]
        point_results = {c: grading.point_result([(st.files > 0, st.grade) for st in sts], scale, fail)
                         for c, sts in point_items.items()}
        parts = list(point_results.values())
        if personal:
            parts.append(grading.point_result([(st.files > 0, st.grade) for st in personal], scale, fail))
        reason = exempt_reason(t, rules, today)
        if reason:
            result = grading.EXEMPT
        elif rules.micro is None and not personal:
            result = "—"
        else:
            result = grading.combine(parts, scale, fail)
            last = supports[t.id][-1] if supports[t.id] else None
            if result == fail and last and last.closed_on and last.new_result and last.new_result != fail:
                result = last.new_result   # re-assessed after 帮扶 (recorded on the support record)
        views.append(TeacherView(t, env, reason, [cat[c] for c in codes], point_items, personal,
                                 point_results, result, hours.get(t.id, HoursTotals({}, {})),
                                 supports[t.id], cases[t.id], attendance[t.id]))
    members: dict[int, list[TeamMember]] = defaultdict(list)
    for m in s.exec(select(TeamMember).order_by(TeamMember.id)):
        members[m.team_id].append(m)
    return Snapshot(today, school, rules, cat, views, excluded,
                    list(s.exec(select(PlanDocument))), list(s.exec(select(Team))), members,
                    list(s.exec(select(StudyGroup))), list(s.exec(select(SchoolCourse))),
                    list(s.exec(select(TrainingActivity))), list(s.exec(select(Deadline).order_by(Deadline.due_on))),
                    tps)


def load_ws(ws, today: date | None = None) -> Snapshot:
    with ws.sessions() as s:
        return load(s, today)
