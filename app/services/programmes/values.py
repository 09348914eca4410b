"""Checks for the values a programme rule may hold; each returns the value normalised or raises.

Messages are Chinese and name the rule, because a school or district types these values
(`tisheng programme set KEY VALUE`, the programme dialog, an imported programme file).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from app.errors import ValidationError

_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


class Bad(ValidationError):
    """A rule value that does not fit its rule; `where` names the part that is wrong."""


def fail(label: str, what: str, got: Any) -> Bad:
    shown = got if isinstance(got, str) else repr(got) if not isinstance(got, (int, float)) else f"{got:g}"
    return Bad(f"“{label}”应为{what}，收到“{shown}”。")


def number(label: str, v: Any, *, lo: float = 0, hi: float = 10_000, integer: bool = False) -> float | int:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        if isinstance(v, str):
            try:
                v = float(v.strip())
            except ValueError:
                raise fail(label, "数字", v) from None
        else:
            raise fail(label, "数字", v)
    if v != v or not lo <= v <= hi:                      # NaN, or out of range
        raise fail(label, f"{lo:g} 到 {hi:g} 之间的数字", v)
    if integer:
        if v != int(v):
            raise fail(label, "整数", v)
        return int(v)
    return int(v) if float(v).is_integer() else round(float(v), 2)


def share(label: str, v: Any) -> float:
    """A share such as 0.5 (also accepted: 50% or 50)."""
    if isinstance(v, str) and v.strip().endswith(("%", "％")):
        v = number(label, v.strip()[:-1], hi=100) / 100
    elif isinstance(v, (int, float)) and not isinstance(v, bool) and 1 < v <= 100:
        v = v / 100
    x = float(number(label, v, hi=1))
    if x <= 0:
        raise fail(label, "大于0、不超过100%的比例", v)
    return round(x, 4)


def boolean(label: str, v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "1", "是", "要求", "on"):
        return True
    if isinstance(v, str) and v.strip().lower() in ("false", "0", "否", "不要求", "off"):
        return False
    raise fail(label, "是或否（true/false）", v)


def text(label: str, v: Any, *, max_len: int = 60, empty: bool = False) -> str:
    if not isinstance(v, str):
        raise fail(label, "文字", v)
    from app.services.validation import normalize_text
    try:
        v = " ".join(normalize_text(v, label=f"“{label}”").split())    # control characters refused there
    except ValidationError as exc:
        raise Bad(exc.user_message) from None
    if not v and not empty:
        raise Bad(f"“{label}”不能为空。")
    if len(v) > max_len:
        raise Bad(f"“{label}”过长（最多 {max_len} 个字）。")
    return v


def choice(label: str, v: Any, options: tuple[str, ...] | list[str]) -> str:
    if v not in options:
        raise fail(label, "“" + "”“".join(options) + "”之一", v)
    return v


def day(label: str, v: Any) -> str:
    if isinstance(v, str):
        try:
            return date.fromisoformat(v.strip()).isoformat()
        except ValueError:
            pass
    raise fail(label, "日期（如 2022-12-31）", v)


def month_day(label: str, v: Any) -> str:
    m = _MONTH_DAY.match(v.strip()) if isinstance(v, str) else None
    if m:
        month, d = int(m.group(1)), int(m.group(2))
        try:
            date(2024, month, d)                           # a leap year admits 02-29
            return f"{month:02d}-{d:02d}"
        except ValueError:
            pass
    raise fail(label, "每年的月-日（如 08-30）", v)


def obj(label: str, v: Any, allowed: set[str], required: set[str] = frozenset()) -> dict:
    if not isinstance(v, dict):
        raise fail(label, "一组设置（JSON 对象）", v)
    unknown = set(v) - allowed - {"source"}
    if unknown:
        raise Bad(f"“{label}”中有不认识的设置：{'、'.join(sorted(unknown))}（可用：{'、'.join(sorted(allowed))}）。")
    missing = required - set(v)
    if missing:
        raise Bad(f"“{label}”缺少设置：{'、'.join(sorted(missing))}。")
    return v


def items(label: str, v: Any, *, max_items: int = 60) -> list:
    if isinstance(v, str):                     # typed as 甲、乙 or 甲,乙: a list of one or more
        v = [p.strip() for p in v.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    if not isinstance(v, list):
        raise fail(label, "列表（JSON 数组）", v)
    if len(v) > max_items:
        raise Bad(f"“{label}”最多 {max_items} 项。")
    return v


def unique(label: str, values: list[str], what: str) -> None:
    seen = set()
    for x in values:
        if x in seen:
            raise Bad(f"“{label}”中{what}“{x}”重复。")
        seen.add(x)


def keep_source(src: dict, out: dict) -> dict:
    """An element's own quotation travels with it through validation."""
    if "source" in src:
        out["source"] = text("依据", src["source"], max_len=600)
    return out
