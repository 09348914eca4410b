"""Plan documents: 一划两案, semester training plans and other filed documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp

PLAN_KINDS = ("信息化教育教学发展规划", "校本研修方案", "校本应用考核方案", "学期培训计划",
              "整校推进实施方案", "培训实施方案", "研修组长名单", "工作总结", "其他")
PLAN_STATUSES = ("草稿", "已提交", "已备案")


class PlanDocument(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    title: str
    semester: str = ""
    status: str = "草稿"
    submitted_on: Optional[date] = None
    filed_on: Optional[date] = None
    sha256: Optional[str] = Field(default=None, foreign_key="blob.sha256", ondelete="RESTRICT")
    original_name: str = ""
    size: int = 0
    note: str = ""
    updated_at: datetime = stamp()
