"""A bundle's records loaded into a throw-away, in-memory school database.

The district re-checks a school with the very engine the school ran (snapshot + compliance),
so the records are put back into the same tables: the school, its teaching points, teams, study
groups, teachers, choices, evidence rows (file names and hashes only), hours, activities and
attendance, courses, assessments, 帮扶, cases, plans, deadlines and the self-assessment — and the
**district's** programme instead of the school's copy. Ids are kept, so findings name the same
teachers as the school's own findings.

What masking hides: an ID number is kept only in its masked form (enough for "ID number
missing"); the birth date it hid is needed only by the retirement rules, which use the
teacher's `retirement_year` carried in the bundle. A year decides every teacher except one
retiring in the very year of the rule's limit: those follow the school's own verdict at sealing
and are named in the notes (`ambiguous`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlite3
import threading

from sqlalchemy import Boolean, Date, DateTime, create_engine, insert, update
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, select

from app.models import (AbilityChoice, ActivityAttendance, Assessment, Blob, Deadline, EvidenceFile, EvidenceItem,
                        ExcellentCase, HoursRecord, PlanDocument, Programme, School, SchoolCourse, SelfAssessmentEntry,
                        StudyGroup, SupportRecord, Teacher, TeachingPoint, Team, TeamMember, TrainingActivity)
from app.services.programmes import Rules
from app.services.programmes.apply import install_deadlines, install_teacher_items


class BundleRecordsError(ValueError):
    """The records cannot be loaded (a damaged or foreign bundle.json); message in Chinese."""


@dataclass
class Loaded:
    session: Session
    notes: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)      # teachers whose retirement verdict is the school's
    skipped_items: int = 0

    def close(self) -> None:
        bind = self.session.get_bind()
        self.session.close()
        bind.dispose()


_TEMPLATE: sqlite3.Connection | None = None
_TEMPLATE_LOCK = threading.Lock()


def _template() -> sqlite3.Connection:
    """An in-memory database with every table and the ability-point catalogue, built once per process:
    each re-check starts from a copy of it (sqlite3's backup, in C) instead of creating 40 tables again."""
    global _TEMPLATE
    if _TEMPLATE is None:
        from app.services.workspace import seed_catalogue
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        engine = create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)
        SQLModel.metadata.create_all(engine)
        with Session(engine) as s:
            seed_catalogue(s)
            s.commit()
        _TEMPLATE = conn
    return _TEMPLATE


def _engine():
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    with _TEMPLATE_LOCK:
        _template().backup(conn)
    conn.execute("PRAGMA foreign_keys=ON")
    return create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)


def _to_datetime(value: Any) -> Any:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _to_date(value: Any) -> Any:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _converter(column):
    kind = column.type
    if isinstance(kind, DateTime):
        return _to_datetime
    if isinstance(kind, Date):
        return _to_date
    if isinstance(kind, Boolean):
        return bool
    return None


_COLUMNS: dict[type, tuple] = {}


def _columns(model) -> tuple:
    """(name, converter or None) of each column, worked out once per table."""
    cols = _COLUMNS.get(model)
    if cols is None:
        cols = _COLUMNS[model] = tuple((c.name, _converter(c)) for c in model.__table__.columns)
    return cols


_DEFAULTS: dict[type, dict[str, Any]] = {}


def _defaults(model) -> dict[str, Any]:
    """Python-side defaults of a table's fields (Core inserts do not run SQLModel's factories)."""
    out = _DEFAULTS.get(model)
    if out is None:
        out = {}
        for name, f in model.model_fields.items():
            if name in model.__table__.columns and not f.is_required():
                value = f.get_default(call_default_factory=True)
                if value is not None:
                    out[name] = value
        _DEFAULTS[model] = out
    return out


def _values(model, row: Any, **override) -> dict[str, Any]:
    """A row for a Core insert: known columns only, typed like the table, defaults filled in."""
    if not isinstance(row, dict):
        raise BundleRecordsError(f"{model.__name__} 记录格式不正确。")
    values = dict(_defaults(model))
    for name, convert in _columns(model):
        if name in row:
            value = row[name]
            if convert is not None and value is not None:
                try:
                    value = convert(value)
                except (TypeError, ValueError):
                    raise BundleRecordsError(f"记录中的“{name}”值“{value}”无法识别。") from None
            values[name] = value
    values.update(override)
    return values


