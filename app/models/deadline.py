"""Deadlines of the programme year (一划两案备案, 考核, 学分登记 ...)."""

from __future__ import annotations

from datetime import date
from typing import Optional

from sqlmodel import Field, SQLModel


class Deadline(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    due_on: date
    kind: str = ""                             # document:<kind> / elective / assessment / hours / other
    done_on: Optional[date] = None
    note: str = ""
