"""校本研修课程: the school's own courses, with hours that count for participants."""

from __future__ import annotations

from typing import Optional

from sqlmodel import Field, SQLModel


class SchoolCourse(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    semester: str = ""                         # e.g. 2026-2027学年第一学期
    hours: float
    category: str = ""
    lead: str = ""                             # 主讲 / 负责人
    status: str = "已申报"                      # 已申报 / 实施中 / 已完成
    note: str = ""
