"""Merging a return into the school: checked, previewed, backed up, files first, then one transaction.

    plan = preview_merge(ws, path)                      # read-only; what the window and --dry-run show
    result = merge_return(ws, path, decisions={3: "教学点"}, by="王老师")

Order: read and check the return (returns.py) → the plan (merge_plan.py) → refuse while a conflict
has no decision → a backup of the database → every new file copied into the evidence store and
verified → one transaction that computes the plan again (it must equal the one shown), writes the
rows, records every change of the return with what was done with it, marks the pack 已收回 and
writes the audit lines. A kill anywhere leaves the school as it was (at most unused files in the
store, which `tisheng fsck` lists); merging again then completes it, and merging a return whose
changes are all recorded changes nothing at all.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from app.errors import AppError, StorageError
from app.models import (AbilityChoice, ActivityFile, CollectionPack, EvidenceFile, HoursRecord, PackEvent,
                        PackMerge, TrainingActivity)
from app.models.base import now
from app.models.pack import PACK_BACK, SOURCE_PACK
from app.services import backups, faults
from app.services.activities import _clean as clean_activity, _sync_attendance as sync_attendance
from app.services.evidence import ensure_blob, release_blobs
from app.services.packs.changes import ACTIVITY_ADD, CHOICES_SET, EVIDENCE_ADD, HOURS_ADD, UNDO
from app.services.packs.merge_plan import (CANNOT, CONFLICT, NEW, OUT_KEPT, OUT_MERGED, OUT_SKIPPED, SAME,
                                           TAKE_POINT, TAKE_SCHOOL, MergePlan, PlanItem, compute_plan)
from app.services.packs.registry import audit
from app.services.packs.returns import ReturnBag, ReturnRefused, read_return
from app.services.programmes import current_rules
from app.services.progress import NO_PROGRESS, Progress
from app.services.school import require_school
from app.services.validation import validate_hours


class DecisionNeeded(AppError):
    """Conflicts without a decision: nothing was merged."""

    exit_code = 1


@dataclass(frozen=True)
class MergeResult:
    plan: MergePlan
    merged: bool
    counts: dict
    backup: str

    @property
    def message(self) -> str:
        if not self.merged:
            if self.plan.nothing_new:
                return (f"这个回收包（第 {self.plan.bag.return_seq} 次回收）已经合并过，没有新的内容，"
                        "学校数据没有任何更改。")
            return "预览：以上内容尚未合并。"
        c = self.counts
        parts = [f"{label} {c[key]} 项" for key, label in (
            ("evidence", "证据文件"), ("replaced", "替换文件"), ("hours", "学时"), ("activities", "培训活动"),
            ("choices", "能力点选择"), ("undone", "撤销"), ("kept_school", "冲突保留学校"),
            ("skipped", "无需或无法合并")) if c.get(key)]
        return "已合并回收包：" + ("，".join(parts) or "没有需要更改的内容") + "。"

    def to_dict(self) -> dict:
        return {"merged": self.merged, "counts": self.counts, "backup": self.backup, "message": self.message,
                "plan": self.plan.to_dict()}


def _lookup(ws):
    def lookup(pack_id: str, code: str) -> str:
        with ws.sessions() as s:
            school = require_school(s)
            if code != school.code:
                raise ReturnRefused(f"这是另一所学校的采集包（学校代码 {code}），不是本校（{school.name}，代码 "
                                    f"{school.code}）发出的，未合并任何内容。")
            row = s.exec(select(CollectionPack).where(CollectionPack.pack_id == pack_id)).first()
            if row is None:
                raise ReturnRefused(f"本校没有发出过这个采集包（编号“{pack_id[:8].upper()}”），它可能是用另一个数据文件夹"
                                    "生成的，未合并任何内容。请在生成它的电脑上合并。")
            return row.secret
    return lookup


def _row(s: Session, bag: ReturnBag) -> CollectionPack:
    row = s.exec(select(CollectionPack).where(CollectionPack.pack_id == bag.pack_id)).first()
    if row is None:
        raise ReturnRefused("本校没有发出过这个采集包，未合并任何内容。")
    return row


def preview_merge(ws, path: str | Path, progress: Progress = NO_PROGRESS) -> MergePlan:
    """Check the return and compare it with the school's records; writes nothing anywhere."""
    bag = read_return(path, _lookup(ws), progress)
    with ws.sessions() as s:
        return compute_plan(s, _row(s, bag), bag)


def resolve_decisions(plan: MergePlan, decisions: dict[int, str] | None, prefer: str | None) -> dict[int, str]:
    out = {}
    for line in plan.conflicts:
        choice = (decisions or {}).get(line.n) or prefer
        if choice not in (TAKE_SCHOOL, TAKE_POINT):
            continue
        out[line.n] = choice
    return out


