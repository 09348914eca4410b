"""Training activities (培训活动) with attendance and their records (sign-in sheets, photos)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import now, stamp


class TrainingActivity(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    kind: str = ""                             # 专题讲座 / 研讨 / 公开课 / 送教下乡 / 混合式教学实践 ...
    on_date: date
    hours: float
    category: str                              # the hour category it counts towards
    topic: str = ""
    location: str = ""
    organiser: str = ""
    note: str = ""
    created_at: datetime = stamp()


class ActivityAttendance(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("activity_id", "teacher_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="trainingactivity.id", ondelete="CASCADE", index=True)
    teacher_id: int = Field(foreign_key="teacher.id", ondelete="CASCADE", index=True)


class ActivityFile(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="trainingactivity.id", ondelete="CASCADE", index=True)
    sha256: str = Field(foreign_key="blob.sha256", ondelete="RESTRICT")
    original_name: str
    size: int
    added_at: datetime = stamp()
