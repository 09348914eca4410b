"""Builds a school that meets every rule of a programme preset, with switches to break one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from app.services import activities, assessment, choices, courses, evidence, hours, plans, school, teams
from app.services.programmes import Rules, load_preset
from app.services.programmes.adjust import set_rule
from app.services.self_assessment import rate
from app.services.teachers import add_teacher
from app.services.validation.id_number import check_char

TODAY = date(2026, 11, 23)
SEMESTER = "2026-2027学年第一学期"
POINTS = ["A1", "A3", "A6"]
RANGE = "A1,A3,A5,A6,A11,B1,B2,C1"


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
    activity: bool = True                          # the school-based activity (2 practice hours)
    required_activities: bool = True               # the programme's per-teacher activities
    case: bool = True
    environment: str = "混合"
    choose_range: bool = True                      # the school's micro-ability range, where asked
    choose_elective: bool = True                   # the school's elective topic, where asked
    self_assessment: bool = True


def activity_category(rules: Rules) -> str:
    return rules.practice_keys[0] if rules.practice_keys else rules.category_keys[-1]


def in_window(rules: Rules) -> date:
    """A date inside the programme's hours window for the test year (2026-2027)."""
    w = rules.window
    if w and w["kind"] == "period":
        return date.fromisoformat(w["end"]) - timedelta(days=60)
    return date(2026, 10, 1)


def required_activities(rules: Rules, environment: str) -> list[str]:
    kinds = []
    for a in rules.teacher_activities:
        if not a.get("environments") or environment in a["environments"]:
            kinds += [a["kinds"][0]] * a["min"]
    return kinds


def activity_hours(rules: Rules, opts: Options) -> float:
    n = len(required_activities(rules, opts.environment)) if opts.required_activities else 0
    return (2 if opts.activity else 0) + n


def default_hours(rules: Rules, extra_practice: float = 2) -> dict[str, float]:
    """Each category at its minimum; the rest of the total (and the practice share) as practice.

    `extra_practice` hours arrive through activities (the builder's default: 2)."""
    out = {c["key"]: float(c.get("min") or 0) for c in rules.categories}
    practice = activity_category(rules)
    out[practice] = max(0.0, out[practice] - extra_practice)
    missing = rules.total_min - sum(out.values()) - extra_practice
    if missing > 0:
        out[practice] += missing
    share = rules.practice_share or 0
    if share:
        have = sum(out[k] for k in rules.practice_keys) + extra_practice
        if have < share * rules.total_min:
            out[practice] += share * rules.total_min - have
    return out