def merge_return(ws, path: str | Path, *, decisions: dict[int, str] | None = None, prefer: str | None = None,
                 by: str = "", dry_run: bool = False, expected: tuple | None = None,
                 progress: Progress = NO_PROGRESS) -> MergeResult:
    """Merge a return (see the module docstring). `expected` is the previewed plan's signature, if any."""
    plan = preview_merge(ws, path, progress)
    if dry_run or plan.nothing_new:
        return MergeResult(plan, False, {}, "")
    if expected is not None and plan.signature() != expected:
        raise AppError("学校数据或回收包在预览之后有变化，请重新预览后再合并。")
    chosen = resolve_decisions(plan, decisions, prefer)
    open_conflicts = [line for line in plan.conflicts if line.n not in chosen]
    if open_conflicts:
        raise DecisionNeeded(f"有 {len(open_conflicts)} 处冲突需要决定（采用学校的还是教学点的），未合并任何内容：",
                             details=[f"第 {line.n} 项 {line.teacher}：学校 {line.school_side}；教学点 {line.point_side}"
                                      for line in open_conflicts])
    backup = backups.backup_before(ws, "pack-merge")
    faults.hit("pack.merge.backup")
    stored = _copy_files(ws, plan, progress)
    with ws.sessions() as s:
        row = _row(s, plan.bag)
        again = compute_plan(s, row, plan.bag)
        if again.signature() != plan.signature():
            raise AppError("学校数据在预览之后有变化，未合并任何内容。请重新预览后再合并。")
        counts, released = _apply(s, row, again, chosen, stored, by, str(backup or ""))
        faults.hit("pack.merge.rows")
        s.commit()
    faults.hit("pack.merge.committed")
    release_blobs(ws, released)
    return MergeResult(again, True, counts, str(backup or ""))


def _needs_files(item: PlanItem) -> bool:
    return item.line.status in (NEW, CONFLICT) and item.change.kind in (EVIDENCE_ADD, ACTIVITY_ADD)


def _copy_files(ws, plan: MergePlan, progress: Progress) -> dict[str, int]:
    wanted = {f.sha256: f.size for item in plan.items if _needs_files(item) for f in item.change.files}
    total, done = max(1, sum(wanted.values())), 0
    stored = {}
    for sha, size in sorted(wanted.items()):
        progress.report(done, total, "正在把文件复制到本校的证据库")
        got = ws.store.add_file(plan.bag.files[sha], progress)
        if got.sha256 != sha:
            raise StorageError(f"回收包中的文件在校验之后发生了变化（U盘可能被拔出或已损坏），未合并任何内容。")
        stored[sha] = got.size
        done += size
        faults.hit("pack.merge.file")
    return stored


