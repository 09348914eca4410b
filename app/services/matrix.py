"""The whole-school teacher × point matrix, its counts, filters and bulk assignment.

Rows are plain frozen dataclasses built from one Snapshot, so the GUI's matrix
of a 1,000-teacher school costs a handful of queries. Whether a teacher's
selection meets the programme is decided by `choices.rule_problems` — the same
rule the CLI and the compliance check use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import select

from app.errors import NotFoundError, RuleViolation, ValidationError
from app.models import EvidenceItem
from app.services import choices
from app.services.choices import DIMENSIONS, ENV_LEVEL, PointInfo, rule_problems
from app.services.evidence import ItemInfo, item_info
from app.services.progress import NO_PROGRESS, Progress
from app.services.snapshot import Snapshot, load_ws

NO_GROUP = "（未分组）"


@dataclass(frozen=True)
class MatrixRow:
    teacher_id: int
    name: str
    staff_no: str
    subject: str
    group_id: int | None
    group: str
    environment: str
    exempt_reason: str | None
    codes: frozenset[str]
    problems: tuple[str, ...]
    result: str

    @property
    def selection_ok(self) -> bool:
        return not self.problems and bool(self.codes)

    @property
    def status(self) -> str:
        """One short word for the 选点 column."""
        if self.exempt_reason:
            return "免修"
        if not self.codes:
            return "未选点"
        return "符合" if not self.problems else "不符合"


@dataclass(frozen=True)
class GroupInfo:
    id: int
    name: str
    subject: str
    common_point: str
    member_ids: tuple[int, ...]


@dataclass(frozen=True)
class SchoolMatrix:
    points: tuple[PointInfo, ...]
    rows: tuple[MatrixRow, ...]
    subjects: tuple[str, ...]
    groups: tuple[GroupInfo, ...]
    micro: dict | None


@dataclass(frozen=True)
class MatrixCounts:
    teachers: int
    by_point: dict[str, int]
    by_dimension: dict[str, int]
    by_status: dict[str, int]


def matrix_from_snapshot(snap: Snapshot) -> SchoolMatrix:
    micro = snap.rules.micro
    group_names = {g.id: g.name for g in snap.groups}
    members: dict[int, list[int]] = {g.id: [] for g in snap.groups}
    rows = []
    for v in snap.teachers:
        t = v.teacher
        gid = t.group_id if t.group_id in group_names else None
        if gid is not None:
            members[gid].append(t.id)
        problems = () if v.exempt_reason else tuple(rule_problems(micro, v.environment, v.points))
        rows.append(MatrixRow(t.id, t.name, t.staff_no or "", t.subject or "", gid,
                              group_names.get(gid, NO_GROUP) if gid else NO_GROUP, v.environment,
                              v.exempt_reason, frozenset(p.code for p in v.points), problems, v.result))
    subjects = tuple(sorted({r.subject for r in rows if r.subject}))
    groups = tuple(GroupInfo(g.id, g.name, g.subject or "", (g.common_point or "").upper(), tuple(members[g.id]))
                   for g in sorted(snap.groups, key=lambda g: g.id))
    return SchoolMatrix(tuple(snap.catalogue.values()), tuple(rows), subjects, groups, micro)


def school_matrix(ws) -> SchoolMatrix:
    return matrix_from_snapshot(load_ws(ws))


def filter_rows(rows: tuple[MatrixRow, ...] | list[MatrixRow], *, subject: str = "", group: str = "",
                text: str = "") -> list[int]:
    """Indices of the rows that pass the filters ('' means any; group may be NO_GROUP)."""
    needle = text.strip().casefold()
    out = []
    for i, r in enumerate(rows):
        if subject and r.subject != subject:
            continue
        if group and r.group != group:
            continue
        if needle and needle not in r.name.casefold() and needle not in r.staff_no.casefold():
            continue
        out.append(i)
    return out


def count(rows, points: tuple[PointInfo, ...] | list[PointInfo]) -> MatrixCounts:
    """How many of these teachers chose each point, each dimension (teacher-points) and status."""
    by_point: Counter[str] = Counter()
    for r in rows:
        by_point.update(r.codes)
    dim_of = {p.code: p.dimension for p in points}
    by_dim: Counter[str] = Counter()
    for code, n in by_point.items():
        by_dim[dim_of.get(code, "")] += n
    status = Counter(r.status for r in rows)
    return MatrixCounts(len(rows), {p.code: by_point.get(p.code, 0) for p in points},
                        {d: by_dim.get(d, 0) for d in DIMENSIONS}, dict(status))


@dataclass(frozen=True)
class BulkAssignResult:
    group: str
    point: str
    added: tuple[str, ...]
    already: tuple[str, ...]
    skipped: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]

    def summary(self) -> str:
        """A few plain lines for a message box."""
        lines = [f"研修组“{self.group}”的共同能力点 {self.point}："]
        lines.append(f"新加入 {len(self.added)} 人" + (f"（{'、'.join(self.added[:10])}"
                                                       f"{' 等' if len(self.added) > 10 else ''}）" if self.added else ""))
        if self.already:
            lines.append(f"原已选择 {len(self.already)} 人")
        if self.skipped:
            lines.append(f"免修、不参加选点 {len(self.skipped)} 人：{'、'.join(self.skipped)}")
        if self.refused:
            lines.append(f"未能加入 {len(self.refused)} 人（不符合本校方案规则，请逐人调整）：")
            lines += [f"  · {name}：{why}" for name, why in self.refused]
        return "\n".join(lines)


def assign_common_point(ws, group_id: int, progress: Progress = NO_PROGRESS) -> BulkAssignResult:
    """Add the group's common point to each member's current choices.

    Each teacher is saved on their own through `choices.set_choices`, so the
    programme rule decides; a teacher the rule refuses (e.g. the point is outside
    a teaching point's environment, or too few other points are chosen yet) is
    reported with the reason, and the others are still saved.
    """
    snap = load_ws(ws)
    matrix = matrix_from_snapshot(snap)
    group = next((g for g in matrix.groups if g.id == group_id), None)
    if group is None:
        raise NotFoundError("找不到该研修组，可能已被删除。")
    point = group.common_point
    if not point:
        raise ValidationError(f"研修组“{group.name}”还没有设置共同能力点。请先在“团队”页面为它设置。",
                              field="common_point")
    if point not in snap.catalogue:
        raise ValidationError(f"研修组“{group.name}”的共同能力点“{point}”不是有效的能力点代码。",
                              field="common_point")
    by_id = {r.teacher_id: r for r in matrix.rows}
    added, already, skipped, refused = [], [], [], []
    members = [by_id[t] for t in group.member_ids if t in by_id]
    for n, row in enumerate(members, 1):
        progress.report(n - 1, len(members), f"正在处理 {row.name}…")
        if row.exempt_reason:
            skipped.append(row.name)
            continue
        if point in row.codes:
            already.append(row.name)
            continue
        order = [p.code for p in matrix.points]
        codes = sorted(row.codes | {point}, key=order.index)
        try:
            choices.set_choices(ws, row.teacher_id, codes)
        except RuleViolation as exc:
            refused.append((row.name, "；".join(exc.details) or exc.user_message))
        else:
            added.append(row.name)
    progress.report(len(members), len(members), "完成", force=True)
    return BulkAssignResult(group.name, point, tuple(added), tuple(already), tuple(skipped), tuple(refused))


def evidence_items_by_point(ws) -> dict[str, list[ItemInfo]]:
    """The required evidence items of every point in the catalogue (for hover and the side panel)."""
    out: dict[str, list[ItemInfo]] = {}
    with ws.sessions() as s:
        for e in s.exec(select(EvidenceItem).where(EvidenceItem.point_code != None)  # noqa: E711
                        .order_by(EvidenceItem.seq)):
            out.setdefault(e.point_code, []).append(item_info(e))
    return out


def rule_summary(micro: dict | None, environment: str) -> str:
    """The programme's selection rule in one Chinese sentence (the check itself is rule_problems)."""
    if micro is None:
        return "本项目方案不设微能力点，无需选点。"
    parts = []
    lo, hi = micro.get("min_points"), micro.get("max_points")
    if lo and hi and lo == hi:
        parts.append(f"选择 {lo} 个能力点")
    elif lo and hi:
        parts.append(f"选择 {lo}–{hi} 个能力点")
    elif lo:
        parts.append(f"至少选择 {lo} 个能力点")
    if micro.get("min_dimensions"):
        parts.append(f"覆盖至少 {micro['min_dimensions']} 个维度")
    allowed = [e for e, lv in sorted(ENV_LEVEL.items(), key=lambda x: x[1]) if lv <= ENV_LEVEL.get(environment, 0)]
    parts.append(f"只能在{'、'.join(allowed)}环境的能力点中选择")
    beyond = micro.get("min_beyond_a_in_rich") or 0
    if beyond and ENV_LEVEL.get(environment, 0) > 0:
        parts.append(f"其中至少 {beyond} 个为 B/C 类")
    return f"本校方案要求：{'，'.join(parts)}（{environment}环境）。"


@dataclass(frozen=True)
class ChoiceState:
    """What the 选点 panel needs for one teacher; the live check runs rule_problems on it."""
    teacher_id: int
    name: str
    staff_no: str
    subject: str
    environment: str
    exempt_reason: str | None
    points: tuple[PointInfo, ...]
    chosen: tuple[str, ...]
    files_by_point: dict[str, int]
    micro: dict | None

    def problems(self, codes: list[str] | tuple[str, ...]) -> list[str]:
        known = {p.code: p for p in self.points}
        return rule_problems(self.micro, self.environment, [known[c] for c in codes if c in known])


def teacher_choice_state(ws, teacher_id: int) -> ChoiceState:
    snap = load_ws(ws)
    v = snap.by_id(teacher_id)
    if v is None:
        raise NotFoundError("找不到该教师，可能已被删除或已调离。")
    t = v.teacher
    files = {code: sum(st.files for st in states) for code, states in v.point_items.items()}
    return ChoiceState(t.id, t.name, t.staff_no or "", t.subject or "", v.environment, v.exempt_reason,
                       tuple(snap.catalogue.values()), tuple(p.code for p in v.points),
                       {c: n for c, n in files.items() if n}, snap.rules.micro)
