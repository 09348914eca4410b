"""Builds a school that meets every rule of a programme preset, with switches to break one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.services import activities, assessment, choices, courses, evidence, hours, plans, school, teams
from app.services.programmes import Rules, load_preset
from app.services.teachers import add_teacher
from app.services.validation.id_number import check_char

TODAY = date(2026, 11, 23)
SEMESTER = "2026-2027学年第一学期"
POINTS = ["A1", "A3", "A6"]


def valid_id(prefix17: str) -> str:
    return prefix17 + check_char(prefix17)


TEACHER_ID = valid_id("11010519900307002")   # a woman born 1990: far from retirement


@dataclass
class Options:
    hours: dict[str, float] | None = None          # manual hours per category (default: the minima)
    topic_hours: dict[tuple[str, str], float] | None = None
    points: list[str] | None = field(default_factory=lambda: list(POINTS))
    skip_evidence: set[tuple[str | None, int]] = field(default_factory=set)
    skip_grades: bool = False
    fail: tuple[str | None, int] | None = None
    skip_plans: set[str] = field(default_factory=set)
    plan_status: dict[str, str] = field(default_factory=dict)
    skip_teams: set[str] = field(default_factory=set)
    first_responsible: bool = True
    group_leader: bool = True
    skip_groups: bool = False
    course_hours: list[float] | None = None
    activity: bool = True
    case: bool = True
    environment: str = "混合"


def default_hours(rules: Rules) -> dict[str, float]:
    """Each category at its minimum; the rest of the total (and the practice share) as practice."""
    out = {c["key"]: float(c.get("min") or 0) for c in rules.categories}
    practice = rules.practice_keys[0] if rules.practice_keys else rules.category_keys[-1]
    missing = rules.total_min - sum(out.values()) - 2        # the activity brings 2 practice hours
    if missing > 0:
        out[practice] += missing
    share = rules.practice_share_min or 0
    if share:
        total = max(sum(out.values()) + 2, rules.total_min)
        have = sum(out[k] for k in rules.practice_keys) + 2
        if have < share * total:
            out[practice] += share * total - have
    return out


def activity_category(rules: Rules) -> str:
    return rules.practice_keys[0] if rules.practice_keys else rules.category_keys[-1]


def build(ws, preset_id: str, tmp: Path, opts: Options | None = None) -> Rules:
    opts = opts or Options()
    rules = Rules(load_preset(preset_id))
    school.init_school(ws, name="测试学校", code="T001", environment=opts.environment, programme_id=preset_id)
    t = add_teacher(ws, name="王芳", id_number=TEACHER_ID, staff_no="T1", subject="语文")
    sch = rules.school
    # teams and groups
    for kind in sch.get("teams_required") or []:
        if kind in opts.skip_teams:
            continue
        team = teams.save_team(ws, None, kind=kind)
        teams.add_member(ws, team.id, teacher_id=t.id, role="校长" if kind == "校级管理团队" else "成员",
                         first_responsible=(kind == "校级管理团队" and opts.first_responsible))
    if sch.get("study_groups_required") and not opts.skip_groups:
        teams.save_group(ws, None, name="语文组", subject="语文", leader_id=t.id if opts.group_leader else None,
                         member_ids=[t.id])
    # plans
    required = list(sch.get("plans_required") or []) + (["学期培训计划"] if sch.get("semester_plan_required") else [])
    doc = tmp / "方案.docx"
    doc.write_bytes(b"plan")
    for kind in required:
        if kind in opts.skip_plans:
            continue
        plans.save_plan(ws, None, file=doc, kind=kind, status=opts.plan_status.get(kind, "已备案"),
                        semester=SEMESTER, submitted_on="2026-09-01", filed_on="2026-09-10"
                        if opts.plan_status.get(kind, "已备案") == "已备案" else None)
    # courses and the activity
    if sch.get("courses"):
        for n, h in enumerate(opts.course_hours or [12, 12]):
            courses.save_course(ws, None, participant_ids=[], title=f"校本课程{n + 1}", semester=SEMESTER, hours=h)
    if opts.activity:
        activities.save_activity(ws, None, [t.id], title="校本研修活动", on_date="2026-10-10", hours=2,
                                 category=activity_category(rules))
    # hours
    for cat, h in (opts.hours if opts.hours is not None else default_hours(rules)).items():
        topics = {k: v for k, v in (opts.topic_hours if opts.topic_hours is not None else
                                    {(m["category"], m["topic"]): m["min"] for m in rules.topic_minimums}).items()
                  if k[0] == cat}
        plain = h - sum(topics.values())
        for (c, topic), th in topics.items():
            if th > 0:
                hours.add_hours(ws, t.id, category=c, topic=topic, hours=th, on_date="2026-10-01")
        if plain > 0:
            hours.add_hours(ws, t.id, category=cat, hours=plain, on_date="2026-10-01")
    # choices, evidence, grades
    if rules.micro is not None and opts.points:
        choices.set_choices(ws, t.id, opts.points)
    codes = (opts.points or []) if rules.micro is not None else []
    targets = [(c, it) for c in codes for it in _items(ws, c)] + [(None, it) for it in _items(ws, None)]
    for code, it in targets:
        if (code, it.seq) in opts.skip_evidence:
            continue
        f = tmp / f"{code}_{it.seq}.docx"
        f.write_bytes(f"{code}-{it.seq}".encode())
        evidence.add_evidence(ws, t.id, code or evidence.TEACHER_LEVEL, str(it.seq), f)
    if not opts.skip_grades:
        for code, it in targets:
            if (code, it.seq) in opts.skip_evidence:
                continue
            grade = "不合格" if opts.fail == (code, it.seq) else "优秀"
            assessment.assess(ws, t.id, code or evidence.TEACHER_LEVEL, str(it.seq), grade, reviewer="李老师",
                              on_date="2026-11-18")
    if sch.get("excellent_share_min") and opts.case and not (opts.fail or opts.skip_grades or opts.skip_evidence):
        assessment.mark_case(ws, t.id, codes[0] if codes else None)
    return rules


def _items(ws, code):
    from sqlmodel import select

    from app.models import EvidenceItem
    from app.services.evidence import item_info
    with ws.sessions() as s:
        return [item_info(e) for e in s.exec(select(EvidenceItem).where(EvidenceItem.point_code == code)
                                             .order_by(EvidenceItem.seq))]
