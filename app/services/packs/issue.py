"""What a pack holds, read from the school's records: the document written as tisheng-pack.json.

For each teacher: the name, the ID number masked (never the number itself), 工号, subject, group,
teaching point, the environment that decides which points they may choose, why they are exempt if
they are, their chosen points, the per-teacher items that apply to them, the evidence already
filed (names, sizes, graded or not: the files themselves stay at the school) and every hours
record. For everyone: the whole catalogue (a teacher may change points), the programme as
applied (format_version 2, so the teaching point checks choices by the same rules) and the
programme year that decides which hours count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.errors import NotFoundError, ValidationError
from app.models import EvidenceFile, HoursRecord, StudyGroup, Teacher, TeachingPoint
from app.models.teacher import STATUS_LEFT
from app.services import snapshot as snapshot_mod
from app.services.activities import ACTIVITY_KINDS
from app.services.naming import find_by_name_or_id
from app.services.packs.layout import PACK_FORMAT, PACK_VERSION
from app.services.programmes import programme_hash
from app.services.teachers import resolve_in
from app.services.validation import mask_id_number

SCOPE_POINT = "教学点"
SCOPE_GROUP = "研修组"
SCOPE_TEACHERS = "教师"
MAX_TEACHERS = 200


@dataclass(frozen=True)
class Scope:
    kind: str
    name: str
    teacher_ids: tuple[int, ...]


def resolve_scope(s: Session, *, point: str | None = None, group: str | None = None,
                  teachers: list[str] | None = None) -> Scope:
    """Exactly one of a teaching point, a 研修组 or a list of teachers; its teachers (调离 left out)."""
    given = [x for x in (point, group, teachers) if x]
    if len(given) != 1:
        raise ValidationError("请指定一个教学点、一个研修组或若干位教师（三者选一）。")
    if point:
        p = find_by_name_or_id(s, TeachingPoint, point, noun="教学点")
        rows = s.exec(select(Teacher).where(Teacher.teaching_point_id == p.id, Teacher.status != STATUS_LEFT)
                      .order_by(Teacher.id)).all()
        kind, name = SCOPE_POINT, p.name
    elif group:
        g = find_by_name_or_id(s, StudyGroup, group, noun="研修组")
        rows = s.exec(select(Teacher).where(Teacher.group_id == g.id, Teacher.status != STATUS_LEFT)
                      .order_by(Teacher.id)).all()
        kind, name = SCOPE_GROUP, g.name
    else:
        rows = []
        for ref in teachers or []:
            t = s.get(Teacher, ref) if isinstance(ref, int) else resolve_in(s, ref)
            if t is None:
                raise NotFoundError("所选教师中有人不存在（可能已被删除）。")
            if t not in rows:
                rows.append(t)
        kind = SCOPE_TEACHERS
        name = "、".join(t.name for t in rows[:3]) + (f"等 {len(rows)} 人" if len(rows) > 3 else "")
    if not rows:
        raise NotFoundError(f"{kind}“{name}”没有在岗的教师，无需生成采集包。")
    if len(rows) > MAX_TEACHERS:
        raise ValidationError(f"一个采集包最多 {MAX_TEACHERS} 位教师，{kind}“{name}”有 {len(rows)} 位。请按研修组分开生成。")
    return Scope(kind, name, tuple(t.id for t in rows))


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def build_document(s: Session, scope: Scope, *, pack_id: str, issued_by: str,
                   issued_at: datetime | None = None) -> dict:
    """The pack document (without its secret) for these teachers, from one snapshot of the records."""
    snap = snapshot_mod.load(s)
    school = snap.school
    if school is None:
        raise NotFoundError("尚未设置学校。请先完成初始设置。")
    groups = {g.id: g.name for g in snap.groups}
    tps = snap.teaching_points
    graded: dict[tuple[int, int], str] = {}
    for v in snap.teachers:
        for states in [*v.point_items.values(), v.personal_items]:
            for st in states:
                if st.grade:
                    graded[(v.teacher.id, st.item.id)] = st.grade
    teachers = []
    for tid in scope.teacher_ids:
        v = snap.by_id(tid)
        if v is None:
            continue
        t = v.teacher
        files = s.exec(select(EvidenceFile).where(EvidenceFile.teacher_id == tid).order_by(EvidenceFile.id)).all()
        hours = s.exec(select(HoursRecord).where(HoursRecord.teacher_id == tid)
                       .order_by(HoursRecord.on_date, HoursRecord.id)).all()
        teachers.append({
            "id": t.id, "name": t.name, "id_masked": mask_id_number(t.id_number), "staff_no": t.staff_no or "",
            "subject": t.subject, "group": groups.get(t.group_id, "") if t.group_id else "",
            "point": tps[t.teaching_point_id].name if t.teaching_point_id in tps else "",
            "environment": v.environment, "exempt_reason": v.exempt_reason,
            "choices": [p.code for p in v.points],
            "personal_items": [st.item.id for st in v.personal_items],
            "files": [{"id": e.id, "item": e.item_id, "sha256": e.sha256, "point": e.point_code,
                       "name": e.original_name,
                       "size": e.size, "added_at": e.added_at.isoformat(timespec="seconds"),
                       "grade": graded.get((tid, e.item_id)) or ""} for e in files],
            "hours": [{"category": h.category, "topic": h.topic, "hours": h.hours, "date": _iso(h.on_date),
                       "source": h.source, "note": h.note} for h in hours],
        })
    items = [{"id": it.id, "point": code, "seq": it.seq, "title": it.title, "kinds": list(it.kinds),
              "max_mb": it.max_mb, "max_minutes": it.max_minutes}
             for code, its in _items_by_point(s).items() for it in its]
    return {
        "format": PACK_FORMAT, "format_version": PACK_VERSION, "pack_id": pack_id,
        "issued_at": (issued_at or datetime.now()).replace(microsecond=0).isoformat(), "issued_by": issued_by,
        "school": {"name": school.name, "code": school.code, "environment": school.environment,
                   "school_year": school.school_year},
        "scope": {"kind": scope.kind, "name": scope.name},
        "programme": snap.rules.data, "programme_hash": programme_hash(snap.rules.data),
        "start_year": snap.start_year,
        "points": [{"code": p.code, "name": p.name, "environment": p.environment, "dimension": p.dimension,
                    "description": p.description} for p in snap.catalogue.values()],
        "items": items, "activity_kinds": list(ACTIVITY_KINDS), "teachers": teachers,
    }


def _items_by_point(s: Session) -> dict:
    from app.models import EvidenceItem
    from app.services.evidence import item_info
    out: dict = {}
    for e in s.exec(select(EvidenceItem).order_by(EvidenceItem.point_code, EvidenceItem.seq)):
        out.setdefault(e.point_code, []).append(item_info(e))
    return out
