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
                        EvidenceItem, ExcellentCase, HoursRecord, PlanDocument, School, SchoolCourse, StudyGroup,
                        SelfAssessmentEntry, SupportRecord, Teacher, TeachingPoint, Team, TeamMember,
                        TrainingActivity)
from app.models.teacher import PARTICIPATION_OPTED_OUT, STATUS_LEFT
from app.services import grading
from app.services.choices import PointInfo, catalogue, teacher_environment_of
from app.services.counted_hours import EMPTY, HoursFilter, HoursTotals, count
from app.services.evidence import ItemInfo, item_info
from app.services.hours import records_lite
from app.services.programmes import Rules, current_rules
from app.services.programmes.calendar import year_start
from app.services.scope import retirement_date, scope_reason  # noqa: F401 (retirement_date: re-export)


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
    activities: int                    # training activities attended
    attended: list[tuple[str, date]] = field(default_factory=list)   # (kind, date) of each
    courses: int = 0                   # school-based courses taken part in
    opted_out: bool = False

    @property
    def participates(self) -> bool:
        """Takes part in school-based training (a course or a training activity)."""
        return self.activities > 0 or self.courses > 0


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
    hours_filter: HoursFilter | None = None
    start_year: int = 0
    self_assessment: dict[str, str] = field(default_factory=dict)   # indicator → level

    def by_id(self, teacher_id: int) -> TeacherView | None:
        return next((v for v in self.teachers if v.teacher.id == teacher_id), None)

    @property
    def active(self) -> list[TeacherView]:
        return [v for v in self.teachers if v.exempt_reason is None]


def load(s: Session, today: date | None = None) -> Snapshot:
    today = today or date.today()
    rules = current_rules(s)
    school = s.exec(select(School)).first()
    start_year = year_start(school.school_year if school else "", today, rules.cycle)
    flt = HoursFilter.of(rules, start_year)
    applies = {i["title"]: i.get("applies", "participants") for i in rules.teacher_items}
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
    attended: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for tid, kind, on in s.exec(select(ActivityAttendance.teacher_id, TrainingActivity.kind, TrainingActivity.on_date)
                                .join(TrainingActivity, TrainingActivity.id == ActivityAttendance.activity_id)):
        attended[tid].append((kind, on))
    in_courses: dict[int, int] = defaultdict(int)
    for tid in s.exec(select(HoursRecord.teacher_id).where(HoursRecord.course_id != None)):  # noqa: E711
        in_courses[tid] += 1
    hours = count(records_lite(s), flt)
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
        env = teacher_environment_of(t, tps, school_env)
        codes = sorted(choices[t.id], key=order.index)
        point_items = {c: [state(t.id, it) for it in items_by_point[c]] for c in codes}
        opted_out = t.participation == PARTICIPATION_OPTED_OUT and rules.opt_out is not None
        wanted = "opted_out" if opted_out else "participants"
        personal = [state(t.id, it) for it in items_by_point[None] if applies.get(it.title) == wanted]
        point_results = {c: grading.point_result([(st.files > 0, st.grade) for st in sts], scale, fail)
                         for c, sts in point_items.items()}
        parts = list(point_results.values())
        if personal:
            parts.append(grading.point_result([(st.files > 0, st.grade) for st in personal], scale, fail))
        reason = scope_reason(t, rules)
        if reason:
            result = grading.EXEMPT
        elif not rules.assessment_required or (rules.micro is None and not personal):
            result = "—"
        else:
            result = grading.combine(parts, scale, fail)
            last = supports[t.id][-1] if supports[t.id] else None
            if result == fail and last and last.closed_on and last.new_result and last.new_result != fail:
                result = last.new_result   # re-assessed after 帮扶 (recorded on the support record)
        views.append(TeacherView(t, env, reason, [cat[c] for c in codes], point_items, personal,
                                 point_results, result, hours.get(t.id, EMPTY), supports[t.id], cases[t.id],
                                 len(attended[t.id]), attended[t.id], in_courses[t.id], opted_out))
    members: dict[int, list[TeamMember]] = defaultdict(list)
    for m in s.exec(select(TeamMember).order_by(TeamMember.id)):
        members[m.team_id].append(m)
    return Snapshot(today, school, rules, cat, views, excluded,
                    list(s.exec(select(PlanDocument))), list(s.exec(select(Team))), members,
                    list(s.exec(select(StudyGroup))), list(s.exec(select(SchoolCourse))),
                    list(s.exec(select(TrainingActivity))), list(s.exec(select(Deadline).order_by(Deadline.due_on))),
                    tps, flt, start_year, {e.indicator: e.level for e in s.exec(select(SelfAssessmentEntry))})


def load_ws(ws, today: date | None = None) -> Snapshot:
    with ws.sessions() as s:
        return load(s, today)
