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
from app.models.teacher import (GENDERS, PARTICIPATION_OPTED_OUT, PARTICIPATION_VOLUNTEER, STAFF_TYPES,
                                STATUS_ACTIVE, STATUS_EXEMPT, STATUS_LEFT, STATUSES)
from app.services.blobs import release_blobs
from app.services.validation import (mask_id_number, mask_phone, normalize_id_number, normalize_text,
                                     parse_date, validate_id_number, validate_phone)
from app.services.validation.id_number import gender_of

FIELDS = ("name", "gender", "id_number", "phone", "subject", "stage", "staff_type", "title",
          "staff_no", "teaching_point", "group", "status", "status_reason", "retire_date", "note", "participation")
FIELD_LABELS = {"name": "姓名", "gender": "性别", "id_number": "身份证号", "phone": "联系电话",
                "subject": "任教学科", "stage": "学段", "staff_type": "编制类型", "title": "职称",
                "staff_no": "工号", "teaching_point": "教学点", "group": "学科研修组",
                "status": "状态", "status_reason": "状态原因", "retire_date": "退休日期", "note": "备注",
                "participation": "参训意愿"}
PARTICIPATION_WORDS = {"": "", "按方案": "", "自愿参加": PARTICIPATION_VOLUNTEER, "参加": PARTICIPATION_VOLUNTEER,
                       "不参加": PARTICIPATION_OPTED_OUT, "自愿不参加": PARTICIPATION_OPTED_OUT}


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


def _text(values: dict, key: str) -> str:
    """One text field, trimmed; control and invisible characters refused naming the field."""
    return normalize_text(values.get(key), label=FIELD_LABELS[key], field=key, multiline=key == "note")


def validate_teacher_fields(values: dict, *, require_id: bool = True) -> dict:
    """Normalise and check one teacher's fields; raises ValidationError naming the field.

    Returns a dict of clean values (teaching_point / group stay names here).
    """
    out = {}
    name = normalize_text(values.get("name"), label="姓名", field="name")
    if not name:
        raise ValidationError("姓名不能为空。", field="name")
    if len(name) > 30 or any(c.isdigit() for c in name):
        raise ValidationError(f"姓名“{name}”不正确（不能含数字，最多30个字）。", field="name")
    out["name"] = name
    raw_id = values.get("id_number")
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        if require_id:
            raise ValidationError("身份证号不能为空。", field="id_number")
        out["id_number"] = None
    else:
        out["id_number"] = validate_id_number(raw_id)
    gender = _text(values, "gender")
    if gender and gender not in GENDERS:
        raise ValidationError(f"性别“{gender}”应为 男 或 女。", field="gender")
    if out["id_number"]:
        derived = gender_of(out["id_number"])
        if gender and gender != derived:
            raise ValidationError(f"性别“{gender}”与身份证号（第17位表示{derived}）不一致。", field="gender")
        gender = derived
    out["gender"] = gender
    out["phone"] = validate_phone(values.get("phone"))
    staff_type = _text(values, "staff_type") or "在编"
    if staff_type not in STAFF_TYPES:
        raise ValidationError(f"编制类型“{staff_type}”应为：{'、'.join(STAFF_TYPES)}。", field="staff_type")
    out["staff_type"] = staff_type
    status = _text(values, "status") or STATUS_ACTIVE
    if status not in STATUSES:
        raise ValidationError(f"状态“{status}”应为：{'、'.join(STATUSES)}。", field="status")
    out["status"] = status
    out["status_reason"] = _text(values, "status_reason")
    if status == STATUS_EXEMPT and not out["status_reason"]:
        raise ValidationError("设为免修时必须写明原因（如：距退休不满5年、已签保证书）。", field="status_reason")
    staff_no = _text(values, "staff_no")
    if staff_no and len(staff_no) > 20:
        raise ValidationError(f"工号“{staff_no}”过长（最多20位）。", field="staff_no")
    out["staff_no"] = staff_no or None
    out["retire_date"] = parse_date(values.get("retire_date"), field="退休日期")
    for key in ("subject", "stage", "title", "teaching_point", "group", "note"):
        out[key] = _text(values, key)
    word = normalize_text(values.get("participation"), label="参训意愿", field="participation")
    if word not in PARTICIPATION_WORDS:
        raise ValidationError(f"参训意愿“{word}”应为：按方案、自愿参加、不参加。", field="participation")
    out["participation"] = PARTICIPATION_WORDS[word]
    return out


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
