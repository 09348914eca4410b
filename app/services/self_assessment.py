"""The school's self-assessment against its programme's indicators (徐汇: 校本应用考核要点).

The school rates itself on each indicator (达成 / 基本达成 / 未达成) with a note on what it did;
the result goes into the summary workbook and the bundle.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.errors import NotFoundError, ValidationError
from app.models import SelfAssessmentEntry
from app.models.base import now
from app.models.self_assessment import LEVELS  # noqa: F401 (re-exported for the window and the CLI)
from app.services.programmes import current_rules
from app.services.programmes.adjust import operator_name
from app.services.validation import normalize_text


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    level1: str
    level2: str
    text: str
    level: str                      # "" until rated
    note: str
    by: str
    updated_at: str


def entries_in(s: Session) -> dict[str, str]:
    return {e.indicator: e.level for e in s.exec(select(SelfAssessmentEntry))}


def list_indicators(ws) -> list[IndicatorRow]:
    """The programme's indicators with the school's rating of each ([] when the programme has none)."""
    with ws.sessions() as s:
        items = current_rules(s).self_assessment
        done = {e.indicator: e for e in s.exec(select(SelfAssessmentEntry))}
    out = []
    for i in items:
        e = done.get(i["key"])
        out.append(IndicatorRow(i["key"], i["level1"], i["level2"], i.get("text", ""), e.level if e else "",
                                e.note if e else "", e.by if e else "",
                                e.updated_at.isoformat(sep=" ") if e else ""))
    return out


def rate(ws, key: str, level: str, note: str = "", *, by: str | None = None) -> IndicatorRow:
    level, note = normalize_text(level), normalize_text(note)
    if level not in LEVELS:
        raise ValidationError(f"自评结果应为：{'、'.join(LEVELS)}。", field="level")
    if len(note) > 500:
        raise ValidationError("说明过长（最多500字）。", field="note")
    with ws.sessions() as s:
        items = {i["key"]: i for i in current_rules(s).self_assessment}
        if not items:
            raise NotFoundError("本校的项目方案没有自评的考核要点。")
        if key not in items:
            raise NotFoundError(f"没有编号为“{key}”的考核要点。可用：{'、'.join(items)}")
        e = s.exec(select(SelfAssessmentEntry).where(SelfAssessmentEntry.indicator == key)).first()
        e = e or SelfAssessmentEntry(indicator=key, level=level)
        e.level, e.note, e.by, e.updated_at = level, note, operator_name(by), now()
        s.add(e)
        s.commit()
    return next(r for r in list_indicators(ws) if r.key == key)


def clear(ws, key: str) -> None:
    with ws.sessions() as s:
        e = s.exec(select(SelfAssessmentEntry).where(SelfAssessmentEntry.indicator == key)).first()
        if e is None:
            raise NotFoundError(f"考核要点“{key}”还没有自评。")
        s.delete(e)
        s.commit()
