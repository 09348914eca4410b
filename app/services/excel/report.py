"""The school's summary workbook (placeholder while the rule services land)."""

from __future__ import annotations

from pathlib import Path

from app.services.progress import NO_PROGRESS, Progress


def write_report(ws, dest: Path, *, unmask: bool = False, progress: Progress = NO_PROGRESS) -> Path:
    raise NotImplementedError