def _apply(s: Session, row: CollectionPack, plan: MergePlan, chosen: dict[int, str], stored: dict[str, int],
           by: str, backup: str) -> tuple[dict, set[str]]:
    bag = plan.bag
    merge = PackMerge(pack_row_id=row.id, return_seq=bag.return_seq, sealed_at=bag.sealed_at[:32],
                      sealed_by=bag.sealed_by[:40], tagmanifest_sha256=bag.tagmanifest_sha256, merged_by=by)
    s.add(merge)
    s.flush()
    counts: Counter = Counter()
    released: set[str] = set()
    rules = current_rules(s)
    for item in plan.items:
        line, c = item.line, item.change
        detail: dict = {"teacher": c.teacher, "label": line.kind}
        if line.status in (SAME, CANNOT):
            outcome = OUT_SKIPPED
            detail["reason"] = line.reason
            counts["skipped"] += 1
        elif line.status == CONFLICT and chosen[line.n] == TAKE_SCHOOL:
            outcome = OUT_KEPT
            counts["kept_school"] += 1
            if c.kind == EVIDENCE_ADD:                 # the graded file stays; the new one is added beside it
                detail["evidence"] = _add_evidence(s, c, stored)
        else:
            outcome = OUT_MERGED
            if c.kind == EVIDENCE_ADD:
                detail["evidence"] = _add_evidence(s, c, stored)
                detail["label"] = f"证据文件“{c.data['file'].name}”"
                old = s.get(EvidenceFile, item.extra["old"]) if item.extra.get("old") else None
                if old is not None:
                    released.add(old.sha256)
                    s.delete(old)
                    counts["replaced"] += 1
                else:
                    counts["evidence"] += 1
            elif c.kind == HOURS_ADD:
                d = c.data
                rec = HoursRecord(teacher_id=c.teacher, category=rules.check_category(d["category"]), topic=d["topic"],
                                  hours=validate_hours(d["hours"], cap=rules.record_max), on_date=d["date"],
                                  source=SOURCE_PACK, source_ref=f"pack:{row.pack_id[:8]}:{c.id}", note=d["note"])
                s.add(rec)
                s.flush()
                detail.update(hours=rec.id, label=f"学时 {d['hours']:g}（{d['category']}）")
                counts["hours"] += 1
            elif c.kind == ACTIVITY_ADD:
                detail.update(activity=_add_activity(s, c, item.extra["teachers"], stored),
                              label=f"培训活动“{c.data['title']}”")
                counts["activities"] += 1
            elif c.kind == CHOICES_SET:
                _set_choices(s, c.teacher, item.extra["codes"])
                detail["codes"] = item.extra["codes"]
                counts["choices"] += 1
            elif c.kind == UNDO:
                released |= _undo(s, item.extra["undo"])
                counts["undone"] += 1
        s.add(PackEvent(pack_row_id=row.id, merge_id=merge.id, event_id=c.id, kind=c.kind, outcome=outcome,
                        detail_json=json.dumps(detail, ensure_ascii=False)))
    for c, outcome in plan.silent:
        s.add(PackEvent(pack_row_id=row.id, merge_id=merge.id, event_id=c.id, kind=c.kind, outcome=outcome,
                        detail_json="{}"))
    row.status, row.returned_seq, row.merged_at = PACK_BACK, max(row.returned_seq, bag.return_seq), now()
    s.add(row)
    summary = dict(counts)
    merge.summary_json = json.dumps(summary, ensure_ascii=False)
    s.add(merge)
    audit(s, "pack-return", {"pack_id": row.pack_id, "return_seq": bag.return_seq, "sealed_at": bag.sealed_at,
                             "sealed_by": bag.sealed_by, "changes": len(bag.changes)})
    audit(s, "pack-merge", {"pack_id": row.pack_id, "return_seq": bag.return_seq, "by": by, "counts": summary,
                            "decisions": {str(k): v for k, v in chosen.items()}, "backup": backup})
    return summary, released


def _add_evidence(s: Session, c, stored: dict[str, int]) -> int:
    f = c.data["file"]
    ensure_blob(s, f.sha256, stored[f.sha256])
    row = EvidenceFile(teacher_id=c.teacher, point_code=c.data["point"], item_id=c.data["item"], sha256=f.sha256,
                       original_name=f.name, size=stored[f.sha256], note="教学点采集包")
    s.add(row)
    s.flush()
    return row.id


def _add_activity(s: Session, c, teacher_ids: list[int], stored: dict[str, int]) -> int:
    d = c.data
    values = clean_activity(s, {"title": d["title"], "kind": d["activity_kind"], "on_date": d["date"],
                                "hours": d["hours"], "category": d["category"], "topic": d["topic"],
                                "location": d["location"], "organiser": d["organiser"],
                                "note": (d["note"] + "（教学点采集包）").strip()})
    act = TrainingActivity(**values)
    s.add(act)
    s.flush()
    sync_attendance(s, act, teacher_ids)
    for f in d["files"]:
        ensure_blob(s, f.sha256, stored[f.sha256])
        s.add(ActivityFile(activity_id=act.id, sha256=f.sha256, original_name=f.name, size=stored[f.sha256]))
    s.flush()
    return act.id


def _set_choices(s: Session, teacher_id: int, codes: list[str]) -> None:
    existing = {a.point_code: a for a in s.exec(select(AbilityChoice).where(AbilityChoice.teacher_id == teacher_id))}
    for code, a in existing.items():
        if code not in codes:
            s.delete(a)
    for code in codes:
        if code not in existing:
            s.add(AbilityChoice(teacher_id=teacher_id, point_code=code))
    s.flush()


def _undo(s: Session, detail: dict) -> set[str]:
    """Remove what an earlier merge of this pack added (what is already gone stays gone)."""
    released: set[str] = set()
    if detail.get("evidence"):
        ev = s.get(EvidenceFile, detail["evidence"])
        if ev is not None:
            released.add(ev.sha256)
            s.delete(ev)
    if detail.get("hours"):
        rec = s.get(HoursRecord, detail["hours"])
        if rec is not None:
            s.delete(rec)
    if detail.get("activity"):
        act = s.get(TrainingActivity, detail["activity"])
        if act is not None:
            released |= {f.sha256 for f in s.exec(select(ActivityFile).where(ActivityFile.activity_id == act.id))}
            s.delete(act)
    s.flush()
    return released
