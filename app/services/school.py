"""The school profile, its programme choice and its teaching points."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.errors import NotFoundError, RuleViolation, ValidationError
from app.models import School, Teacher, TeachingPoint
from app.models.base import now
from app.services.cli_hints import INIT_HINT, NO_SCHOOL, OTHER_FOLDER_HINT
from app.services.naming import clean_text, find_by_name_or_id
from app.services.programmes import Rules, install_programme, load_preset
from app.services.programmes.apply import install_deadlines, install_teacher_items
from app.services.programmes.calendar import current_year_label
from app.services.validation import normalize_text, validate_phone
from app.vocab import ENVIRONMENTS  # noqa: F401 (defined there for the command line)

ENVIRONMENT_HELP = {
    "多媒体": "多媒体教学环境：教室有电脑、投影或交互白板，重点支持集体教学（可选 A 类能力点）",
    "混合": "混合学习环境：有网络教室、移动终端或网络教学平台，支持小组与个别学习（可选 A、B 类）",
    "智慧": "智慧学习环境：有智能教育设备与数据平台，支持个性化与差异化学习（可选 A、B、C 类）",
}
STAGES = ("小学", "初中", "高中", "九年一贯制", "完全中学", "十二年一贯制", "中职", "幼儿园", "特殊教育")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")


@dataclass(frozen=True)
class SchoolRow:
    id: int
    name: str
    code: str
    stage: str
    district: str
    environment: str
    address: str
    contact_phone: str
    school_year: str
    programme_id: str
    programme_name: str


@dataclass(frozen=True)
class TeachingPointRow:
    id: int
    name: str
    environment: str
    address: str
    note: str
    teacher_count: int = 0


@dataclass(frozen=True)
class PointTeacher:
    id: int
    name: str
    staff_no: str
    previous_point: str          # "" when the teacher was at the school itself (校本部)


@dataclass(frozen=True)
class PointChange:
    """What `assign_teaching_point` did."""

    point: TeachingPointRow | None     # None: the teachers now belong to the school itself
    teachers: tuple[PointTeacher, ...]


def current_school_year(today: date | None = None, cycle: str = "school_year") -> str:
    """This year's label: "2026-2027学年", or "2026年度" for a programme that runs by calendar year."""
    return current_year_label(today, cycle)


LABELS = {"name": "学校名称", "code": "学校代码", "stage": "学段", "district": "所属区县", "address": "地址",
          "contact_phone": "办公电话", "school_year": "学年", "environment": "信息化环境"}


def validate_school_fields(name: str, code: str, environment: str) -> tuple[str, str, str]:
    name = normalize_text(name, label=LABELS["name"], field="name")
    code = normalize_text(code, label=LABELS["code"], field="code")
    if not name:
        raise ValidationError("学校名称不能为空。", field="name")
    if len(name) > 60:
        raise ValidationError("学校名称过长（最多60个字）。", field="name")
    if not _CODE.match(code):
        raise ValidationError(f"学校代码“{code}”只能由字母、数字、- 和 _ 组成（最多24位），"
                              "例如教育部10位学校标识码。", field="code")
    if environment not in ENVIRONMENTS:
        raise ValidationError(f"信息化环境“{environment}”无效，应为：{'、'.join(ENVIRONMENTS)}。",
                              field="environment")
    return name, code, environment


def _row(s: Session, school: School) -> SchoolRow:
    from app.models import Programme
    prog = s.exec(select(Programme)).first()
    return SchoolRow(school.id, school.name, school.code, school.stage, school.district,
                     school.environment, school.address, school.contact_phone, school.school_year,
                     prog.preset_id if prog else "", prog.name if prog else "")


def init_school(ws, *, name: str, code: str, environment: str, programme_id: str,
                stage: str = "", district: str = "", school_year: str = "") -> SchoolRow:
    name, code, environment = validate_school_fields(name, code, environment)
    load_preset(programme_id)
    with ws.sessions() as s:
        if s.exec(select(School)).first() is not None:
            raise RuleViolation("此数据文件夹已有学校信息。若要修改请使用“学校信息”页面；"
                                "若要管理另一所学校，请新建一个数据文件夹。",
                                cli_hint="修改：tisheng school set；另一所学校：" + OTHER_FOLDER_HINT)
        from app.models.district import DistrictOffice
        if s.exec(select(DistrictOffice)).first() is not None:
            raise RuleViolation("这个数据文件夹是区县项目办的数据文件夹，不能再设为学校。请为学校新建一个数据文件夹。",
                                cli_hint=OTHER_FOLDER_HINT)
        preset = Rules(load_preset(programme_id))
        school = School(name=name, code=code, environment=environment,
                        stage=normalize_text(stage, label=LABELS["stage"], field="stage"),
                        district=normalize_text(district, label=LABELS["district"], field="district"),
                        school_year=school_year or current_school_year(cycle=preset.cycle))
        s.add(school)
        prog = install_programme(s, programme_id)
        rules = Rules(load_preset(prog.preset_id))
        install_teacher_items(s, rules)
        install_deadlines(s, rules, school.school_year)
        s.commit()
        return _row(s, school)


def get_school(ws) -> SchoolRow | None:
    with ws.sessions() as s:
        school = s.exec(select(School)).first()
        return _row(s, school) if school else None


def require_school(s: Session) -> School:
    school = s.exec(select(School)).first()
    if school is None:
        raise NotFoundError(NO_SCHOOL, cli_hint=INIT_HINT)
    return school


