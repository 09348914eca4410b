"""The reviewer's queue: evidence items waiting for a grade, and who may grade them.

An item is queued for 初评 when it has files and no grade, and for 复评 when its
teacher has an open 帮扶 covering its point and its latest grade (from an
earlier round) is the failing one. Grades themselves are written by
`assessment.assess`; the results follow from `grading` — nothing here decides a
result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import select

from app.models import Assessment
from app.services.assessment import SupportRow
from app.services.evidence import TEACHER_LEVEL, EvidenceRow, list_evidence
from app.services.snapshot import Snapshot, TeacherView, load_ws
from app.services.teams import list_teams

FIRST = "初评"
AGAIN = "复评"
DONE = "已评"
GUIDANCE_KINDS = ("信息化教学创新研修团队", "培训指导团队")


@dataclass(frozen=True)
class FileRef:
    evidence_id: int
    name: str
    kind: str
    size: int
    sha256: str
    added_at: datetime
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class QueueItem:
    teacher_id: int
    teacher: str
    staff_no: str
    subject: str
    group: str
    point_code: str | None
    point_name: str
    item_id: int
    item_seq: int
    item_title: str
    stage: str                  # 初评 / 复评 / 已评
    files: tuple[FileRef, ...]
    grade: str | None           # the latest grade, if any (for 复评: the failing one)
    round: int                  # the round a grade given now will be recorded in
    last_reviewer: str

    @property
    def key(self) -> tuple[int, int]:
        return (self.teacher_id, self.item_id)

    @property
    def code(self) -> str:
        """The CODE the assessment service expects (个人 for per-teacher items)."""
        return self.point_code or TEACHER_LEVEL

    @property
    def point_label(self) -> str:
        return f"{self.point_code} {self.point_name}" if self.point_code else "个人项目"

    @property
    def item_label(self) -> str:
        return f"{self.item_seq}. {self.item_title}"


def _group_names(snap: Snapshot) -> dict[int, str]:
    return {g.id: g.name for g in snap.groups}


def _round_for(v: TeacherView, code: str | None) -> int:
    """Same rule as assessment.assess: one more round per 帮扶 covering this point."""
    return 1 + sum(1 for r in v.supports if r.point_code in (None, code))


def _open_support_covers(v: TeacherView, code: str | None) -> bool:
    return any(r.closed_on is None and r.point_code in (None, code) for r in v.supports)


def queue_from_snapshot(snap: Snapshot, evidence: list[EvidenceRow], *, include_graded: bool = False
                        ) -> list[QueueItem]:
    """Every item a reviewer should look at, in group → teacher → point → item order."""
    fail = snap.rules.grading["fail"]
    groups = _group_names(snap)
    files: dict[tuple[int, int], list[FileRef]] = defaultdict(list)
    for e in evidence:
        files[(e.teacher_id, e.item_id)].append(FileRef(e.id, e.original_name, e.kind, e.size, e.sha256,
                                                        e.added_at, e.warnings))
    out = []
    for v in snap.active:
        t = v.teacher
        group = groups.get(t.group_id, "") if t.group_id else ""
        sections = [(code, snap.catalogue[code].name, states) for code, states in v.point_items.items()]
        if v.personal_items:
            sections.append((None, "", v.personal_items))
        for code, name, states in sections:
            rnd = _round_for(v, code)
            again = _open_support_covers(v, code)
            for st in states:
                if st.files and not st.grade:
                    stage = FIRST
                elif again and st.grade == fail and st.round < rnd and st.files:
                    stage = AGAIN
                elif include_graded and st.grade:
                    stage = DONE
                else:
                    continue
                out.append(QueueItem(t.id, t.name, t.staff_no or "", t.subject or "", group, code, name,
                                     st.item.id, st.item.seq, st.item.title, stage,
                                     tuple(files.get((t.id, st.item.id), ())), st.grade, rnd, st.reviewer))
    order = {name: i for i, name in enumerate(sorted(set(groups.values())))}
    out.sort(key=lambda q: (order.get(q.group, len(order)), q.teacher_id))
    return out


def build_queue(ws, *, include_graded: bool = False) -> list[QueueItem]:
    return queue_from_snapshot(load_ws(ws), list_evidence(ws), include_graded=include_graded)


@dataclass(frozen=True)
class QueueData:
    """What the reviewer's screen loads at once: the queue, who may grade, and the scale."""
    items: list[QueueItem]
    reviewers: list[str]
    scale: tuple[str, ...]
    fail: str


def queue_data(ws, *, include_graded: bool = False) -> QueueData:
    snap = load_ws(ws)
    return QueueData(queue_from_snapshot(snap, list_evidence(ws), include_graded=include_graded),
                     reviewer_names(ws), tuple(snap.rules.scale), snap.rules.grading["fail"])


AVOID = "回避"                # the reviewer's own evidence
OTHERS = "他人评定"            # graded before by another reviewer