def build(ws, preset_id: str, tmp: Path, opts: Options | None = None) -> Rules:
    opts = opts or Options()
    rules = Rules(load_preset(preset_id))
    school.init_school(ws, name="测试学校", code="T001", environment=opts.environment, programme_id=preset_id,
                       school_year="2026-2027学年" if rules.cycle == "school_year" else "2026年度")
    t = add_teacher(ws, name="王芳", id_number=TEACHER_ID, staff_no="T1", subject="语文")
    day = in_window(rules)
    # the school's own choices
    if rules.is_on("micro.range") and opts.choose_range:
        set_rule(ws, "micro.range.codes", RANGE, by="测试")
    if rules.elective_topic and opts.choose_elective:
        set_rule(ws, "hours.elective_topic.chosen", rules.elective_topic["choices"][:1], by="测试")
    # teams and groups
    team_kinds = [x["kind"] for x in rules.teams] or (["校级管理团队"] if rules.first_responsible else [])
    for n, kind in enumerate(team_kinds):
        if kind in opts.skip_teams:
            continue
        team = teams.save_team(ws, None, kind=kind)
        teams.add_member(ws, team.id, teacher_id=t.id, role="校长" if n == 0 else "成员",
                         first_responsible=(n == 0 and rules.first_responsible and opts.first_responsible))
    if rules.study_groups and not opts.skip_groups:
        teams.save_group(ws, None, name="语文组", subject="语文", leader_id=t.id if opts.group_leader else None,
                         member_ids=[t.id])
    # documents
    doc = tmp / "方案.docx"
    doc.write_bytes(b"plan")
    for d in rules.documents:
        kind = d["kind"]
        if kind in opts.skip_plans:
            continue
        status = opts.plan_status.get(kind, d["status"])
        plans.save_plan(ws, None, file=doc, kind=kind, title=d.get("title") or kind, status=status,
                        semester=SEMESTER, submitted_on="2026-06-01", filed_on="2026-06-05" if status == "已备案" else None)
    # courses and activities
    if rules.courses:
        c = rules.courses
        n = max(c.get("total_min") or 0, c.get("per_semester") or 0)
        for i, h in enumerate(opts.course_hours or [c.get("hours_min") or 10] * n):
            courses.save_course(ws, None, participant_ids=[], title=f"校本课程{i + 1}",
                                semester=SEMESTER if i % 2 == 0 else "2026-2027学年第二学期", hours=h)
    cat = activity_category(rules)
    if opts.activity:
        activities.save_activity(ws, None, [t.id], title="校本研修活动", kind="研讨交流", on_date=day.isoformat(),
                                 hours=2, category=cat)
    if opts.required_activities:
        for i, kind in enumerate(required_activities(rules, opts.environment)):
            activities.save_activity(ws, None, [t.id], title=f"{kind}{i + 1}", kind=kind,
                                     on_date=(day + timedelta(days=i + 1)).isoformat(), hours=1, category=cat)
    # hours
    plan_hours = opts.hours if opts.hours is not None else default_hours(rules, activity_hours(rules, opts))
    for cat_key, h in plan_hours.items():
        topics = {k: v for k, v in (opts.topic_hours if opts.topic_hours is not None else
                                    {(m["category"], m["topic"]): m["min"] for m in rules.topic_minimums}).items()
                  if k[0] == cat_key}
        plain = h - sum(topics.values())
        for (c, topic), th in topics.items():
            if th > 0:
                hours.add_hours(ws, t.id, category=c, topic=topic, hours=th, on_date=day.isoformat())
        if plain > 0:
            hours.add_hours(ws, t.id, category=cat_key, hours=plain, on_date=day.isoformat())
    # choices, evidence, grades
    if rules.micro is not None and opts.points:
        choices.set_choices(ws, t.id, opts.points)
    codes = (opts.points or []) if rules.micro is not None else []
    counts = {i["title"]: i.get("count", 1) for i in rules.teacher_items}
    targets = [(c, it) for c in codes for it in _items(ws, c)] + \
              [(None, it) for it in _items(ws, None) if _applies(rules, it.title) == "participants"]
    for code, it in targets:
        if (code, it.seq) in opts.skip_evidence:
            continue
        for k in range(counts.get(it.title, 1) if code is None else 1):
            f = tmp / f"{code}_{it.seq}_{k}.docx"
            f.write_bytes(f"{code}-{it.seq}-{k}".encode())
            evidence.add_evidence(ws, t.id, code or evidence.TEACHER_LEVEL, str(it.seq), f)
    if rules.assessment_required and not opts.skip_grades:
        for code, it in targets:
            if (code, it.seq) in opts.skip_evidence:
                continue
            grade = "不合格" if opts.fail == (code, it.seq) else "优秀"
            assessment.assess(ws, t.id, code or evidence.TEACHER_LEVEL, str(it.seq), grade, reviewer="李老师",
                              on_date="2026-11-18")
    if rules.excellent_share and opts.case and not (opts.fail or opts.skip_grades or opts.skip_evidence):
        assessment.mark_case(ws, t.id, codes[0] if codes else None)
    if opts.self_assessment:
        for item in rules.self_assessment:
            rate(ws, item["key"], "达成", "见佐证材料", by="测试")
    return rules


def _applies(rules: Rules, title: str) -> str:
    return next((i.get("applies", "participants") for i in rules.teacher_items if i["title"] == title),
                "participants")


def _items(ws, code):
    from sqlmodel import select

    from app.models import EvidenceItem
    from app.services.evidence import item_info
    with ws.sessions() as s:
        return [item_info(e) for e in s.exec(select(EvidenceItem).where(EvidenceItem.point_code == code)
                                             .order_by(EvidenceItem.seq))]
