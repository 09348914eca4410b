"""The packs a school has issued, as the 首页 and `tisheng pack list` show them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from app.models import AuditEntry, CollectionPack, Teacher
from app.models.pack import PACK_BACK, PACK_OUT, PACK_PENDING, PACK_WITHDRAWN


@dataclass(frozen=True)
class PackRow:
    id: int
    pack_id: str
    scope_kind: str
    scope_name: str
    teacher_names: tuple[str, ...]
    status: str
    created_at: datetime
    created_by: str
    folder: str
    returned_seq: int
    merged_at: datetime | None

    @property
    def short_id(self) -> str:
        return self.pack_id[:8].upper()

    @property
    def out(self) -> bool:
        """Issued and nothing came back yet."""
        return self.status == PACK_OUT

    def days_out(self, today: date | None = None) -> int:
        return ((today or date.today()) - self.created_at.date()).days

    def to_dict(self) -> dict:
        return {"pack_id": self.pack_id, "scope_kind": self.scope_kind, "scope_name": self.scope_name,
                "teachers": list(self.teacher_names), "status": self.status,
                "created_at": self.created_at.isoformat(), "created_by": self.created_by, "folder": self.folder,
                "returned_seq": self.returned_seq,
                "merged_at": self.merged_at.isoformat() if self.merged_at else None}


def teacher_ids_of(row: CollectionPack) -> list[int]:
    return [int(x) for x in json.loads(row.teacher_ids)]


def pack_row(s: Session, row: CollectionPack, names: dict[int, str] | None = None) -> PackRow:
    names = names if names is not None else {t.id: t.name for t in s.exec(select(Teacher))}
    return PackRow(row.id, row.pack_id, row.scope_kind, row.scope_name,
                   tuple(names.get(i, f"（已删除的教师 {i}）") for i in teacher_ids_of(row)), row.status,
                   row.created_at, row.created_by, row.folder, row.returned_seq, row.merged_at)


def list_packs(ws) -> list[PackRow]:
    """Every pack issued, newest first (a pack still being written is shown as 生成中)."""
    with ws.sessions() as s:
        names = {t.id: t.name for t in s.exec(select(Teacher))}
        rows = s.exec(select(CollectionPack).order_by(CollectionPack.created_at.desc(), CollectionPack.id.desc()))
        return [pack_row(s, r, names) for r in rows]


def packs_out(ws) -> list[PackRow]:
    """Packs issued and not back yet (the 首页's reminder)."""
    return [r for r in list_packs(ws) if r.out]


def packs_out_in(s: Session) -> list[PackRow]:
    names = {t.id: t.name for t in s.exec(select(Teacher))}
    return [pack_row(s, r, names) for r in s.exec(select(CollectionPack).where(CollectionPack.status == PACK_OUT)
                                                  .order_by(CollectionPack.created_at))]


def overlapping(s: Session, teacher_ids: set[int]) -> list[CollectionPack]:
    """Packs still out (or being written) that hold any of these teachers."""
    rows = s.exec(select(CollectionPack).where(CollectionPack.status.in_((PACK_OUT, PACK_PENDING)))).all()
    return [r for r in rows if teacher_ids & set(teacher_ids_of(r))]


def audit(s: Session, action: str, detail: dict) -> None:
    """One audit line in the caller's transaction (create, return, merge: PIPL art. 55 evidence)."""
    s.add(AuditEntry(action=action, detail=json.dumps(detail, ensure_ascii=False)))


def pack_audit(ws, pack_id: str | None = None) -> list[dict]:
    """The audit lines of packs (all, or one pack's), oldest first."""
    with ws.sessions() as s:
        rows = s.exec(select(AuditEntry).where(AuditEntry.action.like("pack-%")).order_by(AuditEntry.id)).all()
    out = []
    for r in rows:
        detail = json.loads(r.detail or "{}")
        if pack_id is None or detail.get("pack_id") == pack_id:
            out.append({"at": r.at.isoformat(), "action": r.action, **detail})
    return out


STATUS_WORDS = {PACK_PENDING: "生成未完成", PACK_OUT: "已发出，未收回", PACK_BACK: "已收回", PACK_WITHDRAWN: "已作废"}
