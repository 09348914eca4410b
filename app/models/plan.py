"""Plan documents: 一划两案, semester training plans and other filed documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp
from app.vocab import PLAN_KINDS, PLAN_STATUSES  # noqa: F401 (defined there for the command line)


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
