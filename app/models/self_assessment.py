"""The school's self-assessment against its programme's indicators (e.g. 徐汇 校本应用考核要点)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp
from app.vocab import LEVELS  # noqa: F401 (defined there for the command line)


class SelfAssessmentEntry(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    indicator: str = Field(unique=True)        # the indicator's key in the programme (e.g. 1.2)
    level: str                                 # one of LEVELS
    note: str = ""                             # what the school did, where the evidence is
    by: str = ""
    updated_at: datetime = stamp()
