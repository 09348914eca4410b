"""A teacher's chosen micro-ability points."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import now, stamp


class AbilityChoice(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("teacher_id", "point_code"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    teacher_id: int = Field(foreign_key="teacher.id", ondelete="CASCADE", index=True)
    point_code: str = Field(foreign_key="abilitypoint.code", ondelete="RESTRICT")
    chosen_at: datetime = stamp()
