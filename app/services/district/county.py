"""The county dashboard (全县总览): one row per school and per teaching point.

Figures come from the district's own re-check of each unit's current bundle (so every unit is
measured with the same programme), read from the JSON kept on its row: no bundle is opened, so 60
units open in well under a second. A registered unit with no bundle yet is listed as 未报送.
Teaching points inside a school's bundle get their own row (their teachers only); a teaching
point that submits its own bundle is a unit like a school.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from app.models.district import DistrictUnit, ReceivedBundle
from app.services.choices import DIMENSIONS
from app.services.district.office import require_office
from app.services.district.recheck import ENVIRONMENTS, headline
from app.services.programmes.store import current_rules

DEFAULT_CASE_SHARE = 0.03            # seed 004: 优秀案例不少于参训教师的 3%


@dataclass(frozen=True)
class CountyRow:
    key: str
    unit_code: str
    name: str
    kind: str                        # 学校 / 教学点
    parent: str                      # the school a teaching point belongs to ('' for a unit)
    submitted: bool
    version: int
    received_at: datetime | None
    seal_code: str
    teachers: int
    active: int
    meeting: int
    hours: float
    dimensions: tuple[int, ...]
    environments: tuple[int, ...]
    support_open: int
    cases: int
    case_quota: int
    deadlines_passed: int
    deadlines_upcoming: int
    paper: bool
    receipt: bool
    recheck: str
    differences: int

    @property
    def id(self) -> str:
        return self.key

    @property
    def pass_rate(self) -> float | None:
        return self.meeting / self.active if self.active else None

    @property
    def hours_per_teacher(self) -> float | None:
        return round(self.hours / self.active, 1) if self.active else None

    @property
    def cases_ok(self) -> bool:
        return self.cases >= self.case_quota

    def to_dict(self) -> dict:
        return {"key": self.key, "school": self.unit_code, "name": self.name, "kind": self.kind, "parent": self.parent,
                "submitted": self.submitted, "version": self.version,
                "received_at": self.received_at.isoformat(timespec="seconds") if self.received_at else None,
                "seal_code": self.seal_code, "teachers": self.teachers, "active": self.active, "meeting": self.meeting,
                "pass_rate": round(self.pass_rate, 4) if self.pass_rate is not None else None, "hours": self.hours,
                "hours_per_teacher": self.hours_per_teacher,
                "dimensions": dict(zip(DIMENSIONS, self.dimensions)),
                "environments": dict(zip(ENVIRONMENTS, self.environments)), "support_open": self.support_open,
                "cases": self.cases, "case_quota": self.case_quota, "deadlines_passed": self.deadlines_passed,
                "deadlines_upcoming": self.deadlines_upcoming, "paper_received": self.paper,
                "receipt_issued": self.receipt, "recheck": self.recheck, "recheck_differences": self.differences}


@dataclass(frozen=True)
class CountyView:
    district: str
    programme: str
    case_share: float
    rows: tuple[CountyRow, ...]

    @property
    def units(self) -> list[CountyRow]:
        return [r for r in self.rows if not r.parent]

    def totals(self) -> dict:
        units = [r for r in self.units if r.submitted]
        active = sum(r.active for r in units)
        meeting = sum(r.meeting for r in units)
        return {"units": len(self.units), "submitted": len(units), "active": active, "meeting": meeting,
                "pass_rate": meeting / active if active else None,
                "papers": sum(1 for r in units if r.paper), "receipts": sum(1 for r in units if r.receipt),
                "differences": sum(1 for r in units if r.differences)}


def _quota(active: int, share: float) -> int:
    return math.ceil(active * share - 1e-9) if active and share else 0


def load_county(ws) -> CountyView:
    with ws.sessions() as s:
        office = require_office(s)
        rules = current_rules(s)
        units = {u.code: u for u in s.exec(select(DistrictUnit))}
        bundles = list(s.exec(select(ReceivedBundle).where(ReceivedBundle.current == True)))  # noqa: E712
    share = rules.excellent_share or DEFAULT_CASE_SHARE
    rows: list[CountyRow] = []
    seen = set()
    for b in bundles:
        seen.add(b.unit_code)
        try:
            rc = json.loads(b.recheck_json) if b.recheck_json else {}
        except ValueError:
            rc = {}
        sm = rc.get("summary") or {}
        unit = units.get(b.unit_code)
        kind = unit.kind if unit else "学校"
        active = int(sm.get("active") or 0)
        dims = sm.get("micro_by_dimension") or {}
        envs = sm.get("micro_by_environment") or {}
        cases = int(sm.get("excellent_cases") or 0)
        common = dict(submitted=True, version=b.version, received_at=b.received_at, seal_code=b.seal_code,
                      paper=b.paper_received_at is not None, receipt=b.receipt_at is not None)
        rows.append(CountyRow(
            b.unit_code, b.unit_code, (unit.name if unit and unit.name else b.school_name), kind, "",
            teachers=int(sm.get("teachers") or b.teacher_count), active=active, meeting=int(sm.get("meeting_all") or 0),
            hours=round(sum((sm.get("hours_by_category") or {}).values()), 2),
            dimensions=tuple(int(dims.get(d, 0)) for d in DIMENSIONS),
            environments=tuple(int(envs.get(e, 0)) for e in ENVIRONMENTS),
            support_open=int(sm.get("support_open") or 0), cases=cases, case_quota=_quota(active, share),
            deadlines_passed=int(sm.get("deadlines_passed") or 0),
            deadlines_upcoming=len(sm.get("deadlines_upcoming") or []),
            recheck=headline(rc) if rc else "未复核", differences=b.recheck_differences, **common))
        school_label = rows[-1].name
        for u in rc.get("units") or []:
            if u.get("kind") != "教学点":
                continue
            a = int(u.get("active") or 0)
            rows.append(CountyRow(
                f"{b.unit_code}/{u.get('name', '')}", b.unit_code, str(u.get("name", "")), "教学点", school_label,
                teachers=int(u.get("teachers") or 0), active=a, meeting=int(u.get("meeting") or 0),
                hours=float(u.get("hours") or 0), dimensions=tuple(int((u.get("dimensions") or {}).get(d, 0))
                                                                   for d in DIMENSIONS),
                environments=tuple(int((u.get("environments") or {}).get(e, 0)) for e in ENVIRONMENTS),
                support_open=int(u.get("support_open") or 0), cases=int(u.get("cases") or 0),
                case_quota=_quota(a, share), deadlines_passed=0, deadlines_upcoming=0, recheck="", differences=0,
                **common))
    for code, unit in units.items():
        if code not in seen:
            rows.append(CountyRow(code, code, unit.name or code, unit.kind, "", False, 0, None, "", 0, 0, 0, 0.0,
                                  (0,) * len(DIMENSIONS), (0,) * len(ENVIRONMENTS), 0, 0, 0, 0, 0, False, False,
                                  "未报送", 0))
    rows.sort(key=lambda r: (r.unit_code, r.parent != "", r.name))
    return CountyView(office.name, rules.name, share, tuple(rows))
