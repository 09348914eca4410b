"""Hours (学时) records by category, with where they came from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp

SOURCE_MANUAL = "手工录入"
SOURCE_IMPORT = "平台导入"
SOURCE_ACTIVITY = "培训活动"
SOURCE_COURSE = "校本课程"


class HoursRecord(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    teacher_id: int = Field(foreign_key="teacher.id", ondelete="CASCADE", index=True)
    category: str                              # a key of the programme's hour categories
    topic: str = ""                            # e.g. 数据驱动的因材施教 (sub-minimums)
    hours: float
    on_date: Optional[date] = None
    source: str = SOURCE_MANUAL
    source_ref: str = ""                       # import file + row, or a natural key for idempotence
    activity_id: Optional[int] = Field(default=None, foreign_key="trainingactivity.id",
                                       ondelete="CASCADE", index=True)
    course_id: Optional[int] = Field(default=None, foreign_key="schoolcourse.id",
                                     ondelete="CASCADE", index=True)
    note: str = ""
    created_at: datetime = stamp()
