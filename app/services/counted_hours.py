"""Which hours count: inside the programme's window, a category's study time and the chosen topic.

Hours outside are kept (nothing is deleted) but not counted, and each teacher's findings say
how many were left out and why, so a school never wonders where its hours went.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from app.services.programmes import Rules
from app.services.programmes.calendar import Window, category_window, hours_window


@dataclass(frozen=True)
class HoursRecordLite:
    teacher_id: int
    category: str
    topic: str
    hours: float
    on_date: date | None


@dataclass(frozen=True)
class HoursTotals:
    by_category: dict[str, float]
    by_topic: dict[tuple[str, str], float]
    excluded: dict[str, float] = field(default_factory=dict)   # reason → hours not counted
    undated: int = 0                                           # records counted without a date

    @property
    def total(self) -> float:
        return round(sum(self.by_category.values()), 2)

    @property
    def excluded_total(self) -> float:
        return round(sum(self.excluded.values()), 2)


EMPTY = HoursTotals({}, {})


@dataclass(frozen=True)
class HoursFilter:
    """The programme's hour windows for one programme year."""

    window: Window | None
    category_windows: dict[str, Window]
    elective_category: str | None
    elective_topics: tuple[str, ...]

    @classmethod
    def of(cls, rules: Rules, start_year: int) -> "HoursFilter":
        win = hours_window(rules.window, rules.cycle, start_year)
        cats = {c: category_window(w, rules.cycle, start_year) for c, w in rules.category_windows.items()}
        topic = rules.elective_topic
        chosen = tuple(topic["chosen"]) if topic and topic.get("chosen") else ()
        return cls(win, cats, topic["category"] if chosen else None, chosen)

    def reason_left_out(self, r: HoursRecordLite) -> str | None:
        if self.window and not self.window.holds(r.on_date):
            return f"不在统计期（{self.window.label}）内"
        cw = self.category_windows.get(r.category)
        if cw and not cw.holds(r.on_date):
            return f"{r.category}不在学习时间（{cw.label}）内"
        if r.category == self.elective_category and r.topic and r.topic not in self.elective_topics:
            return f"{r.category}专题不是学校选定的{'、'.join(self.elective_topics)}"
        return None


def count(records: list[HoursRecordLite], flt: HoursFilter) -> dict[int, HoursTotals]:
    cats: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    topics: dict[int, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    left: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    undated: dict[int, int] = defaultdict(int)
    dated_rules = flt.window is not None or bool(flt.category_windows)
    for r in records:
        why = flt.reason_left_out(r)
        if why:
            left[r.teacher_id][why] += r.hours
            continue
        cats[r.teacher_id][r.category] += r.hours
        if r.topic:
            topics[r.teacher_id][(r.category, r.topic)] += r.hours
        if dated_rules and r.on_date is None:
            undated[r.teacher_id] += 1
    ids = set(cats) | set(left)
    return {tid: HoursTotals({k: round(v, 2) for k, v in cats[tid].items()},
                             {k: round(v, 2) for k, v in topics[tid].items()},
                             {k: round(v, 2) for k, v in left[tid].items()}, undated[tid]) for tid in ids}
