"""Micro-ability choices and the one implementation of the selection rule.

The rule (count, dimensions, environment) comes from the programme's `micro`
section; the CLI, the GUI's live check and the compliance engine all call
`rule_problems`, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.errors import ConfirmationRequired, NotFoundError, RuleViolation
from app.models import AbilityChoice, AbilityPoint, EvidenceFile, School, Teacher, TeachingPoint
from app.services.programmes import current_rules
from app.services.teachers import resolve_in

ENV_LEVEL = {"多媒体": 0, "混合": 1, "智慧": 2}
DIMENSIONS = ("学情分析", "教学设计", "学法指导", "学业评价")


@dataclass(frozen=True)
class PointInfo:
    code: str
    name: str
    environment: str
    dimension: str
    description: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


def allowed_environments(environment: str) -> set[str]:
    level = ENV_LEVEL.get(environment, 0)
    return {env for env, lv in ENV_LEVEL.items() if lv <= level}


def outside_environment_reason(point: PointInfo, environment: str) -> str | None:
    if point.environment in allowed_environments(environment):
        return None
    return (f"能力点 {point.code}（{point.name}）适用于{point.environment}学习环境，"
            f"本校（或所在教学点）为{environment}环境，不能选择")


def rule_checks(micro: dict | None, environment: str, points: list[PointInfo]) -> list[tuple[str, str]]:
    """Every way this selection breaks the programme's rule: (rule key, Chinese message); [] when fine."""
    if micro is None:
        return [] if not points else [("micro.enabled", "本项目方案不设微能力点，无需选点")]
    problems: list[tuple[str, str]] = []
    if micro.get("environment_rule"):
        problems += [("micro.environment", r) for p in points if (r := outside_environment_reason(p, environment))]
    scope = micro.get("range")
    if scope:
        outside = [p.code for p in points if p.code not in scope]
        if outside:
            problems.append(("micro.range", f"能力点 {'、'.join(outside)} 不在本校确定的微能力提升范围内"
                                            f"（{'、'.join(scope)}）"))
    n = len(points)
    lo, hi = micro.get("min_points"), micro.get("max_points")
    if lo and hi and lo == hi and n != lo:
        problems.append(("micro.count", f"须选择 {lo} 个能力点，已选 {n} 个"))
    else:
        if lo and n < lo:
            problems.append(("micro.count", f"至少选择 {lo} 个能力点，已选 {n} 个"))
        if hi and n > hi:
            problems.append(("micro.count", f"最多选择 {hi} 个能力点，已选 {n} 个"))
    need_dims = micro.get("min_dimensions")
    covered = sorted({p.dimension for p in points}, key=DIMENSIONS.index)
    if need_dims and len(covered) < need_dims:
        missing = [d for d in DIMENSIONS if d not in covered]
        problems.append(("micro.dimensions", f"能力点须覆盖至少 {need_dims} 个维度，已覆盖 {len(covered)} 个"
                                             f"（{'、'.join(covered) or '无'}），还可从{'、'.join(missing)}中补选"))
    beyond = micro.get("min_beyond_a_in_rich") or 0
    if beyond and ENV_LEVEL.get(environment, 0) > 0:
        rich = sum(1 for p in points if p.environment != "多媒体")
        if rich < beyond:
            problems.append(("micro.rich_beyond_a",
                             f"本校为{environment}环境，须至少选择 {beyond} 个 B/C 类能力点，已选 {rich} 个"))
    return problems


def rule_problems(micro: dict | None, environment: str, points: list[PointInfo]) -> list[str]:
    """Every way this selection breaks the programme's rule, in Chinese; [] when it is fine."""
    return [message for _, message in rule_checks(micro, environment, points)]


def point_info(p: AbilityPoint) -> PointInfo:
    return PointInfo(p.code, p.name, p.environment, p.dimension, p.description)


def catalogue(s: Session) -> dict[str, PointInfo]:
    return {p.code: point_info(p) for p in s.exec(select(AbilityPoint).order_by(AbilityPoint.sort_order))}


def list_points(ws) -> list[PointInfo]:
    with ws.sessions() as s:
        return list(catalogue(s).values())


