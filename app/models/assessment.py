"""校本考核: a grade per evidence item. Point and teacher results are derived, never stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import now, stamp


class Assessment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("teacher_id", "item_id", "round"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    teacher_id: int = Field(foreign_key="teacher.id", ondelete="CASCADE", index=True)
    point_code: Optional[str] = Field(default=None, foreign_key="abilitypoint.code",
                                      ondelete="RESTRICT")
    item_id: int = Field(foreign_key="evidenceitem.id", ondelete="RESTRICT")
    round: int = 1                             # 1 = first assessment, 2+ = re-assessment after 帮扶
    grade: str                                 # from the programme's scale
    reviewer: str = ""
    comment: str = ""
    on_date: date
    created_at: datetime = stamp()
