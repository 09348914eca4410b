"""The merge preview: every change of a return compared with the school's records, before anything is merged.

Each change becomes one line the user sees: new evidence, a file replacing one the school has, new
hours, a new activity, new point choices, or the withdrawal of something merged from an earlier
return. A line is 将合并, 无需更改 (the school already has it), 无法合并 (with why: the teacher was
deleted, the category is no longer in the programme …) or 冲突: the school changed the same
teacher's choices since the pack was made, or graded an item whose file the teaching point
replaced. A conflict shows both sides (and the choices when the pack was made) and waits for a
decision; nothing is decided for the user. The same function runs again inside the merge's
transaction, so what is merged is exactly what was previewed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from app.models import AbilityChoice, Assessment, CollectionPack, EvidenceFile, EvidenceItem, PackEvent, Teacher
from app.models.pack import PACK_BACK, PACK_WITHDRAWN
from app.services.choices import catalogue, rule_problems, teacher_environment
from app.services.packs.changes import (ACTIVITY_ADD, CHOICES_SET, EVIDENCE_ADD, HOURS_ADD, SEALED, UNDO, Change)
from app.services.packs.document import parse_document
from app.services.packs.registry import teacher_ids_of
from app.services.packs.returns import ReturnBag, ReturnRefused
from app.services.programmes import current_rules, programme_hash
from app.vocab import TAKE_POINT, TAKE_SCHOOL

NEW, SAME, CANNOT, CONFLICT = "将合并", "无需更改", "无法合并", "冲突"
OUT_MERGED, OUT_KEPT, OUT_SKIPPED, OUT_UNDONE, OUT_SUPERSEDED = "已合并", "保留学校", "未合并", "已撤销", "已被取代"


@dataclass(frozen=True)
class PlanLine:
    n: int
    change_id: str
    kind: str
    teacher: str
    what: str
    status: str
    school_side: str = ""
    point_side: str = ""
    base: str = ""
    reason: str = ""

    @property
    def is_conflict(self) -> bool:
        return self.status == CONFLICT


@dataclass(frozen=True)
class PlanItem:
    line: PlanLine
    change: Change
    extra: dict = field(default_factory=dict)     # what the merge needs (rows to remove, codes …)


@dataclass(frozen=True)
class MergePlan:
    pack_id: str
    pack_label: str
    issued_at: datetime
    bag: ReturnBag
    items: tuple[PlanItem, ...]
    silent: tuple[tuple[Change, str], ...]         # withdrawn or superseded changes: recorded, not merged
    already: int                                   # changes merged from an earlier return
    warnings: tuple[str, ...]

    @property
    def lines(self) -> list[PlanLine]:
        return [i.line for i in self.items]

    @property
    def conflicts(self) -> list[PlanLine]:
        return [line for line in self.lines if line.is_conflict]

    @property
    def nothing_new(self) -> bool:
        return not self.items and not self.silent

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    def signature(self) -> tuple:
        return tuple((i.line.change_id, i.line.status, i.line.school_side, i.line.point_side) for i in self.items)

    def to_dict(self) -> dict:
        return {"pack_id": self.pack_id, "pack": self.pack_label, "issued_at": self.issued_at.isoformat(),
                "return": self.bag.name, "return_seq": self.bag.return_seq, "sealed_at": self.bag.sealed_at,
                "sealed_by": self.bag.sealed_by, "already_merged": self.already,
                "new": self.count(NEW), "same": self.count(SAME), "cannot": self.count(CANNOT),
                "conflicts": self.count(CONFLICT), "withdrawn": len(self.silent),
                "warnings": list(self.warnings), "lines": [line.__dict__ for line in self.lines]}


def _codes(codes) -> str:
    return "、".join(codes) if codes else "（未选）"


def _size(n: int) -> str:
    return f"{n / 1024 ** 2:.1f} MB" if n >= 1024 ** 2 else f"{max(1, n // 1024)} KB"


def check_pack_row(s: Session, row: CollectionPack, bag: ReturnBag) -> None:
    """Refuse a withdrawn pack, a return older than one merged, a pack older than a merged newer one."""
    if row.status == PACK_WITHDRAWN:
        raise ReturnRefused(f"采集包（{row.scope_kind}“{row.scope_name}”，{row.created_at:%Y-%m-%d} 生成）已作废："
                            "学校后来为这些教师生成了新的采集包。它的回收包不再合并，未合并任何内容。")
    if bag.return_seq < row.returned_seq:
        raise ReturnRefused(f"这是采集包的第 {bag.return_seq} 次回收，比已经合并的第 {row.returned_seq} 次旧，"
                            "未合并任何内容（较新的回收已包含它的全部内容）。")
    mine = set(teacher_ids_of(row))
    for other in s.exec(select(CollectionPack).where(CollectionPack.status == PACK_BACK,
                                                    CollectionPack.created_at > row.created_at)):
        if other.id != row.id and mine & set(teacher_ids_of(other)):
            raise ReturnRefused(f"这个采集包（{row.created_at:%Y-%m-%d} 生成）比已经合并的采集包"
                                f"（{other.scope_kind}“{other.scope_name}”，{other.created_at:%Y-%m-%d} 生成）旧，"
                                "同一批教师的数据以较新的采集包为准，未合并任何内容。")


def compute_plan(s: Session, row: CollectionPack, bag: ReturnBag) -> MergePlan:
    check_pack_row(s, row, bag)
    issued = parse_document(json.loads(row.issued_json), where="学校保存的采集包记录")
    applied = {e.event_id: e for e in s.exec(select(PackEvent).where(PackEvent.pack_row_id == row.id))}
    rules = current_rules(s)
    known = catalogue(s)
    names = {t.id: t.name for t in issued.teachers}
    teachers = {t.id: t for t in s.exec(select(Teacher).where(Teacher.id.in_(list(names) or [0])))}
    items = {e.id: e for e in s.exec(select(EvidenceItem))}
    fresh = [c for c in bag.changes if c.kind != SEALED and c.id not in applied]
    ids = [c.id for c in fresh]
    for k in range(0, len(ids), 500):
        if s.exec(select(PackEvent.id).where(PackEvent.event_id.in_(ids[k:k + 500]))).first() is not None:
            raise ReturnRefused("回收包中的更改编号与另一个采集包已合并的更改相同，不是正常的回收包，未合并任何内容。")
    undone = {c.data["target"] for c in fresh if c.kind == UNDO}
    last_choice = {}
    for c in fresh:
        if c.kind == CHOICES_SET and c.id not in undone:
            last_choice[c.teacher] = c.id
    silent: list[tuple[Change, str]] = []
    out: list[PlanItem] = []
    planned_files: set[tuple] = set()

    def add(change: Change, kind: str, tid: int | None, what: str, status: str, **kw) -> None:
        extra = kw.pop("extra", {})
        who = names.get(tid, "") if tid else "、".join(names.get(i, "?") for i in change.data.get("teachers", []))[:60]
        out.append(PlanItem(PlanLine(len(out) + 1, change.id, kind, who, what, status, **kw), change, extra))

    def gone(tid: int | None) -> str:
        return _gone(tid, set(names))

    for c in fresh:
        tid = c.teacher
        if c.kind == UNDO:
            target = applied.get(c.data["target"])
            if target is not None and target.outcome == OUT_MERGED and target.kind != CHOICES_SET:
                detail = json.loads(target.detail_json or "{}")
                add(c, "撤销", detail.get("teacher"), f"删除上次合并的{detail.get('label', '记录')}", NEW,
                    reason="教学点撤销了这项（上次回收时已合并）", extra={"undo": detail})
            else:
                silent.append((c, OUT_UNDONE))
            continue
        if c.id in undone:
            silent.append((c, OUT_UNDONE))
            continue
        if c.kind == CHOICES_SET:
            if last_choice.get(tid) != c.id:
                silent.append((c, OUT_SUPERSEDED))
                continue
            _plan_choices(s, c, teachers.get(tid), issued, applied, row, rules, known, add)
        elif c.kind == EVIDENCE_ADD:
            key = (tid, c.data["item"], c.data["file"].sha256)
            if key in planned_files:
                add(c, "证据文件", tid, f"“{c.data['file'].name}”", SAME, reason="与本次合并的另一个文件内容相同")
                continue
            planned_files.add(key)
            _plan_evidence(s, c, teachers.get(tid), items, add, set(names))
        elif c.kind == HOURS_ADD:
            if tid not in teachers:
                add(c, "学时", tid, f"{c.data['category']} {c.data['hours']:g} 学时", CANNOT, reason=gone(tid))
            elif c.data["category"] not in rules.category_keys:
                add(c, "学时", tid, f"{c.data['category']} {c.data['hours']:g} 学时", CANNOT,
                    reason=f"学时类别“{c.data['category']}”不属于本校当前项目方案")
            else:
                when = c.data["date"].isoformat() if c.data["date"] else "未填日期"
                add(c, "学时", tid, f"{c.data['category']} {c.data['hours']:g} 学时（{when}）"
                    + (f"，{c.data['note']}" if c.data["note"] else ""), NEW)
        elif c.kind == ACTIVITY_ADD:
            d = c.data
            present = [i for i in d["teachers"] if i in teachers]
            what = f"{d['activity_kind']}“{d['title']}”{d['date']:%Y-%m-%d}，{d['hours']:g} 学时，{len(present)} 人"
            if d["files"]:
                what += f"，附件 {len(d['files'])} 个"
            if not present:
                add(c, "培训活动", None, what, CANNOT, reason="参加的教师都不在学校记录或这个采集包中")
            elif d["category"] not in rules.category_keys:
                add(c, "培训活动", None, what, CANNOT, reason=f"学时类别“{d['category']}”不属于本校当前项目方案")
            else:
                missing = len(d["teachers"]) - len(present)
                add(c, "培训活动", None, what, NEW, reason=f"{missing} 位教师已从学校删除或不在采集包中，不计入"
                    if missing else "",
                    extra={"teachers": present})
    warnings = []
    if issued.programme_hash and issued.programme_hash != programme_hash(rules.data):
        warnings.append("生成采集包之后，学校调整过项目方案：教学点是按旧方案检查的，合并后请以“检查”的结果为准。")
    warnings += list(bag.notes)
    already = sum(1 for c in bag.changes if c.id in applied)
    return MergePlan(row.pack_id, f"{row.scope_kind}“{row.scope_name}”", row.created_at, bag, tuple(out),
                     tuple(silent), already, tuple(warnings))


def _gone(tid: int | None, issued_ids: set[int]) -> str:
    """Why a change for this teacher cannot be merged (a return may name anyone; only the pack's count)."""
    return "该教师已从学校删除" if tid in issued_ids else "该教师不在这个采集包中"


def _plan_evidence(s: Session, c: Change, teacher: Teacher | None, items: dict, add, issued_ids: set[int]) -> None:
    f, item = c.data["file"], items.get(c.data["item"])
    label = f"{(c.data['point'] or '个人')}-{item.seq} {item.title}" if item else "（已不存在的项目）"
    what = f"{label}：“{f.name}”（{_size(f.size)}）"
    kind = "替换证据" if c.data["replaces"] else "证据文件"
    tid = c.teacher
    if teacher is None:
        add(c, kind, tid, what, CANNOT, reason=_gone(tid, issued_ids))
        return
    if item is None or item.point_code != c.data["point"]:
        add(c, kind, tid, what, CANNOT, reason="该证据项目在学校已不存在（项目方案可能已调整）")
        return
    twin = s.exec(select(EvidenceFile).where(EvidenceFile.teacher_id == tid, EvidenceFile.item_id == item.id,
                                             EvidenceFile.sha256 == f.sha256)).first()
    if twin is not None:
        add(c, kind, tid, what, SAME, reason=f"学校已有内容相同的文件“{twin.original_name}”")
        return
    chosen = c.data["point"] is None or s.exec(select(AbilityChoice).where(
        AbilityChoice.teacher_id == tid, AbilityChoice.point_code == c.data["point"])).first() is not None
    note = "" if chosen else f"学校记录中该教师没有选择能力点 {c.data['point']}（文件仍会加入，但不计入）"
    old = s.get(EvidenceFile, c.data["replaces"]) if c.data["replaces"] else None
    if old is not None and (old.teacher_id != tid or old.item_id != item.id):
        old = None
    if c.data["replaces"] and old is None:
        add(c, "证据文件", tid, what, NEW, reason="要替换的原文件学校已删除，作为新文件加入" + (f"；{note}" if note else ""))
        return
    if old is None:
        add(c, kind, tid, what, NEW, reason=note)
        return
    grade = s.exec(select(Assessment).where(Assessment.teacher_id == tid, Assessment.item_id == item.id)
                   .order_by(Assessment.round.desc(), Assessment.id.desc())).first()
    extra = {"old": old.id, "old_sha": old.sha256}
    if grade is None:
        add(c, kind, tid, what, NEW, school_side=f"原文件“{old.original_name}”", point_side=f"换成“{f.name}”",
            reason=note, extra=extra)
        return
    add(c, kind, tid, what, CONFLICT,
        school_side=f"已评分“{grade.grade}”的文件“{old.original_name}”（选“学校”：保留它，新文件也加入）",
        point_side=f"换成“{f.name}”（选“教学点”：删除原文件，评分保留待复核）",
        reason="学校已经给这个项目评了分，教学点要替换它的文件", extra=extra)


def _plan_choices(s: Session, c: Change, teacher: Teacher | None, issued, applied: dict, row, rules, known,
                  add) -> None:
    tid, new = c.teacher, list(c.data["codes"])
    what = f"能力点改为 {_codes(new)}"
    if teacher is None:
        add(c, "能力点", tid, what, CANNOT, reason=_gone(tid, {t.id for t in issued.teachers}))
        return
    base = list(issued.teacher(tid).choices) if issued.teacher(tid) else []
    for e in sorted(applied.values(), key=lambda e: e.id):
        detail = json.loads(e.detail_json or "{}")
        if e.kind == CHOICES_SET and detail.get("teacher") == tid and "codes" in detail:
            base = detail["codes"]
    order = list(known)
    current = sorted((a.point_code for a in s.exec(select(AbilityChoice).where(AbilityChoice.teacher_id == tid))),
                     key=lambda x: order.index(x) if x in order else 99)
    if sorted(new) == sorted(current):
        add(c, "能力点", tid, what, SAME, reason="学校记录已是这些能力点")
        return
    unknown = [x for x in new if x not in known]
    problems = rule_problems(rules.micro, teacher_environment(s, teacher), [known[x] for x in new if x in known])
    if unknown or problems:
        add(c, "能力点", tid, what, CANNOT, school_side=_codes(current), point_side=_codes(new), base=_codes(base),
            reason="不符合本校当前项目方案的规则：" + "；".join(problems or [f"没有能力点 {'、'.join(unknown)}"]))
        return
    dropped = [x for x in current if x not in new]
    with_files = [x for x in dropped if s.exec(select(EvidenceFile.id).where(
        EvidenceFile.teacher_id == tid, EvidenceFile.point_code == x)).first()]
    note = f"取消的能力点 {'、'.join(with_files)} 已有证据文件（文件保留，不再计入）" if with_files else ""
    if sorted(current) == sorted(base):
        add(c, "能力点", tid, what, NEW, school_side=_codes(current), point_side=_codes(new), base=_codes(base),
            reason=note, extra={"codes": new})
        return
    add(c, "能力点", tid, what, CONFLICT, school_side=_codes(current), point_side=_codes(new), base=_codes(base),
        reason="生成采集包之后，学校和教学点都改了这位教师的能力点" + (f"；{note}" if note else ""),
        extra={"codes": new})