def teacher_environment_of(teacher: Teacher, points: dict[int, TeachingPoint], school_env: str) -> str:
    """A teaching point may have its own environment; otherwise the school's."""
    tp = points.get(teacher.teaching_point_id) if teacher.teaching_point_id else None
    return tp.environment if tp and tp.environment else school_env


def teacher_environment(s: Session, teacher: Teacher) -> str:
    tp = s.get(TeachingPoint, teacher.teaching_point_id) if teacher.teaching_point_id else None
    school = s.exec(select(School)).first()
    return teacher_environment_of(teacher, {tp.id: tp} if tp else {}, school.environment if school else "多媒体")


def normalise_codes(codes: list[str], known: dict[str, PointInfo]) -> list[str]:
    out = []
    for raw in codes:
        for part in str(raw).replace("，", ",").replace(" ", ",").split(","):
            code = part.strip().upper()
            if not code:
                continue
            if code not in known:
                raise NotFoundError(f"没有代码为“{code}”的能力点（应为 A1–A13、B1–B10、C1–C7）。")
            if code not in out:
                out.append(code)
    return out


@dataclass(frozen=True)
class ChoiceCheck:
    ok: bool
    problems: list[str]
    environment: str
    chosen: list[PointInfo]


def check_selection(ws, teacher_id: int, codes: list[str]) -> ChoiceCheck:
    """The live check the GUI shows before saving."""
    with ws.sessions() as s:
        t = s.get(Teacher, teacher_id)
        if t is None:
            raise NotFoundError("找不到该教师。")
        known = catalogue(s)
        chosen = [known[c] for c in normalise_codes(codes, known)]
        env = teacher_environment(s, t)
        problems = rule_problems(current_rules(s).micro, env, chosen)
        return ChoiceCheck(not problems, problems, env, chosen)


def current_choices(ws, teacher_id: int) -> list[PointInfo]:
    with ws.sessions() as s:
        known = catalogue(s)
        rows = s.exec(select(AbilityChoice).where(AbilityChoice.teacher_id == teacher_id)).all()
        return sorted((known[r.point_code] for r in rows), key=lambda p: list(known).index(p.code))


@dataclass(frozen=True)
class ChoiceResult:
    teacher: str
    chosen: list[str]
    dropped_with_evidence: list[str]


def set_choices(ws, teacher_ref: str | int, codes: list[str], *, confirm_drop: bool = False) -> ChoiceResult:
    """Set a teacher's points to exactly `codes`; refused, naming the rule, when they break it.

    Dropping a point that already has evidence needs confirm_drop; the files are kept.
    """
    with ws.sessions() as s:
        t = s.get(Teacher, teacher_ref) if isinstance(teacher_ref, int) else resolve_in(s, teacher_ref)
        if t is None:
            raise NotFoundError("找不到该教师。")
        known = catalogue(s)
        wanted = normalise_codes(codes, known)
        env = teacher_environment(s, t)
        problems = rule_problems(current_rules(s).micro, env, [known[c] for c in wanted])
        if problems:
            raise RuleViolation(f"{t.name} 的能力点选择不符合本校项目方案的规则，未保存：",
                                details=problems)
        existing = {c.point_code: c for c in
                    s.exec(select(AbilityChoice).where(AbilityChoice.teacher_id == t.id))}
        dropped = [c for c in existing if c not in wanted]
        with_evidence = [c for c in dropped if s.exec(select(EvidenceFile.id).where(
            EvidenceFile.teacher_id == t.id, EvidenceFile.point_code == c)).first()]
        if with_evidence and not confirm_drop:
            raise ConfirmationRequired(
                f"{t.name} 已为能力点 {'、'.join(with_evidence)} 提交了证据文件。"
                "取消这些能力点需要确认（文件会保留，但不再计入）。", cli_hint="确认取消：命令行加 --confirm。")
        for c in dropped:
            s.delete(existing[c])
        for c in wanted:
            if c not in existing:
                s.add(AbilityChoice(teacher_id=t.id, point_code=c))
        s.commit()
        return ChoiceResult(t.name, wanted, with_evidence)
