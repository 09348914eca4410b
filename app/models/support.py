"""一对一帮扶 records for teachers who failed the school-based assessment."""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlmodel import Field, SQLModel


class SupportRecord(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    teacher_id: int = Field(foreign_key="teacher.id", ondelete="CASCADE", index=True)
    point_code: Optional[str] = Field(default=None, foreign_key="abilitypoint.code",
                                      ondelete="RESTRICT")
    helper: str
    plan: str = ""
    opened_on: date
    reassess_on: Optional[date] = None
    closed_on: Optional[date] = None
    new_result: str = ""                       # the re-assessment result when closed
    note: str = ""
