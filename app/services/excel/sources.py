"""What every spreadsheet reader returns: a file of sheets whose rows carry the row number Excel shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Row = tuple[int, tuple[Any, ...]]          # (Excel row number, cell values)


@dataclass
class SheetScan:
    """What the byte scan of one sheet part found."""

    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    uncached: list[tuple[int, int]] = field(default_factory=list)          # (row, col) of formulas
    errors: dict[tuple[int, int], str] = field(default_factory=dict)        # (row, col) → "#N/A"


@dataclass
class SheetSource:
    name: str
    rows: Callable[[], Iterator[Row]]      # a fresh iterator from the first row
    scan: Callable[[], SheetScan]
    hidden: bool = False


@dataclass
class SourceFile:
    path: Path
    kind: str                              # "xlsx" | "csv" | "xls"
    sheets: list[SheetSource]
    encoding: str | None = None            # CSV only, e.g. "UTF-8" or "GB18030（GBK）"
    warnings: list[str] = field(default_factory=list)
    close: Callable[[], None] = lambda: None
