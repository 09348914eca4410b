"""Training activities: saving one gives its hours to every participant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from app.errors import NotFoundError, ValidationError
from app.models import ActivityAttendance, ActivityFile, HoursRecord, Teacher, TrainingActivity
from app.models.hours import SOURCE_ACTIVITY
from app.services.blobs import ensure_blob, release_blobs, store_blob
from app.services.programmes import current_rules
from app.services.validation import normalize_text, parse_date, validate_hours
from app.vocab import ACTIVITY_KINDS  # noqa: F401 (defined there for the command line)


@dataclass(frozen=True)
class ActivityRow:
    id: int
    title: str
    kind: str
    on_date: date
    hours: float
    category: str
    topic: str
    location: str
    organiser: str
    note: str
    participant_ids: tuple[int, ...]
    file_count: int


def _clean(s: Session, values: dict) -> dict:
    rules = current_rules(s)
    title = normalize_text(values.get("title"), label="活动名称", field="title")
    if not title:
        raise ValidationError("活动名称不能为空。", field="title")
    return {"title": title, "kind": normalize_text(values.get("kind"), label="活动类型", field="kind") or "其他",
            "on_date": parse_date(values.get("on_date"), field="活动日期", required=True),
            "hours": validate_hours(values.get("hours"), cap=rules.record_max),
            "category": rules.check_category(normalize_text(values.get("category"), label="学时类别",
                                                            field="category")),
            "topic": normalize_text(values.get("topic"), label="专题", field="topic"),
            "location": normalize_text(values.get("location"), label="地点", field="location"),
            "organiser": normalize_text(values.get("organiser"), label="组织者", field="organiser"),
            "note": normalize_text(values.get("note"), label="备注", field="note", multiline=True)}


def _sync_attendance(s: Session, act: TrainingActivity, participant_ids: list[int]) -> None:
    """Attendance and the participants' hours records always match the activity."""
    ids = list(dict.fromkeys(int(i) for i in participant_ids))
    known = {t.id for t in s.exec(select(Teacher).where(Teacher.id.in_(ids)))} if ids else set()
    missing = [i for i in ids if i not in known]
    if missing:
        raise NotFoundError(f"参加人员中有 {len(missing)} 位教师不存在（可能已被删除）。")
    for a in s.exec(select(ActivityAttendance).where(ActivityAttendance.activity_id == act.id)):
        s.delete(a)
    for h in s.exec(select(HoursRecord).where(HoursRecord.activity_id == act.id)):
        s.delete(h)
    s.flush()
    for tid in ids:
        s.add(ActivityAttendance(activity_id=act.id, teacher_id=tid))
        s.add(HoursRecord(teacher_id=tid, category=act.category, topic=act.topic, hours=act.hours,
                          on_date=act.on_date, source=SOURCE_ACTIVITY, source_ref=f"activity:{act.id}",
                          activity_id=act.id, note=act.title))


def _row(s: Session, a: TrainingActivity) -> ActivityRow:
    ids = tuple(x.teacher_id for x in s.exec(select(ActivityAttendance).where(
        ActivityAttendance.activity_id == a.id).order_by(ActivityAttendance.id)))
    files = len(s.exec(select(ActivityFile.id).where(ActivityFile.activity_id == a.id)).all())
    return ActivityRow(a.id, a.title, a.kind, a.on_date, a.hours, a.category, a.topic, a.location,
                       a.organiser, a.note, ids, files)


def save_activity(ws, activity_id: int | None, participant_ids: list[int], **values) -> ActivityRow:
    """Create (activity_id None) or update an activity and its participants' hours, atomically."""
    with ws.sessions() as s:
        clean = _clean(s, values)
        if activity_id is None:
            act = TrainingActivity(**clean)
        else:
            act = s.get(TrainingActivity, activity_id)
            if act is None:
                raise NotFoundError("找不到该培训活动。")
            for k, v in clean.items():
                setattr(act, k, v)
        s.add(act)
        s.flush()
        _sync_attendance(s, act, participant_ids)
        s.commit()
        return _row(s, act)


def list_activities(ws) -> list[ActivityRow]:
    with ws.sessions() as s:
        return [_row(s, a) for a in s.exec(select(TrainingActivity).order_by(TrainingActivity.on_date))]


def remove_activity(ws, activity_id: int) -> None:
    with ws.sessions() as s:
        act = s.get(TrainingActivity, activity_id)
        if act is None:
            raise NotFoundError("找不到该培训活动。")
        hashes = {f.sha256 for f in s.exec(select(ActivityFile).where(ActivityFile.activity_id == act.id))}
        s.delete(act)
        s.commit()
    release_blobs(ws, hashes)


def attach_activity_file(ws, activity_id: int, file: Path) -> None:
    sha, size, name = store_blob(ws, file)
    with ws.sessions() as s:
        if s.get(TrainingActivity, activity_id) is None:
            raise NotFoundError("找不到该培训活动。")
        ensure_blob(s, sha, size)
        s.add(ActivityFile(activity_id=activity_id, sha256=sha, original_name=name, size=size))
        s.commit()
