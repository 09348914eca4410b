"""Evidence files: blobs in the content-addressed store, and what they answer."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel

from app.models.base import now, stamp


class Blob(SQLModel, table=True):
    """A file in the store, named by its SHA-256. Shared by every row that uses it."""

    sha256: str = Field(primary_key=True)
    size: int
    added_at: datetime = stamp()


class EvidenceFile(SQLModel, table=True):
    """One file a teacher submitted for one required item (of a point, or per teacher)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    teacher_id: int = Field(foreign_key="teacher.id", ondelete="CASCADE", index=True)
    point_code: Optional[str] = Field(default=None, foreign_key="abilitypoint.code",
                                      ondelete="RESTRICT")
    item_id: int = Field(foreign_key="evidenceitem.id", ondelete="RESTRICT", index=True)
    sha256: str = Field(foreign_key="blob.sha256", ondelete="RESTRICT")
    original_name: str
    size: int
    added_at: datetime = stamp()
    note: str = ""
