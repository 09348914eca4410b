"""An append-only log of significant operations (exports, key changes, restores)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp


class AuditEntry(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = stamp()
    action: str                                # export / key-replace / restore / import ...
    detail: str = ""                           # JSON text


class ImportedRow(SQLModel, table=True):
    """Natural keys of imported hours rows, so importing a file twice changes nothing."""

    id: Optional[int] = Field(default=None, primary_key=True)
    natural_key: str = Field(unique=True)
    hours_id: Optional[int] = Field(default=None, foreign_key="hoursrecord.id", ondelete="CASCADE")
