"""What changed between two versions of a school's bundle: teachers, grades, evidence, hours.

Both versions come from the same school database, so a teacher keeps the same id from one export
to the next; evidence is compared by content hash per teacher (a renamed file is no change, a
replaced video is one removal and one addition).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

LIMIT = 200                         # rows kept per list (the counts are always complete)


def _teachers(doc: dict) -> dict[Any, dict]:
    return {t.get("id"): t for t in doc.get("teachers") or [] if isinstance(t, dict)}


def _items(doc: dict) -> dict[Any, str]:
    return {i.get("id"): f"{i.get('point_code') or '个人材料'} {i.get('title', '')}".strip()
            for i in doc.get("evidence_items") or [] if isinstance(i, dict)}


def _grades(doc: dict) -> dict[tuple, str]:
    latest: dict[tuple, tuple[int, str]] = {}
    for a in doc.get("assessments") or []:
        if not isinstance(a, dict):
            continue
        key = (a.get("teacher_id"), a.get("item_id"))
        rnd = int(a.get("round") or 1)
        if key not in latest or rnd >= latest[key][0]:
            latest[key] = (rnd, str(a.get("grade", "")))
    return {k: v[1] for k, v in latest.items()}


def _evidence(doc: dict) -> dict[Any, dict[str, str]]:
    out: dict[Any, dict[str, str]] = defaultdict(dict)
    for e in doc.get("evidence") or []:
        if isinstance(e, dict) and e.get("sha256"):
            out[e.get("teacher_id")][e["sha256"]] = str(e.get("original_name", ""))
    return out


def _hours(doc: dict) -> dict[Any, float]:
    out: dict[Any, float] = defaultdict(float)
    for h in doc.get("hours") or []:
        if isinstance(h, dict):
            try:
                out[h.get("teacher_id")] += float(h.get("hours") or 0)
            except (TypeError, ValueError):
                continue
    return out


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready lists of what differs, and a one-line Chinese summary."""
    t_old, t_new = _teachers(old), _teachers(new)
    name = {**{k: v.get("name", "") for k, v in t_old.items()}, **{k: v.get("name", "") for k, v in t_new.items()}}
    added = [t_new[k].get("name", "") for k in t_new if k not in t_old]
    removed = [t_old[k].get("name", "") for k in t_old if k not in t_new]
    status = [{"name": t_new[k].get("name", ""), "before": t_old[k].get("status", ""), "after": t_new[k].get("status", "")}
              for k in t_new if k in t_old and t_old[k].get("status") != t_new[k].get("status")]
    items = {**_items(old), **_items(new)}
    g_old, g_new = _grades(old), _grades(new)
    grades = [{"name": name.get(k[0], ""), "item": items.get(k[1], str(k[1])), "before": g_old.get(k, ""),
               "after": g_new.get(k, "")}
              for k in sorted(set(g_old) | set(g_new), key=lambda k: (str(k[0]), str(k[1])))
              if g_old.get(k, "") != g_new.get(k, "")]
    e_old, e_new = _evidence(old), _evidence(new)
    ev_added, ev_removed = [], []
    for tid in sorted(set(e_old) | set(e_new), key=str):
        before, after = e_old.get(tid, {}), e_new.get(tid, {})
        ev_added += [{"name": name.get(tid, ""), "file": after[h], "sha256": h} for h in after if h not in before]
        ev_removed += [{"name": name.get(tid, ""), "file": before[h], "sha256": h} for h in before if h not in after]
    h_old, h_new = _hours(old), _hours(new)
    hours = [{"name": name.get(k, ""), "before": round(h_old.get(k, 0.0), 2), "after": round(h_new.get(k, 0.0), 2)}
             for k in sorted(set(h_old) | set(h_new), key=str)
             if abs(h_old.get(k, 0.0) - h_new.get(k, 0.0)) > 1e-9 and k in t_new]
    counts = {"teachers_added": len(added), "teachers_removed": len(removed), "status_changed": len(status),
              "grades_changed": len(grades), "evidence_added": len(ev_added), "evidence_removed": len(ev_removed),
              "hours_changed": len(hours)}
    return {"counts": counts, "summary": summary_text(counts),
            "teachers_added": added[:LIMIT], "teachers_removed": removed[:LIMIT], "status_changed": status[:LIMIT],
            "grades": grades[:LIMIT], "evidence_added": ev_added[:LIMIT], "evidence_removed": ev_removed[:LIMIT],
            "hours": hours[:LIMIT]}


def summary_text(counts: dict[str, int]) -> str:
    labels = (("teachers_added", "新增教师 {} 人"), ("teachers_removed", "减少教师 {} 人"),
              ("status_changed", "{} 人状态变化"), ("grades_changed", "{} 项等级变化"),
              ("evidence_added", "新增证据 {} 个"), ("evidence_removed", "删去证据 {} 个"),
              ("hours_changed", "{} 人学时变化"))
    parts = [text.format(counts[k]) for k, text in labels if counts.get(k)]
    return "；".join(parts) if parts else "记录没有变化"
