"""The school profile, its programme choice and its teaching points."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from app.errors import NotFoundError, RuleViolation, ValidationError
from app.models import Deadline, EvidenceItem, School, TeachingPoint
from app.models.base import now
from app.services.programmes import Rules, install_programme, load_preset
from app.services.validation import normalize_text, validate_phone

ENVIRONMENTS = ("多媒体", "混合", "智慧")
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


def current_school_year(today: date | None = None) -> str:
    today = today or date.today()
    start = today.year if today.month >= 8 else today.year - 1
    return f"{start}-{start + 1}学年"


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


def _year_start(school_year: str, today: date) -> int:
    m = re.match(r"(\d{4})", school_year or "")
    return int(m.group(1)) if m else (today.year if today.month >= 8 else today.year - 1)


def install_teacher_items(s: Session, rules: Rules) -> None:
    """Per-teacher evidence items (point_code NULL) follow the programme."""
    existing = s.exec(select(EvidenceItem).where(EvidenceItem.point_code == None)).all()  # noqa: E711
    wanted = rules.teacher_items
    by_title = {e.title: e for e in existing}
    for seq, item in enumerate(wanted, 1):
        row = by_title.pop(item["title"], None) or EvidenceItem(point_code=None, title=item["title"])
        row.seq, row.kinds = seq, ",".join(item.get("kinds", []))
        s.add(row)
    for leftover in by_title.values():
        from app.models import EvidenceFile
        used = s.exec(select(EvidenceFile.id).where(EvidenceFile.item_id == leftover.id)).first()
        if used is None:
            s.delete(leftover)


def install_deadlines(s: Session, rules: Rules, school_year: str, today: date | None = None) -> None:
    """Programme deadlines (month-day) placed in the school year that starts in August."""
    today = today or date.today()
    start = _year_start(school_year, today)
    for d in s.exec(select(Deadline)).all():
        if d.done_on is None and d.note == "项目方案":
            s.delete(d)
    for d in rules.school.get("deadlines", []):
        month, day = (int(x) for x in d["month_day"].split("-"))
        year = start if month >= 8 else start + 1
        s.add(Deadline(title=d["title"], due_on=date(year, month, day), kind=d.get("kind", ""),
                       note="项目方案"))


def init_school(ws, *, name: str, code: str, environment: str, programme_id: str,
                stage: str = "", district: str = "", school_year: str = "") -> SchoolRow:
    name, code, environment = validate_school_fields(name, code, environment)
    load_preset(programme_id)
    with ws.sessions() as s:
        if s.exec(select(School)).first() is not None:
            raise RuleViolation("此数据文件夹已有学校信息。若要修改请使用“学校信息”页面或 tisheng school set；"
                                "若要管理另一所学校，请新建一个数据文件夹（--data-dir）。")
        school = School(name=name, code=code, environment=environment,
                        stage=normalize_text(stage, label=LABELS["stage"], field="stage"),
                        district=normalize_text(district, label=LABELS["district"], field="district"),
                        school_year=school_year or current_school_year())
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
        raise NotFoundError("尚未设置学校。请先运行“tisheng init”或在软件中完成初始设置。")
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
        for k, v in merged.items():
            setattr(school, k, normalize_text(v, label=LABELS[k], field=k) if isinstance(v, str) else v)
        school.updated_at = now()
        s.add(school)
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


def list_teaching_points(ws) -> list[TeachingPointRow]:
    with ws.sessions() as s:
        return [TeachingPointRow(p.id, p.name, p.environment, p.address, p.note)
                for p in s.exec(select(TeachingPoint).order_by(TeachingPoint.name))]


def add_teaching_point(ws, name: str, environment: str = "", address: str = "",
                       note: str = "") -> TeachingPointRow:
    name = normalize_text(name, label="教学点名称", field="name")
    if not name:
        raise ValidationError("教学点名称不能为空。", field="name")
    if environment and environment not in ENVIRONMENTS:
        raise ValidationError(f"信息化环境“{environment}”无效。", field="environment")
    with ws.sessions() as s:
        if s.exec(select(TeachingPoint).where(TeachingPoint.name == name)).first():
            raise ValidationError(f"教学点“{name}”已存在。", field="name")
        p = TeachingPoint(name=name, environment=environment, address=address, note=note)
        s.add(p)
        s.commit()
        return TeachingPointRow(p.id, p.name, p.environment, p.address, p.note)


def remove_teaching_point(ws, point_id: int) -> None:
    with ws.sessions() as s:
        p = s.get(TeachingPoint, point_id)
        if p is None:
            raise NotFoundError("找不到该教学点。")
        s.delete(p)
        s.commit()
