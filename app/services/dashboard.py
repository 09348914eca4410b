"""Aggregates for the desktop app's 首页 and tables, as frozen DTOs (no Qt here).

One snapshot read feeds the dashboard (`load_dashboard`); `teacher_progress`
gives the teacher and hours tables their per-teacher totals and pass state.
Deadlines have no service of their own yet, so listing them and marking one
done live here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlmodel import select

from app.errors import NotFoundError
from app.models import Deadline
from app.services import snapshot as snapshot_mod
from app.services.choices import DIMENSIONS
from app.services.compliance import Finding, run_on_snapshot
from app.services.compliance.school_rules import STATUS_ORDER, met_deadline_kinds
from app.services.packs.registry import packs_out
from app.services.district_link import receipt_status

ENVIRONMENT_ORDER = ("多媒体", "混合", "智慧")
DEADLINE_SOON_DAYS = 30


@dataclass(frozen=True)
class HoursProgress:
    label: str              # a category key, or 总学时
    per_teacher_min: float  # the programme's minimum per teacher (0: none)
    meeting: int            # active teachers at or above that minimum
    active: int
    total_hours: float      # the school's sum over active teachers


@dataclass(frozen=True)
class PlanState:
    kind: str
    required: bool
    status: str             # 缺 / 草稿 / 已提交 / 已备案
    has_file: bool
    ok: bool                # present, at the required status, with a file


@dataclass(frozen=True)
class DeadlineRow:
    id: int
    title: str
    due_on: date
    kind: str
    done_on: date | None
    note: str
    state: str              # 已完成 / 逾期完成 / 已过期 / 即将到期 / 未到期
    days_left: int


@dataclass(frozen=True)
class DashboardData:
    school: str
    programme: str
    environment: str
    teachers: int
    active: int
    exempt: int
    meeting_all: int
    hours: tuple[HoursProgress, ...]
    micro_by_dimension: tuple[tuple[str, int], ...]
    micro_by_environment: tuple[tuple[str, int], ...]
    teachers_with_points: int
    micro_required: bool
    plans: tuple[PlanState, ...]
    deadlines: tuple[DeadlineRow, ...]
    findings: tuple[Finding, ...]
    results: tuple[tuple[str, int], ...]
    packs_out: tuple = ()            # collection packs issued and not back yet (services.packs.registry.PackRow)
    district_status: str = ""           # 区县已接收 · 日期 (from an imported receipt), or what is known

    @property
    def blocking(self) -> int:
        return sum(1 for f in self.findings if f.is_blocking)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if not f.is_blocking)

    @property
    def plans_missing(self) -> tuple[PlanState, ...]:
        return tuple(p for p in self.plans if p.required and not p.ok)


@dataclass(frozen=True)
class TeacherProgress:
    teacher_id: int
    total_hours: float
    by_category: dict[str, float]
    exempt_reason: str | None
    passes: bool
    blocking: int
    hours_problems: tuple[str, ...] = ()     # the engine's hours findings for this teacher, without the name

    @property
    def hours_ok(self) -> bool:
        return not self.hours_problems


def _deadline_row(d: Deadline, today: date, met: dict[str, date | None]) -> DeadlineRow:
    days = (d.due_on - today).days
    # Done by hand, or by the records (a document filed, a topic chosen) on the date they show.
    done_on = d.done_on if d.done_on is not None else met.get(d.kind)
    done = d.done_on is not None or d.kind in met
    if done:
        # A deadline met after its date is not the same as one met on time (一划两案 filed 12-06, due 08-30).
        state = "逾期完成" if done_on is not None and done_on > d.due_on else "已完成"
    elif days < 0:
        state = "已过期"
    elif days <= DEADLINE_SOON_DAYS:
        state = "即将到期"
    else:
        state = "未到期"
    return DeadlineRow(d.id, d.title, d.due_on, d.kind, done_on, d.note, state, days)


def _plan_states(snap) -> tuple[tuple[PlanState, ...], dict[str, date | None]]:
    """Each required document (and any other filed) with its best status; and the deadline kinds met."""
    need = {d["kind"]: d["status"] for d in snap.rules.documents}
    kinds = list(dict.fromkeys(list(need) + [p.kind for p in snap.plans]))
    out, met = [], met_deadline_kinds(snap.rules, snap.plans)
    for kind in kinds:
        docs = [p for p in snap.plans if p.kind == kind]
        if not docs:
            out.append(PlanState(kind, kind in need, "缺", False, False))
            continue
        best = max(docs, key=lambda p: STATUS_ORDER.get(p.status, 0))
        filed = STATUS_ORDER.get(best.status, 0) >= STATUS_ORDER[need.get(kind, "草稿")]
        out.append(PlanState(kind, kind in need, best.status, bool(best.sha256), filed and bool(best.sha256)))
    return tuple(out), met


def load_dashboard(ws, today: date | None = None) -> DashboardData:
    snap = snapshot_mod.load_ws(ws, today)
    report = run_on_snapshot(snap)
    s = report.summary
    rules, active = snap.rules, snap.active
    hours = []
    for c in rules.categories:
        need = float(c.get("min") or 0)
        hours.append(HoursProgress(c["key"], need, s["meeting_category_min"].get(c["key"], 0), len(active),
                                   s["hours_by_category"].get(c["key"], 0.0)))
    if rules.total_min:
        meeting = sum(1 for v in active if v.hours.total >= rules.total_min)
        hours.append(HoursProgress("总学时", rules.total_min, meeting, len(active),
                                   round(sum(v.hours.total for v in active), 2)))
    plans, met = _plan_states(snap)
    deadlines = tuple(_deadline_row(d, snap.today, met) for d in snap.deadlines)
    return DashboardData(
        school=s["school"], programme=s["programme"], environment=s["environment"],
        teachers=s["teachers"], active=s["active"], exempt=s["exempt"], meeting_all=s["meeting_all"],
        hours=tuple(hours),
        micro_by_dimension=tuple((d, s["micro_by_dimension"].get(d, 0)) for d in DIMENSIONS),
        micro_by_environment=tuple((e, s["micro_by_environment"].get(e, 0)) for e in ENVIRONMENT_ORDER),
        teachers_with_points=sum(1 for v in active if v.points),
        micro_required=rules.micro is not None,
        plans=plans, deadlines=deadlines, findings=tuple(report.findings),
        results=tuple(sorted(s["results"].items())), packs_out=tuple(packs_out(ws)),
        district_status=receipt_status(ws))


def teacher_progress(ws, today: date | None = None) -> dict[int, TeacherProgress]:
    """Per teacher (调离 excluded): hours, exemption and whether every rule is met."""
    snap = snapshot_mod.load_ws(ws, today)
    report = run_on_snapshot(snap)
    blocking: dict[int, int] = {}
    hours_problems: dict[int, list[str]] = {}
    for f in report.findings:
        if f.teacher_id is not None and f.is_blocking:
            blocking[f.teacher_id] = blocking.get(f.teacher_id, 0) + 1
            if f.code.startswith("hours."):
                hours_problems.setdefault(f.teacher_id, []).append(f.message.split("：", 1)[-1])
    return {v.teacher.id: TeacherProgress(v.teacher.id, v.hours.total, dict(v.hours.by_category),
                                          v.exempt_reason, report.teacher_passes.get(v.teacher.id, False),
                                          blocking.get(v.teacher.id, 0),
                                          tuple(hours_problems.get(v.teacher.id, ())))
            for v in snap.teachers}


def hours_requirements(ws) -> tuple[tuple[str, float], ...]:
    """(category, minimum per teacher) in programme order, then (总学时, total minimum)."""
    from app.services.programmes import current_rules
    with ws.sessions() as s:
        rules = current_rules(s)
    out = [(c["key"], float(c.get("min") or 0)) for c in rules.categories]
    return tuple(out + [("总学时", rules.total_min)])


def _plans_and_rules(ws) -> SimpleNamespace:
    from app.models import PlanDocument
    from app.services.programmes import current_rules
    with ws.sessions() as s:
        return SimpleNamespace(rules=current_rules(s), plans=list(s.exec(select(PlanDocument))),
                               deadlines=list(s.exec(select(Deadline).order_by(Deadline.due_on))))


def plan_states(ws) -> tuple[PlanState, ...]:
    """The required plan documents (and any others) with their best status, without a full snapshot."""
    return _plan_states(_plans_and_rules(ws))[0]


def list_deadlines(ws, today: date | None = None) -> list[DeadlineRow]:
    data = _plans_and_rules(ws)
    _, met = _plan_states(data)
    return [_deadline_row(d, today or date.today(), met) for d in data.deadlines]


def set_deadline_done(ws, deadline_id: int, done_on: date | None) -> None:
    """Mark a deadline done on a date (None: not done yet)."""
    with ws.sessions() as s:
        d = s.get(Deadline, deadline_id)
        if d is None:
            raise NotFoundError("找不到该截止事项，可能已随项目方案更换而删除。")
        d.done_on = done_on
        s.add(d)
        s.commit()