def update_school(ws, **changes) -> SchoolRow:
    allowed = {"name", "code", "stage", "district", "environment", "address", "contact_phone",
               "school_year"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"未知的学校字段：{'、'.join(sorted(unknown))}")
    with ws.sessions() as s:
        school = require_school(s)
        merged = {k: getattr(school, k) for k in allowed} | {k: v for k, v in changes.items()
                                                             if v is not None}
        merged["name"], merged["code"], merged["environment"] = validate_school_fields(
            merged["name"], merged["code"], merged["environment"])
        merged["contact_phone"] = validate_phone(merged["contact_phone"])
        year_before = school.school_year
        for k, v in merged.items():
            setattr(school, k, normalize_text(v, label=LABELS[k], field=k) if isinstance(v, str) else v)
        school.updated_at = now()
        s.add(school)
        if school.school_year != year_before:       # the year's deadlines move with it
            from app.services.programmes import current_rules
            install_deadlines(s, current_rules(s), school.school_year)
        s.commit()
        return _row(s, school)


def change_programme(ws, programme_id: str) -> SchoolRow:
    with ws.sessions() as s:
        school = require_school(s)
        prog = install_programme(s, programme_id)
        rules = Rules(load_preset(prog.preset_id))
        install_teacher_items(s, rules)
        install_deadlines(s, rules, school.school_year)
        s.commit()
        return _row(s, school)


def _point_row(s: Session, p: TeachingPoint) -> TeachingPointRow:
    count = len(s.exec(select(Teacher.id).where(Teacher.teaching_point_id == p.id)).all())
    return TeachingPointRow(p.id, p.name, p.environment, p.address, p.note, count)


def list_teaching_points(ws) -> list[TeachingPointRow]:
    with ws.sessions() as s:
        return [_point_row(s, p) for p in s.exec(select(TeachingPoint).order_by(TeachingPoint.name))]


def _point_values(name, environment, address, note) -> dict:
    environment = normalize_text(environment)
    if environment and environment not in ENVIRONMENTS:
        raise ValidationError(f"信息化环境“{environment}”无效，应为：{'、'.join(ENVIRONMENTS)}"
                              "（不填则与本校相同）。", field="environment")
    return {"name": clean_text(name, "教学点名称", 40, field="name", required=True),
            "environment": environment, "address": clean_text(address, "地址", 100, field="address"),
            "note": clean_text(note, "备注", 200, field="note")}


def _check_point_name(s: Session, name: str, own_id: int | None) -> None:
    other = s.exec(select(TeachingPoint).where(TeachingPoint.name == name)).first()
    if other is not None and other.id != own_id:
        raise ValidationError(f"教学点“{name}”已存在。", field="name")


def add_teaching_point(ws, name: str, environment: str = "", address: str = "",
                       note: str = "") -> TeachingPointRow:
    values = _point_values(name, environment, address, note)
    with ws.sessions() as s:
        _check_point_name(s, values["name"], None)
        p = TeachingPoint(**values)
        s.add(p)
        s.commit()
        return _point_row(s, p)


def update_teaching_point(ws, point_id: int, *, name: str | None = None, environment: str | None = None,
                          address: str | None = None, note: str | None = None) -> TeachingPointRow:
    """Change the fields given (None keeps a field; environment "" means the school's own)."""
    with ws.sessions() as s:
        p = s.get(TeachingPoint, point_id)
        if p is None:
            raise NotFoundError("找不到该教学点。")
        given = {"name": name, "environment": environment, "address": address, "note": note}
        values = _point_values(*(getattr(p, k) if v is None else v for k, v in given.items()))
        _check_point_name(s, values["name"], p.id)
        for k, v in values.items():
            setattr(p, k, v)
        s.add(p)
        s.commit()
        return _point_row(s, p)


def find_teaching_point(ws, ref: object) -> TeachingPointRow:
    """A teaching point named on the command line by its name or its number."""
    with ws.sessions() as s:
        return _point_row(s, find_by_name_or_id(s, TeachingPoint, ref, noun="教学点"))


def assign_teaching_point(ws, point_id: int | None, teacher_ids: list[int]) -> PointChange:
    """Place teachers at a teaching point (None: back at the school itself), all or none."""
    with ws.sessions() as s:
        p = s.get(TeachingPoint, point_id) if point_id is not None else None
        if point_id is not None and p is None:
            raise NotFoundError("找不到该教学点。")
        names = {x.id: x.name for x in s.exec(select(TeachingPoint))}
        changed = []
        for tid in dict.fromkeys(teacher_ids):
            t = s.get(Teacher, tid)
            if t is None:
                raise NotFoundError("所列教师中有人不存在（可能已被删除）。")
            changed.append(PointTeacher(t.id, t.name, t.staff_no or "",
                                        names.get(t.teaching_point_id, "") if t.teaching_point_id else ""))
            t.teaching_point_id, t.updated_at = point_id, now()
            s.add(t)
        s.commit()
        return PointChange(_point_row(s, p) if p is not None else None, tuple(changed))


def remove_teaching_point(ws, point_id: int) -> None:
    """Its teachers then belong to the school itself (teacher.teaching_point_id is SET NULL)."""
    with ws.sessions() as s:
        p = s.get(TeachingPoint, point_id)
        if p is None:
            raise NotFoundError("找不到该教学点。")
        s.delete(p)
        s.commit()
