"""Cell values as people read them, and column letters: what the importers need, without openpyxl
(reading goes through python-calamine; openpyxl is loaded only to write a workbook)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def format_plain(value: Any) -> str:
    """A cell value the way a person reads it (no 1.1e+17, no trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value != value:
            return ""
        if abs(value) >= 1e15 and abs(value) < 1e21:
            from decimal import Decimal          # (rare: not loaded for every import)
            return str(int(Decimal(f"{value:.15g}")))   # what Excel shows: 15 significant digits
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() \
            else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def get_column_letter(index: int) -> str:
    """1 → A, 27 → AA (as openpyxl.utils.get_column_letter)."""
    if index < 1:
        raise ValueError(f"column index {index} out of range")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
