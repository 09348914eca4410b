"""Runs every rule over a Snapshot and summarises the school's progress."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from app.services import snapshot as snapshot_mod
from app.services.choices import DIMENSIONS
from app.services.compliance import school_rules
from app.services.compliance.findings import Finding
from app.services.compliance.teacher_rules import passes, teacher_findings
from app.services.snapshot import Snapshot


@dataclass
class ComplianceReport:
    findings: list[Finding]
    summary: dict
    teacher_passes: dict[int, bool]
    exempt: dict[int, str]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.is_blocking]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_blocking]

    @property
    def ok(self) -> bool:
        return not self.blocking

    def for_teacher(self, teacher_id: int) -> list[Finding]:
        return [f for f in self.findings if f.teacher_id == teacher_id]

    def to_dict(self) -> dict:
        return {"ok": self.ok, "blocking": len(self.blocking), "warnings": len(self.warnings),
                "summary": self.summary, "findings": [f.to_dict() for f in self.findings],
                "exempt": [{"teacher_id": k, "reason": v} for k, v in self.exempt.items()]}


def run_on_snapshot(snap: Snapshot) -> ComplianceReport:
    rules = snap.rules
    findings: list[Finding] = []
    teacher_passes: dict[int, bool] = {}
    school_env = snap.school.environment if snap.school else "多媒体"
    window = snap.hours_filter.window if snap.hours_filter else None
    range_ready = not (rules.is_on("micro.range") and not (rules.value("micro.range") or {}).get("codes"))
    for v in snap.teachers:
        own = teacher_findings(v, rules, school_env=school_env, window=window, range_ready=range_ready)
        teacher_passes[v.teacher.id] = passes(v, own)
        findings += own
    say = school_rules._Say(snap)
    school_findings = list(school_rules.roster_findings(snap))
    school_findings += school_rules.plan_findings(snap, say)
    school_findings += school_rules.team_findings(snap, say)
    school_findings += school_rules.group_findings(snap, say)
    school_findings += school_rules.course_findings(snap, say)
    school_findings += school_rules.choice_findings(snap, say)
    school_findings += school_rules.self_assessment_findings(snap, snap.self_assessment, say)
    school_findings += school_rules.rate_findings(snap, teacher_passes, say)
    school_findings += school_rules.hours_data_findings(snap, say)
    school_findings += school_rules.deadline_findings(snap, say)
    findings = school_findings + findings
    findings.sort(key=lambda f: (not f.is_blocking, f.teacher_id is not None, f.teacher_id or 0))
    return ComplianceReport(findings, summarise(snap, teacher_passes),
                            teacher_passes, {v.teacher.id: v.exempt_reason for v in snap.teachers
                                             if v.exempt_reason})


def summarise(snap: Snapshot, teacher_passes: dict[int, bool]) -> dict:
    rules = snap.rules
    active = snap.active
    cats = {c["key"]: round(sum(v.hours.by_category.get(c["key"], 0.0) for v in active), 2)
            for c in rules.categories}
    meeting_hours = {c["key"]: sum(1 for v in active if v.hours.by_category.get(c["key"], 0.0) >= (c.get("min") or 0))
                     for c in rules.categories}
    by_point = Counter(p.code for v in active for p in v.points)
    by_dim = Counter(p.dimension for v in active for p in v.points)
    by_env = Counter(p.environment for v in active for p in v.points)
    results = Counter(v.result for v in active)
    cases = sum(len(v.cases) for v in active)
    supports = [r for v in snap.teachers for r in v.supports]
    plans = {p.kind: p.status for p in snap.plans}
    window = snap.hours_filter.window if snap.hours_filter else None
    return {
        "school": snap.school.name if snap.school else "",
        "school_code": snap.school.code if snap.school else "",
        "environment": snap.school.environment if snap.school else "",
        "programme": rules.name,
        "programme_id": rules.id,
        "date": snap.today.isoformat(),
        "teachers": len(snap.teachers),
        "active": len(active),
        "exempt": len(snap.teachers) - len(active),
        "left": len(snap.excluded),
        "meeting_all": sum(1 for v in active if teacher_passes.get(v.teacher.id)),
        "hours_total_min": rules.total_min,
        "hours_by_category": cats,
        "meeting_category_min": meeting_hours,
        "micro_by_point": dict(sorted(by_point.items())),
        "micro_by_dimension": {d: by_dim.get(d, 0) for d in DIMENSIONS},
        "micro_by_environment": {e: by_env.get(e, 0) for e in ("多媒体", "混合", "智慧")},
        "results": dict(results),
        "support_open": sum(1 for r in supports if r.closed_on is None),
        "support_closed": sum(1 for r in supports if r.closed_on is not None),
        "excellent_cases": cases,
        "excellent_share": round(cases / len(active), 4) if active else 0.0,
        "excellent_share_min": rules.excellent_share,
        "plans": plans,
        "courses": len(snap.courses),
        "participating": sum(1 for v in active if v.participates),
        "hours_window": ({"start": window.start.isoformat(), "end": window.end.isoformat(), "label": window.label}
                         if window else None),
        "activities": len(snap.activities),
        "deadlines_upcoming": [{"title": d.title, "due_on": d.due_on.isoformat()} for d in snap.deadlines
                               if d.done_on is None and 0 <= (d.due_on - snap.today).days <= 30],
    }


def run_check(ws, today: date | None = None) -> ComplianceReport:
    return run_on_snapshot(snapshot_mod.load_ws(ws, today))
