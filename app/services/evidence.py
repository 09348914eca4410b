"""Evidence files for each required item of a teacher's chosen points."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from app.errors import NotFoundError, RuleViolation
from app.models import AbilityChoice, EvidenceFile, EvidenceItem, Teacher
from app.resources import load_json
from app.services.blobs import ensure_blob, release_blobs
from app.services.progress import NO_PROGRESS, Progress
from app.services.store import display_name
from app.services.teachers import resolve_in

TEACHER_LEVEL = "个人"   # the CODE used for per-teacher items on the command line


@dataclass(frozen=True)
class ItemInfo:
    id: int
    point_code: str | None
    seq: int
    title: str
    kinds: tuple[str, ...]
    max_mb: int | None
    max_minutes: int | None

    @property
    def label(self) -> str:
        return f"{self.point_code or TEACHER_LEVEL}-{self.seq} {self.title}"


@dataclass(frozen=True)
class EvidenceRow:
    id: int
    teacher_id: int
    point_code: str | None
    item_id: int
    item_title: str
    original_name: str
    size: int
    sha256: str
    added_at: datetime
    warnings: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return file_kind(self.original_name) or "其他"


def item_info(e: EvidenceItem) -> ItemInfo:
    return ItemInfo(e.id, e.point_code, e.seq, e.title,
                    tuple(k for k in e.kinds.split(",") if k), e.max_mb, e.max_minutes)


def file_kind(name: str) -> str | None:
    ext = Path(name).suffix.lower()
    for kind, exts in load_json("catalogue", "micro_abilities.json")["file_kinds"].items():
        if ext in exts:
            return kind
    return None


def limit_warnings(item: ItemInfo, name: str, size: int) -> list[str]:
    """Programme limits warn but never block (the district decides)."""
    out = []
    kind = file_kind(name)
    if item.kinds and kind not in item.kinds:
        out.append(f"“{name}”的类型与“{item.title}”要求的{'/'.join(item.kinds)}不符")
    if item.max_mb and size > item.max_mb * 1024 * 1024:
        out.append(f"“{name}”大小 {size / 1024 / 1024:.0f} MB，超过建议上限 {item.max_mb} MB")
    return out


def required_items(s: Session, teacher_id: int) -> list[ItemInfo]:
    """Items this teacher must submit: those of each chosen point, then the per-teacher ones."""
    codes = [c.point_code for c in s.exec(select(AbilityChoice).where(AbilityChoice.teacher_id == teacher_id))]
    items = s.exec(select(EvidenceItem).where(EvidenceItem.point_code.in_(codes))).all() if codes else []
    order = {c: i for i, c in enumerate(codes)}
    items = sorted(items, key=lambda e: (order[e.point_code], e.seq))
    per_teacher = s.exec(select(EvidenceItem).where(EvidenceItem.point_code == None)  # noqa: E711
                         .order_by(EvidenceItem.seq)).all()
    return [item_info(e) for e in items + list(per_teacher)]


def find_item(s: Session, teacher: Teacher, code: str, item: str) -> ItemInfo:
    code = code.strip().upper() if code.strip() != TEACHER_LEVEL else TEACHER_LEVEL
    point = None if code == TEACHER_LEVEL else code
    if point is not None and not s.exec(select(AbilityChoice).where(
            AbilityChoice.teacher_id == teacher.id, AbilityChoice.point_code == point)).first():
        raise RuleViolation(f"{teacher.name} 没有选择能力点 {point}，不能为它提交证据。请先选点。")
    query = select(EvidenceItem).where(EvidenceItem.point_code == point)
    candidates = [item_info(e) for e in s.exec(query.order_by(EvidenceItem.seq))]
    if not candidates:
        raise NotFoundError(f"能力点 {code} 没有需要提交的证据项目。")
    fold = lambda x: unicodedata.normalize("NFKC", str(x)).strip()          # （50学时） and (50学时) alike
    text = fold(item)
    for c in candidates:
        if text == str(c.seq) or text == fold(c.title):
            return c
    options = "；".join(f"{c.seq}={c.title}" for c in candidates)
    where = "个人项目" if point is None else f"能力点 {code} "
    raise NotFoundError(f"{where}没有证据项目“{item}”。可用序号或名称：{options}")


class DuplicateEvidenceError(RuleViolation):
    """The same file (same content) is already recorded for this item: nothing was added."""

    def __init__(self, name: str, existing: str, item: str) -> None:
        same = "" if existing == name else f"（与已提交的“{existing}”内容相同）"
        super().__init__(f"“{name}”已经提交到“{item}”{same}，没有重复添加。")
        self.name, self.existing = name, existing


def add_evidence(ws, teacher_ref: str | int, code: str, item: str, file: Path,
                 progress: Progress = NO_PROGRESS) -> EvidenceRow:
    """Copy a file into the store (verified) and record it against the item.

    The same content already recorded for the item raises DuplicateEvidenceError (a file
    chosen twice, or renamed, is not counted twice).
    """
    with ws.sessions() as s:
        t = s.get(Teacher, teacher_ref) if isinstance(teacher_ref, int) else resolve_in(s, teacher_ref)
        if t is None:
            raise NotFoundError("找不到该教师。")
        info = find_item(s, t, code, item)
    stored = ws.store.add_file(Path(file), progress)
    name = display_name(str(file))
    with ws.sessions() as s:
        twin = s.exec(select(EvidenceFile).where(EvidenceFile.teacher_id == t.id, EvidenceFile.item_id == info.id,
                                                 EvidenceFile.sha256 == stored.sha256)).first()
        if twin is not None:             # the stored blob is the twin's: nothing to release
            raise DuplicateEvidenceError(name, twin.original_name, info.title)
        ensure_blob(s, stored.sha256, stored.size)
        row = EvidenceFile(teacher_id=t.id, point_code=info.point_code, item_id=info.id,
                           sha256=stored.sha256, original_name=name, size=stored.size)
        s.add(row)
        s.commit()
        return EvidenceRow(row.id, t.id, row.point_code, info.id, info.title, name, stored.size,
                           stored.sha256, row.added_at, tuple(limit_warnings(info, name, stored.size)))


def list_evidence(ws, teacher_id: int | None = None) -> list[EvidenceRow]:
    with ws.sessions() as s:
        items = {e.id: e for e in s.exec(select(EvidenceItem))}
        q = select(EvidenceFile).order_by(EvidenceFile.id)
        if teacher_id is not None:
            q = q.where(EvidenceFile.teacher_id == teacher_id)
        return [EvidenceRow(e.id, e.teacher_id, e.point_code, e.item_id, items[e.item_id].title,
                            e.original_name, e.size, e.sha256, e.added_at,
                            tuple(limit_warnings(item_info(items[e.item_id]), e.original_name, e.size)))
                for e in s.exec(q)]


def remove_evidence(ws, evidence_id: int) -> None:
    with ws.sessions() as s:
        row = s.get(EvidenceFile, evidence_id)
        if row is None:
            raise NotFoundError("找不到该证据文件记录。")
        sha = row.sha256
        s.delete(row)
        s.commit()
    release_blobs(ws, {sha})
