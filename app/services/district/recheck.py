"""The district's re-check: its own programme over a bundle's records, compared with the school's findings.

The school sealed its findings under the programme it applied (which it may have adjusted). The
district loads the records into an in-memory school database with the **district's** programme
(`school_db`), runs the same engine on the sealing date, and lists:

* rules where the school's programme differs from the district's (school choices shown apart);
* findings only the district's check has (e.g. a relaxed hour minimum hid them), findings only
  the school's has, and findings both have with another severity or threshold;
* teachers whose verdict differs (达标 / 未达标 / 不作要求);
* per teaching point, the figures the county view shows.

The result is plain JSON (kept on the bundle's row) so the window and the workbook read it cheaply.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from app.services import snapshot as snapshot_mod
from app.services.choices import DIMENSIONS
from app.services.compliance import run_on_snapshot
from app.services.district.school_db import BundleRecordsError, load
from app.services.programmes import check_programme, programme_hash
from app.services.programmes.adjust import rule_views

log = logging.getLogger(__name__)
ENVIRONMENTS = ("多媒体", "混合", "智慧")
PASS, FAIL, NOT_REQUIRED = "达标", "未达标", "不作要求"
_KEEP = ("code", "severity", "message", "teacher_id", "teacher_name", "record_id", "rule", "need", "have")


def sealing_date(doc: dict[str, Any]) -> date:
    for raw in (doc.get("exported_at"), ((doc.get("compliance") or {}).get("summary") or {}).get("date")):
        if isinstance(raw, str) and len(raw) >= 10:
            try:
                return date.fromisoformat(raw[:10])
            except ValueError:
                continue
    return date.today()


def _slim(f: dict[str, Any]) -> dict[str, Any]:
    return {k: f.get(k) for k in _KEEP}


def _key(f: dict[str, Any]) -> tuple:
    # A deadline's row is rebuilt from the district's programme (new id): it is known by its text.
    if str(f.get("code", "")).startswith("deadline."):
        return (f.get("code"), f.get("rule"), f.get("message"))
    return (f.get("code"), f.get("rule"), f.get("teacher_id"), f.get("record_id"))


def _rule_differences(school_rules: dict | None, district_rules: dict) -> list[dict[str, Any]]:
    if not isinstance(school_rules, dict):
        return []
    try:
        views = rule_views(check_programme(school_rules), district_rules)
    except Exception:                       # noqa: BLE001 - an unreadable programme is reported elsewhere
        return []
    return [{"key": v.key, "label": v.label, "school": (v.text if v.value is not None else "（已删除）")
             + ("" if v.on or v.value is None else "（未启用）"), "district": v.preset_text,
             "school_choice": v.school_choice} for v in views if v.changed]


def _school_verdicts(doc: dict[str, Any]) -> dict[int, str]:
    comp = doc.get("compliance") or {}
    exempt = {e.get("teacher_id") for e in comp.get("exempt") or [] if isinstance(e, dict)}
    blocked = {f.get("teacher_id") for f in comp.get("findings") or []
               if isinstance(f, dict) and f.get("severity") == "blocking" and f.get("teacher_id") is not None}
    out = {}
    for t in doc.get("teachers") or []:
        if not isinstance(t, dict) or t.get("status") == "调离":
            continue
        tid = t.get("id")
        out[tid] = NOT_REQUIRED if tid in exempt else FAIL if tid in blocked else PASS
    return out


def _units(snap, passes: dict[int, bool], school_name: str) -> list[dict[str, Any]]:
    groups: dict[int | None, list] = defaultdict(list)
    for v in snap.teachers:
        groups[v.teacher.teaching_point_id].append(v)
    out = []
    for tp_id, views in sorted(groups.items(), key=lambda kv: (kv[0] is not None, kv[0] or 0)):
        if tp_id is None and len(groups) == 1:
            continue                              # no teaching points: the summary is the school
        tp = snap.teaching_points.get(tp_id) if tp_id is not None else None
        active = [v for v in views if v.exempt_reason is None]
        dims = Counter(p.dimension for v in active for p in v.points)
        envs = Counter(p.environment for v in active for p in v.points)
        out.append({"kind": "教学点" if tp else "学校本部", "name": tp.name if tp else f"{school_name}（本部）",
                    "teachers": len(views), "active": len(active),
                    "meeting": sum(1 for v in active if passes.get(v.teacher.id)),
                    "hours": round(sum(v.hours.total for v in active), 2),
                    "dimensions": {d: dims.get(d, 0) for d in DIMENSIONS},
                    "environments": {e: envs.get(e, 0) for e in ENVIRONMENTS},
                    "support_open": sum(1 for v in views for r in v.supports if r.closed_on is None),
                    "cases": sum(len(v.cases) for v in active)})
    return out


def recheck(doc: dict[str, Any], district_rules: dict[str, Any]) -> dict[str, Any]:
    """Re-evaluate one bundle's records with the district's programme; never raises for bad records."""
    district_hash = programme_hash(district_rules)
    prog = doc.get("programme") if isinstance(doc.get("programme"), dict) else {}
    school_rules = prog.get("rules") if isinstance(prog.get("rules"), dict) else None
    try:
        school_hash = programme_hash(check_programme(school_rules)) if school_rules else ""
    except Exception:                           # noqa: BLE001
        school_hash = ""
    rule_diffs = _rule_differences(school_rules, district_rules)
    out: dict[str, Any] = {
        "ok": False, "error": "", "checked_on": "",
        "district_programme": {"name": district_rules.get("name", ""), "hash": district_hash},
        "school_programme": {"name": prog.get("name", ""), "applied_hash": school_hash,
                             "preset_id": prog.get("preset_id", ""), "same_as_district": school_hash == district_hash,
                             "rule_differences": rule_diffs},
        "summary": {}, "school_summary": ((doc.get("compliance") or {}).get("summary") or {}),
        "only_district": [], "only_school": [], "changed": [], "verdicts": [], "units": [], "notes": [],
    }
    today = sealing_date(doc)
    out["checked_on"] = today.isoformat()
    try:
        loaded = load(doc, district_rules, today=today)
    except BundleRecordsError as exc:
        out["error"] = str(exc)
        out["differences"] = len([d for d in rule_diffs if not d["school_choice"]])
        return out
    try:
        snap = snapshot_mod.load(loaded.session, today)
        report = run_on_snapshot(snap)
        out["notes"] = list(loaded.notes)
    except Exception as exc:                    # noqa: BLE001 - one bundle must never stop the intake
        log.exception("re-check failed")
        out["error"] = f"复核时出错（{type(exc).__name__}），已记入日志。"
        out["differences"] = len([d for d in rule_diffs if not d["school_choice"]])
        return out
    finally:
        loaded.close()
    ours = [{k: getattr(f, k) for k in _KEEP} for f in report.findings]     # not to_dict(): it deep-copies
    comp = doc.get("compliance") or {}
    checked = bool(comp.get("checked", bool(comp.get("findings") is not None)))
    theirs = [_slim(f) for f in comp.get("findings") or [] if isinstance(f, dict)]
    if not checked:
        out["notes"].append("学校导出时没有做达标检查，无法与学校的结论比较；下面只列出区县复核的结论。")
    by_key_theirs = {_key(f): f for f in theirs}
    by_key_ours = {_key(f): f for f in ours}
    if checked:
        out["only_district"] = [f for k, f in by_key_ours.items() if k not in by_key_theirs]
        out["only_school"] = [f for k, f in by_key_theirs.items() if k not in by_key_ours]
        out["changed"] = [{"district": f, "school": by_key_theirs[k]} for k, f in by_key_ours.items()
                          if k in by_key_theirs and (f["severity"] != by_key_theirs[k].get("severity")
                                                     or f.get("need") != by_key_theirs[k].get("need"))]
    district_verdicts = {v.teacher.id: (NOT_REQUIRED if v.exempt_reason else PASS if report.teacher_passes.get(v.teacher.id)
                                        else FAIL) for v in snap.teachers}
    if checked:
        names = {v.teacher.id: v.teacher.name for v in snap.teachers}
        for tid, school_verdict in _school_verdicts(doc).items():
            mine = district_verdicts.get(tid)
            if mine is not None and mine != school_verdict:
                out["verdicts"].append({"teacher_id": tid, "name": names.get(tid, ""), "school": school_verdict,
                                        "district": mine})
    out["summary"] = report.summary
    out["summary"]["deadlines_passed"] = sum(1 for f in report.findings if f.code == "deadline.passed")
    out["units"] = _units(snap, report.teacher_passes, (doc.get("school") or {}).get("name", ""))
    out["ok"] = True
    out["differences"] = (len(out["only_district"]) + len(out["only_school"]) + len(out["changed"])
                          + len([d for d in rule_diffs if not d["school_choice"]]))
    return out


def headline(result: dict[str, Any]) -> str:
    """One Chinese line for lists: 复核一致 / 与学校结论有 N 处不同 / 无法复核."""
    if result.get("error"):
        return "无法复核：" + result["error"]
    n = result.get("differences", 0)
    rules = [d for d in result.get("school_programme", {}).get("rule_differences", []) if not d["school_choice"]]
    parts = []
    if rules:
        parts.append(f"学校方案有 {len(rules)} 条规则与区县方案不同")
    extra = len(result.get("only_district", []))
    if extra:
        parts.append(f"区县复核多出 {extra} 项问题")
    if result.get("verdicts"):
        parts.append(f"{len(result['verdicts'])} 位教师结论不同")
    if not n:
        return "复核一致"
    return "；".join(parts) or f"与学校结论有 {n} 处不同"