def _filtered(items: list[QueueItem], group: str, point: str, stage: str) -> list[QueueItem]:
    return [q for q in items
            if (not group or q.group == group) and (not point or (q.point_code or TEACHER_LEVEL) == point)
            and (not stage or q.stage == stage)]


def hidden_reason(q: QueueItem, reviewer: str, taken_over=frozenset()) -> str | None:
    """Why the item is not in this reviewer's queue (回避 / 他人评定), or None if it is."""
    if not reviewer:
        return None
    if q.teacher == reviewer:
        return AVOID
    if q.stage != FIRST and q.last_reviewer and q.last_reviewer != reviewer and q.key not in taken_over:
        return OTHERS
    return None


def filter_queue(items: list[QueueItem], *, reviewer: str = "", group: str = "", point: str = "",
                 stage: str = "", taken_over=frozenset()) -> list[QueueItem]:
    """Narrow the queue. A reviewer never sees their own evidence (回避), and items graded
    before (复评, 已评) show only to whoever graded them, or to anyone if nobody is recorded —
    unless this reviewer took them over (`taken_over`: item keys)."""
    return [q for q in _filtered(items, group, point, stage) if hidden_reason(q, reviewer, taken_over) is None]


@dataclass(frozen=True)
class HiddenItem:
    item: QueueItem
    reason: str                 # AVOID / OTHERS


def hidden_from(items: list[QueueItem], *, reviewer: str, group: str = "", point: str = "", stage: str = "",
                taken_over=frozenset()) -> list[HiddenItem]:
    """The waiting items these filters would show but the reviewer rules keep from this reviewer."""
    out = []
    for q in _filtered(items, group, point, stage):
        reason = hidden_reason(q, reviewer, taken_over)
        if reason is not None and q.stage != DONE:
            out.append(HiddenItem(q, reason))
    return out


def hidden_text(hidden: list[HiddenItem]) -> str:
    """In plain words: how many waiting items are not in the queue, and why."""
    if not hidden:
        return ""
    avoid = [h for h in hidden if h.reason == AVOID]
    others = [h for h in hidden if h.reason == OTHERS]
    parts = []
    if avoid:
        parts.append(f"{len(avoid)} 项是您本人的证据（回避，请其他评定人评定）")
    if others:
        by: dict[str, int] = defaultdict(int)
        for h in others:
            by[h.item.last_reviewer] += 1
        who = "、".join(f"{name} {n} 项" for name, n in by.items())
        again = sum(1 for h in others if h.item.stage == AGAIN)
        kind = f"其中复评 {again} 项，" if again else ""
        parts.append(f"{len(others)} 项上次由其他评定人评定（{who}；{kind}复评通常由原评定人完成，也可以接手）")
    return f"另有 {len(hidden)} 项待评的证据不在您的队列中：" + "；".join(parts) + "。"


def reviewer_names(ws) -> list[str]:
    """Members of the guidance teams first, then the other teams' members; no repeats."""
    teams = list_teams(ws)
    ordered = sorted(teams, key=lambda t: (t.kind not in GUIDANCE_KINDS, t.id))
    out: list[str] = []
    for team in ordered:
        for m in team.members:
            if m.name and m.name not in out:
                out.append(m.name)
    return out


@dataclass(frozen=True)
class GradeRow:
    item_id: int
    round: int
    grade: str
    reviewer: str
    comment: str
    on_date: date


def grade_history(ws, teacher_id: int) -> dict[int, list[GradeRow]]:
    """All grades of one teacher's items, oldest round first, keyed by item id."""
    out: dict[int, list[GradeRow]] = defaultdict(list)
    with ws.sessions() as s:
        q = select(Assessment).where(Assessment.teacher_id == teacher_id).order_by(Assessment.round, Assessment.id)
        for a in s.exec(q):
            out[a.item_id].append(GradeRow(a.item_id, a.round, a.grade, a.reviewer, a.comment, a.on_date))
    return dict(out)


@dataclass(frozen=True)
class SheetRow:
    """One required item of one teacher, with every grade it has had."""
    point_code: str | None
    point_name: str
    item_id: int
    item_seq: int
    item_title: str
    state: str                  # 缺 / 已提交 / 已评
    files: tuple[FileRef, ...]
    history: tuple[GradeRow, ...]
    round_now: int              # the round a grade given now is recorded in
    needs_regrade: bool = False  # failed earlier and an open 帮扶 covers it: waiting for 复评

    @property
    def code(self) -> str:
        return self.point_code or TEACHER_LEVEL

    @property
    def latest(self) -> GradeRow | None:
        return self.history[-1] if self.history else None

    @property
    def key(self) -> int:
        return self.item_id


@dataclass(frozen=True)
class TeacherSheet:
    teacher_id: int
    name: str
    staff_no: str
    exempt_reason: str | None
    rows: tuple[SheetRow, ...]
    point_results: dict[str, str]
    result: str
    open_support: SupportRow | None  # the 帮扶 still open, if any
    cases: tuple[str | None, ...]    # point codes (None = the teacher as a whole) marked as excellent cases
    scale: tuple[str, ...]
    fail: str
    excellent: str


