"""The school's programme: a copy of a preset's rules that the school may adjust, and its changes."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp


class Programme(SQLModel, table=True):
    """The rule profile in force. `rules_json` holds the whole programme (format_version 2)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    preset_id: str
    name: str
    source: str = ""
    rules_json: str
    adjusted: bool = False
    updated_at: datetime = stamp()
    preset_hash: str = Field(default="", sa_column_kwargs={"server_default": ""})  # the preset as shipped then


class ProgrammeChange(SQLModel, table=True):
    """One adjustment of the programme: who, when, which rule, before and after (JSON)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = stamp()
    by: str = ""
    key: str                                   # a rule key, or * for a whole imported programme
    before_json: str = ""
    after_json: str = ""
    note: str = ""
