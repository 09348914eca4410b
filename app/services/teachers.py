"""The teacher roster: add, edit, find and remove teachers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from app.errors import AmbiguousError, AppError, NotFoundError, ValidationError
from app.models import (AbilityChoice, Assessment, EvidenceFile, ExcellentCase, HoursRecord,
                        StudyGroup, SupportRecord, Teacher, TeachingPoint)
from app.models.base import now
from app.models.teacher import GENDERS, STAFF_TYPES, STATUS_LEFT, STATUSES  # noqa: F401 (re-exported)
from app.services.blobs import release_blobs
# The field rules live in teacher_rules (no database); re-exported here for the form and the CLI.
from app.services.teacher_rules import (FIELD_LABELS, FIELDS, PARTICIPATION_WORDS,  # noqa: F401
                                        validate_teacher_fields)
from app.services.validation import mask_id_number, mask_phone, normalize_id_number, normalize_text


@dataclass(frozen=True)
class TeacherRow:
    id: int
    name: str
    gender: str
    id_number: str
    phone: str
    subject: str
    stage: str
    staff_type: str
    title: str
    staff_no: str
    teaching_point: str
    group: str
    status: str
    status_reason: str
    retire_date: date | None
    note: str
    participation: str = ""

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.staff_no}）" if self.staff_no else self.name

    @property
    def left(self) -> bool:
        """调离: no longer at the school. Kept on the roster (their records stay), but not
        offered for new hours, groups, teams or forms, and not assessed."""
        return self.status == STATUS_LEFT

    def to_dict(self, *, unmask: bool = False) -> dict:
        d = {k: getattr(self, k) for k in ("id",) + FIELDS}
        d["retire_date"] = self.retire_date.isoformat() if self.retire_date else None
        if not unmask:
            d["id_number"], d["phone"] = self.id_masked, self.phone_masked
        return d


def to_row(t: Teacher, points: dict[int, str], groups: dict[int, str]) -> TeacherRow:
    return TeacherRow(t.id, t.name, t.gender, t.id_number or "", t.phone, t.subject, t.stage,
                      t.staff_type, t.title, t.staff_no or "",
                      points.get(t.teaching_point_id, "") if t.teaching_point_id else "",
                      groups.get(t.group_id, "") if t.group_id else "",
                      t.status, t.status_reason, t.retire_date, t.note, t.participation)


def _lookup_names(s: Session) -> tuple[dict[int, str], dict[int, str]]:
    points = {p.id: p.name for p in s.exec(select(TeachingPoint))}
    groups = {g.id: g.name for g in s.exec(select(StudyGroup))}
    return points, groups


def _apply(s: Session, t: Teacher, clean: dict) -> None:
    for key in ("name", "gender", "id_number", "phone", "subject", "stage", "staff_type", "title",
                "staff_no", "status", "status_reason", "retire_date", "note", "participation"):
        setattr(t, key, clean[key])
    t.teaching_point_id = _find_or_create_point(s, clean["teaching_point"])
    t.group_id = _find_group(s, clean["group"])
    t.updated_at = now()


def _find_or_create_point(s: Session, name: str) -> int | None:
    if not name:
        return None
    p = s.exec(select(TeachingPoint).where(TeachingPoint.name == name)).first()
    if p is None:
        p = TeachingPoint(name=name)
        s.add(p)
        s.flush()
    return p.id


def _find_group(s: Session, name: str) -> int | None:
    if not name:
        return None
    g = s.exec(select(StudyGroup).where(StudyGroup.name == name)).first()
    if g is None:
        raise ValidationError(f"学科研修组“{name}”不存在，请先在“团队”页面建立。", field="group")
    return g.id


def _check_unique(s: Session, clean: dict, own_id: int | None) -> None:
    if clean["id_number"]:
        other = s.exec(select(Teacher).where(Teacher.id_number == clean["id_number"])).first()
        if other and other.id != own_id:
            raise ValidationError(f"身份证号 {mask_id_number(clean['id_number'])} 已属于教师“{other.name}”，"
                                  "同一人不能登记两次。", field="id_number")
    if clean["staff_no"]:
        other = s.exec(select(Teacher).where(Teacher.staff_no == clean["staff_no"])).first()
        if other and other.id != own_id:
            raise ValidationError(f"工号 {clean['staff_no']} 已属于教师“{other.name}”。", field="staff_no")


def add_teacher(ws, **values) -> TeacherRow:
    clean = validate_teacher_fields(values)
    with ws.sessions() as s:
        _check_unique(s, clean, None)
        t = Teacher(name=clean["name"])
        _apply(s, t, clean)
        s.add(t)
        s.commit()
        return to_row(t, *_lookup_names(s))


def update_teacher(ws, teacher_id: int, **changes) -> TeacherRow:
    with ws.sessions() as s:
        t = s.get(Teacher, teacher_id)
        if t is None:
            raise NotFoundError("找不到该教师，可能已被删除。")
        current = to_row(t, *_lookup_names(s)).to_dict(unmask=True)
        current.update({k: v for k, v in changes.items() if k in FIELDS})
        clean = validate_teacher_fields(current, require_id=bool(current.get("id_number")))
        _check_unique(s, clean, t.id)
        _apply(s, t, clean)
        s.add(t)
        s.commit()
        return to_row(t, *_lookup_names(s))


def list_teachers(ws, text: str = "", *, include_left: bool = True) -> list[TeacherRow]:
    """The roster; include_left=False: only the teachers work can still be given to (not 调离)."""
    with ws.sessions() as s:
        names = _lookup_names(s)
        rows = [to_row(t, *names) for t in s.exec(select(Teacher).order_by(Teacher.id))]
    if not include_left:
        rows = [r for r in rows if not r.left]
    if text:
        needle = text.strip().casefold()
        rows = [r for r in rows if needle in r.name.casefold() or needle in r.subject
                or needle in r.staff_no.casefold() or needle in r.group]
    return rows


def resolve_in(s: Session, ref: str) -> Teacher:
    """TEACHER on the command line: a 工号, an ID number or a unique name."""
    ref = normalize_text(ref)
    if not ref:
        raise NotFoundError("请指定教师（工号、身份证号或姓名）。")
    t = s.exec(select(Teacher).where(Teacher.staff_no == ref)).first()
    if t:
        return t
    t = s.exec(select(Teacher).where(Teacher.id_number == normalize_id_number(ref))).first()
    if t:
        return t
    matches = s.exec(select(Teacher).where(Teacher.name == ref)).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        labels = "、".join(f"{m.name}（工号 {m.staff_no or '无'}，身份证 {mask_id_number(m.id_number)}）"
                          for m in matches)
        raise AmbiguousError(f"有 {len(matches)} 位教师叫“{ref}”：{labels}。请改用工号或身份证号指定。")
    raise NotFoundError(f"找不到教师“{ref}”（按工号、身份证号和姓名都没有找到）。")


def resolve(ws, ref: str) -> TeacherRow:
    with ws.sessions() as s:
        return to_row(resolve_in(s, ref), *_lookup_names(s))


def resolve_many(ws, refs: list[str]) -> list[TeacherRow]:
    """Several TEACHERs named on the command line, each once, in the order given.

    Every reference is checked before anything is returned, so one error message lists all
    the names that were not found or are ambiguous.
    """
    if not refs:
        raise ValidationError("请至少指定一位教师（工号、身份证号或姓名）。", field="teacher")
    found: dict[int, TeacherRow] = {}
    problems: list[AppError] = []
    with ws.sessions() as s:
        names = _lookup_names(s)
        for ref in refs:
            try:
                t = resolve_in(s, ref)
            except (NotFoundError, AmbiguousError) as exc:
                problems.append(exc)
                continue
            found.setdefault(t.id, to_row(t, *names))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        kind = AmbiguousError if all(isinstance(p, AmbiguousError) for p in problems) else NotFoundError
        raise kind(f"有 {len(problems)} 位教师无法确定，未做任何更改：",
                   details=[p.user_message for p in problems])
    return list(found.values())


def get_teacher(ws, teacher_id: int) -> TeacherRow:
    with ws.sessions() as s:
        t = s.get(Teacher, teacher_id)
        if t is None:
            raise NotFoundError("找不到该教师，可能已被删除。")
        return to_row(t, *_lookup_names(s))


@dataclass(frozen=True)
class DeletionImpact:
    teacher: str
    hours_records: int
    choices: int
    evidence_files: int
    assessments: int
    support_records: int
    cases: int

    def describe(self) -> str:
        parts = [f"{label} {n} 条" for label, n in (
            ("学时记录", self.hours_records), ("能力点选择", self.choices),
            ("证据文件", self.evidence_files), ("考核记录", self.assessments),
            ("帮扶记录", self.support_records), ("优秀案例", self.cases)) if n]
        tail = "，".join(parts) if parts else "没有其他相关记录"
        return f"删除教师“{self.teacher}”将同时删除：{tail}。此操作不可撤销（可从备份恢复）。"


def deletion_impact(ws, teacher_id: int) -> DeletionImpact:
    with ws.sessions() as s:
        t = s.get(Teacher, teacher_id)
        if t is None:
            raise NotFoundError("找不到该教师。")

        def count(model) -> int:
            return s.exec(select(func.count()).select_from(model).where(model.teacher_id == t.id)).one()
        return DeletionImpact(t.name, count(HoursRecord), count(AbilityChoice), count(EvidenceFile),
                              count(Assessment), count(SupportRecord), count(ExcellentCase))


def remove_teacher(ws, teacher_id: int) -> DeletionImpact:
    impact = deletion_impact(ws, teacher_id)
    with ws.sessions() as s:
        t = s.get(Teacher, teacher_id)
        hashes = {e.sha256 for e in s.exec(select(EvidenceFile).where(EvidenceFile.teacher_id == t.id))}
        s.delete(t)
        s.commit()
    release_blobs(ws, hashes)
    return impact


def with_masked(row: TeacherRow) -> TeacherRow:
    return replace(row, id_number=row.id_masked, phone=row.phone_masked)