def _support(r, name: str) -> SupportRow:
    return SupportRow(r.id, r.teacher_id, name, r.point_code, r.helper, r.plan, r.opened_on, r.reassess_on,
                      r.closed_on, r.new_result)


def teacher_sheet(ws, teacher_id: int) -> TeacherSheet:
    """Everything the 按教师评定 tab shows for one teacher."""
    from app.errors import NotFoundError
    snap = load_ws(ws)
    v = snap.by_id(teacher_id)
    if v is None:
        raise NotFoundError("找不到该教师，可能已被删除或已调离。")
    history = grade_history(ws, teacher_id)
    files: dict[int, list[FileRef]] = defaultdict(list)
    for e in list_evidence(ws, teacher_id):
        files[e.item_id].append(FileRef(e.id, e.original_name, e.kind, e.size, e.sha256, e.added_at, e.warnings))
    rows = []
    sections = [(code, snap.catalogue[code].name, states) for code, states in v.point_items.items()]
    if v.personal_items:
        sections.append((None, "个人项目", v.personal_items))
    fail = snap.rules.grading["fail"]
    for code, name, states in sections:
        rnd = _round_for(v, code)
        again = _open_support_covers(v, code)
        for st in states:
            rows.append(SheetRow(code, name, st.item.id, st.item.seq, st.item.title, st.state,
                                 tuple(files.get(st.item.id, ())), tuple(history.get(st.item.id, ())), rnd,
                                 again and st.grade == fail and st.round < rnd and st.files > 0))
    t = v.teacher
    g = snap.rules.grading
    return TeacherSheet(t.id, t.name, t.staff_no or "", v.exempt_reason, tuple(rows), dict(v.point_results),
                        v.result, next((_support(r, t.name) for r in v.supports if r.closed_on is None), None),
                        tuple(c.point_code for c in v.cases), tuple(snap.rules.scale), g["fail"],
                        g.get("excellent") or snap.rules.scale[0])


@dataclass(frozen=True)
class NeedsSupport:
    teacher_id: int
    teacher: str
    group: str
    failed_points: tuple[str, ...]


@dataclass(frozen=True)
class CaseCandidate:
    teacher_id: int
    teacher: str
    group: str
    point_code: str
    point_name: str


@dataclass(frozen=True)
class TeacherResult:
    teacher_id: int
    name: str
    staff_no: str
    subject: str
    group: str
    result: str


@dataclass(frozen=True)
class AssessmentSummary:
    """The 校本考核 dashboard: the compliance summary's figures plus what is waiting."""
    active: int
    results: dict[str, int]
    to_grade: int
    to_regrade: int
    support_open: int
    support_closed: int
    needs_support: tuple[NeedsSupport, ...]
    cases: int
    share: float
    share_min: float | None
    candidates: tuple[CaseCandidate, ...]
    scale: tuple[str, ...]
    fail: str
    cases_short: int                 # more cases the compliance check wants (0 when met or no target)
    teachers: tuple[TeacherResult, ...] = ()

    @property
    def share_met(self) -> bool | None:
        return None if not self.share_min else self.cases_short == 0


def summary_from_snapshot(snap: Snapshot, evidence: list[EvidenceRow] | None = None) -> AssessmentSummary:
    from app.services.compliance.engine import run_on_snapshot
    report = run_on_snapshot(snap)
    s = report.summary
    queue = queue_from_snapshot(snap, evidence or [])
    groups = _group_names(snap)
    fail = snap.rules.grading["fail"]
    excellent = snap.rules.grading.get("excellent") or snap.rules.scale[0]
    needs, candidates = [], []
    for v in snap.active:
        t = v.teacher
        group = groups.get(t.group_id, "") if t.group_id else ""
        if v.result == fail and not any(r.closed_on is None for r in v.supports):
            needs.append(NeedsSupport(t.id, t.name, group,
                                      tuple(c for c, r in v.point_results.items() if r == fail)))
        marked = {c.point_code for c in v.cases}
        for code, result in v.point_results.items():
            if result == excellent and code not in marked:
                candidates.append(CaseCandidate(t.id, t.name, group, code, snap.catalogue[code].name))
    return AssessmentSummary(s["active"], dict(s["results"]), sum(1 for q in queue if q.stage == FIRST),
                             sum(1 for q in queue if q.stage == AGAIN), s["support_open"], s["support_closed"],
                             tuple(needs), s["excellent_cases"], s["excellent_share"], s["excellent_share_min"],
                             tuple(candidates), tuple(snap.rules.scale), fail,
                             next((int(f.need - f.have) for f in report.findings if f.code == "rate.excellent"), 0),
                             tuple(TeacherResult(v.teacher.id, v.teacher.name, v.teacher.staff_no or "",
                                                 v.teacher.subject or "",
                                                 groups.get(v.teacher.group_id, "") if v.teacher.group_id else "",
                                                 v.result) for v in snap.teachers))


def assessment_summary(ws) -> AssessmentSummary:
    return summary_from_snapshot(load_ws(ws), [])