def _make(model, row: Any, **override):
    return model(**_values(model, row, **override))


def _insert(s: Session, model, rows: list[dict[str, Any]]) -> None:
    if rows:
        keys = set().union(*rows)
        s.execute(insert(model.__table__), [{k: r.get(k) for k in keys} if len(r) != len(keys) else r
                                            for r in rows])


def _rows(doc: dict, key: str) -> list:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise BundleRecordsError(f"bundle.json 的“{key}”不是列表。")
    return value


def _retire_limits(rules: Rules) -> list[date]:
    out = []
    if rules.retired_before:
        out.append(date.fromisoformat(rules.retired_before))
    within = rules.retire_within
    if within:
        ref = date.fromisoformat(within["reference_date"])
        try:
            out.append(ref.replace(year=ref.year + within["years"]))
        except ValueError:
            out.append(ref.replace(year=ref.year + within["years"], day=28))
    return out


def _retire_date(row: dict, rules: Rules, limits: list[date], school_exempt: dict[int, str],
                 loaded: Loaded) -> date | None:
    """For a masked teacher without an explicit retire date: a date that decides like the real one."""
    year = row.get("retirement_year")
    tid = row.get("id")
    name = row.get("name", "")
    if not limits:
        return None
    school_says_retiring = "退休" in (school_exempt.get(tid) or "")
    same_year = [d for d in limits if isinstance(year, int) and d.year == year]
    if isinstance(year, int) and not same_year:
        return date(year, 7, 1)
    limit = (same_year or limits)[0]
    loaded.ambiguous.append(name)
    # Before the limit if the school found the teacher near retirement, after it otherwise.
    return date.fromordinal(limit.toordinal() - 1) if school_says_retiring else date.fromordinal(limit.toordinal() + 1)


def load(doc: dict[str, Any], rules_doc: dict[str, Any], *, today: date) -> Loaded:
    """A session on an in-memory database holding the bundle's records under `rules_doc`."""
    engine = _engine()
    s = Session(engine, expire_on_commit=False)
    loaded = Loaded(s)
    try:
        _fill(s, doc, rules_doc, today, loaded)
    except BundleRecordsError:
        loaded.close()
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        loaded.close()
        raise BundleRecordsError(f"学校记录无法载入复核（{type(exc).__name__}）。") from exc
    except Exception as exc:                  # IntegrityError: records that contradict each other
        loaded.close()
        raise BundleRecordsError(f"学校记录相互矛盾，无法载入复核（{type(exc).__name__}）。") from exc
    return loaded


