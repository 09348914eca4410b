"""The school, its IT environment and its teaching points (教学点)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp


class School(SQLModel, table=True):
    """One row: the school whose programme this data folder runs."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    code: str
    stage: str = ""            # 小学 / 初中 / 高中 / 九年一贯制 / 完全中学 / ...
    district: str = ""
    environment: str           # 多媒体 / 混合 / 智慧
    address: str = ""
    contact_phone: str = ""    # the office line, not a personal mobile
    school_year: str = ""      # e.g. 2026-2027学年
    created_at: datetime = stamp()
    updated_at: datetime = stamp()


class TeachingPoint(SQLModel, table=True):
    """A 教学点: a small rural site whose teachers belong to this school."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    environment: str = ""      # may differ from the central school's
    address: str = ""
    note: str = ""
