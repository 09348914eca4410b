"""Reading a roster file into a Table: the checks of the file and its header, no database and no
checks of the rows (roster_import.py), so that a caller can start reading before it has loaded
those or opened the school's data folder (see table.load_table's `meanwhile`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.services.excel.fields import ROSTER_FIELDS
from app.services.excel.safety import DEFAULT_LIMITS, Limits
from app.services.excel.table import Table, load_table
from app.services.progress import NO_PROGRESS, Progress


def read_roster(path: Path, *, sheet: str | None = None, header_row: int | None = None,
                limits: Limits = DEFAULT_LIMITS, progress: Progress = NO_PROGRESS,
                meanwhile: Callable[[], Any] | None = None) -> Table:
    """Read the file and find its header (or use the given sheet / header row); no database access."""
    return load_table(Path(path), ROSTER_FIELDS, limits=limits, progress=progress, what="教师花名册",
                      sheet=sheet, header_row=header_row, meanwhile=meanwhile)
