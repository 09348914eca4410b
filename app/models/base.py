"""Shared column helpers for the tables."""

from __future__ import annotations

from datetime import datetime


def now() -> datetime:
    """Local wall-clock time, second precision (what the office sees on its PC)."""
    return datetime.now().replace(microsecond=0)
