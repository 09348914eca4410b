"""Where a programme's yearly dates fall: deadlines (month-day) and hours windows, for a school's year.

A programme runs by school year (学年, from August) or by calendar year (自然年); the school's
`school_year` text names the year ("2026-2027学年" or "2026年度": its first four digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

SCHOOL_YEAR_START_MONTH = 8


def year_start(school_year: str, today: date, cycle: str = "school_year") -> int:
    m = re.search(r"(\d{4})", school_year or "")
    if m:
        return int(m.group(1))
    if cycle == "calendar_year":
        return today.year
    return today.year if today.month >= SCHOOL_YEAR_START_MONTH else today.year - 1


def current_year_label(today: date | None = None, cycle: str = "school_year") -> str:
    today = today or date.today()
    if cycle == "calendar_year":
        return f"{today.year}年度"
    start = year_start("", today, cycle)
    return f"{start}-{start + 1}学年"


def _md(month_day: str) -> tuple[int, int]:
    month, day = (int(x) for x in month_day.split("-"))
    return month, day


def _on(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:                                   # 02-29 in a common year
        return date(year, month, day - 1)


def place(month_day: str, cycle: str, start_year: int) -> date:
    """The date a yearly month-day falls on in the programme year beginning in start_year."""
    month, day = _md(month_day)
    if cycle == "calendar_year" or month >= SCHOOL_YEAR_START_MONTH:
        return _on(start_year, month, day)
    return _on(start_year + 1, month, day)


def span(start_md: str, end_md: str, cycle: str, start_year: int) -> tuple[date, date]:
    """A yearly range such as 07-01 to 11-30: the end placed in the year, the start just before it."""
    end = place(end_md, cycle, start_year)
    month, day = _md(start_md)
    start = _on(end.year, month, day)
    if start > end:
        start = _on(end.year - 1, month, day)
    return start, end


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    label: str                                           # as the school reads it

    def holds(self, d: date | None) -> bool:
        return d is None or self.start <= d <= self.end  # undated hours cannot be placed: counted


def hours_window(window: dict | None, cycle: str, start_year: int) -> Window | None:
    if not window:
        return None
    kind = window["kind"]
    if kind == "calendar_year":
        return Window(date(start_year, 1, 1), date(start_year, 12, 31), f"{start_year}年（自然年）")
    if kind == "school_year":
        s = date(start_year, SCHOOL_YEAR_START_MONTH, 1)
        e = date(start_year + 1, SCHOOL_YEAR_START_MONTH, 1) - timedelta(days=1)
        return Window(s, e, f"{start_year}-{start_year + 1}学年")
    if kind == "period":
        s, e = date.fromisoformat(window["start"]), date.fromisoformat(window["end"])
    else:
        s, e = span(window["start"], window["end"], cycle, start_year)
    return Window(s, e, f"{s.isoformat()} 至 {e.isoformat()}")


def category_window(w: dict, cycle: str, start_year: int) -> Window:
    s, e = span(w["start"], w["end"], cycle, start_year)
    return Window(s, e, f"{s.isoformat()} 至 {e.isoformat()}")
