"""The school's programme: a copy of a preset's rules that the school may adjust."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp


class Programme(SQLModel, table=True):
    """The rule profile in force. `rules_json` holds the whole profile as JSON."""

    id: Optional[int] = Field(default=None, primary_key=True)
    preset_id: str
    name: str
    source: str = ""
    rules_json: str
    adjusted: bool = False
    updated_at: datetime = stamp()