def _fill(s: Session, doc: dict, rules_doc: dict, today: date, loaded: Loaded) -> None:
    rules = Rules(rules_doc)
    school_row = doc.get("school")
    if not isinstance(school_row, dict):
        raise BundleRecordsError("bundle.json 中没有学校信息。")
    school = _make(School, school_row)
    s.add(school)
    s.add(Programme(preset_id=str(rules_doc.get("id", "")), name=str(rules_doc.get("name", "")),
                    rules_json=json.dumps(rules_doc, ensure_ascii=False)))
    _insert(s, TeachingPoint, [_values(TeachingPoint, r) for r in _rows(doc, "teaching_points")])
    s.flush()
    install_teacher_items(s, rules)
    _insert(s, StudyGroup, [_values(StudyGroup, r, leader_id=None) for r in _rows(doc, "study_groups")])

    comp = doc.get("compliance") if isinstance(doc.get("compliance"), dict) else {}
    school_exempt = {e.get("teacher_id"): e.get("reason", "") for e in comp.get("exempt") or [] if isinstance(e, dict)}
    limits = _retire_limits(rules)
    masked_seen: dict[str, int] = {}
    teachers = []
    for row in _rows(doc, "teachers"):
        t = _values(Teacher, row)
        idn = t.get("id_number") or ""
        if "*" in idn:
            n = masked_seen.get(idn, 0) + 1
            masked_seen[idn] = n
            if n > 1:
                t["id_number"] = f"{idn}#{n}"      # two masked numbers may coincide; the column is unique
            if t.get("retire_date") is None:
                t["retire_date"] = _retire_date(row, rules, limits, school_exempt, loaded)
        teachers.append(t)
    _insert(s, Teacher, teachers)
    for row in _rows(doc, "study_groups"):
        if row.get("leader_id"):
            s.execute(update(StudyGroup.__table__).where(StudyGroup.__table__.c.id == row["id"])
                      .values(leader_id=row["leader_id"]))
    _insert(s, Team, [_values(Team, r) for r in _rows(doc, "teams")])
    _insert(s, TeamMember, [_values(TeamMember, m, team_id=r["id"]) for r in _rows(doc, "teams")
                            for m in r.get("members") or []])
    _insert(s, AbilityChoice, [_values(AbilityChoice, r) for r in _rows(doc, "choices")])

    items = {(e.point_code, e.title): e.id for e in s.exec(select(EvidenceItem))}
    item_map: dict[int, int] = {}
    for row in _rows(doc, "evidence_items"):
        key = (row.get("point_code"), row.get("title"))
        if key in items:
            item_map[row["id"]] = items[key]
        elif row.get("point_code") is None:
            extra = EvidenceItem(point_code=None, seq=1000 + int(row.get("seq") or 0), title=str(row.get("title", "")))
            s.add(extra)
            s.flush()
            items[key] = item_map[row["id"]] = extra.id
    blobs: dict[str, int] = {}
    for key in ("evidence", "plans"):
        for row in _rows(doc, key):
            if row.get("sha256"):
                blobs.setdefault(row["sha256"], int(row.get("size") or 0))
    _insert(s, Blob, [{"sha256": sha, "size": size, "added_at": datetime.now()} for sha, size in blobs.items()])
    evidence = []
    for row in _rows(doc, "evidence"):
        item = item_map.get(row.get("item_id"))
        if item is None:
            loaded.skipped_items += 1
            continue
        evidence.append(_values(EvidenceFile, row, item_id=item))
    _insert(s, EvidenceFile, evidence)
    _insert(s, PlanDocument, [_values(PlanDocument, r) for r in _rows(doc, "plans")])
    _insert(s, TrainingActivity, [_values(TrainingActivity, r) for r in _rows(doc, "activities")])
    _insert(s, ActivityAttendance, [{"activity_id": r["id"], "teacher_id": tid} for r in _rows(doc, "activities")
                                    for tid in r.get("attendees") or []])
    _insert(s, SchoolCourse, [_values(SchoolCourse, r) for r in _rows(doc, "courses")])
    _insert(s, HoursRecord, [_values(HoursRecord, r) for r in _rows(doc, "hours")])
    _insert(s, Assessment, [_values(Assessment, r, item_id=item_map[r.get("item_id")]) for r in _rows(doc, "assessments")
                            if r.get("item_id") in item_map])
    _insert(s, SupportRecord, [_values(SupportRecord, r) for r in _rows(doc, "support")])
    _insert(s, ExcellentCase, [_values(ExcellentCase, r) for r in _rows(doc, "excellent_cases")])
    _insert(s, Deadline, [_values(Deadline, r) for r in _rows(doc, "deadlines")])
    _insert(s, SelfAssessmentEntry, [_values(SelfAssessmentEntry, r) for r in _rows(doc, "self_assessment")])
    s.flush()
    install_deadlines(s, rules, school.school_year, today)
    s.flush()
    if loaded.skipped_items:
        loaded.notes.append(f"{loaded.skipped_items} 个证据文件对应的材料项目在本软件的能力点目录中找不到，未计入复核。")
    if loaded.ambiguous:
        loaded.notes.append(f"{len(loaded.ambiguous)} 位教师的退休年份与方案的退休界限同年，报送包隐去了出生日期，"
                            "无法精确判定，按学校封存时的结论计：" + "、".join(loaded.ambiguous[:20]))
