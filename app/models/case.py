"""Excellent cases (优秀案例) picked for the district."""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class ExcellentCase(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("teacher_id", "point_code"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    teacher_id: int = Field(foreign_key="teacher.id", ondelete="CASCADE", index=True)
    point_code: Optional[str] = Field(default=None, foreign_key="abilitypoint.code",
                                      ondelete="RESTRICT")
    title: str = ""
    note: str = ""
    marked_on: date
