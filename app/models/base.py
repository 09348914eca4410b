"""Shared column helpers for the tables."""

from __future__ import annotations

from datetime import datetime


def now() -> datetime:
    """Local wall-clock time, second precision (what the office sees on its PC)."""
    return datetime.now().replace(microsecond=0)


def stamp():
    """A naive local-time timestamp column (explicit type: newer SQLModel insists on UTC-aware)."""
    from sqlalchemy import DateTime
    from sqlmodel import Field
    return Field(default_factory=now, sa_type=DateTime)
