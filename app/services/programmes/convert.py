"""Programmes written by the first release (format_version 1) read as format_version 2.

A school that never adjusted its copy simply gets the corrected preset (the migration does
that); this converter serves adjusted copies and old exported files, keeping every value the
school had and marking it as the school's own.
"""

from __future__ import annotations

from datetime import date
from typing import Any


def _rule(value: Any, on: bool = True, source: str = "（由旧版方案文件转换）") -> dict[str, Any]:
    return {"value": value, "on": on, "origin": "school", "source": source}


def from_v1(d: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    hours, school = d.get("hours") or {}, d.get("school") or {}
    ex, micro = d.get("exemptions") or {}, d.get("micro")
    rules: dict[str, dict] = {"cycle": _rule("school_year")}
    rules["hours.categories"] = _rule([{"key": c["key"], "min": c.get("min") or 0, "practice": bool(c.get("practice")),
                                        "note": c.get("note", "")} for c in hours.get("categories") or []])
    if hours.get("total_min"):
        rules["hours.total_min"] = _rule(hours["total_min"])
    if hours.get("practice_share_min"):
        rules["hours.practice_share"] = _rule(hours["practice_share_min"])
    if hours.get("topic_minimums"):
        rules["hours.topics"] = _rule([dict(t) for t in hours["topic_minimums"]])
    if hours.get("record_max"):
        rules["hours.record_max"] = _rule(hours["record_max"])
    rules["micro.enabled"] = _rule(micro is not None)
    if micro:
        if micro.get("min_points") or micro.get("max_points"):
            rules["micro.count"] = _rule({"min": micro.get("min_points"), "max": micro.get("max_points")})
        if micro.get("min_dimensions"):
            rules["micro.dimensions"] = _rule(micro["min_dimensions"])
        rules["micro.environment"] = _rule(micro.get("environment_rule") == "within")
        if micro.get("min_beyond_a_in_rich"):
            rules["micro.rich_beyond_a"] = _rule(micro["min_beyond_a_in_rich"])
    if d.get("teacher_items"):
        rules["teacher.items"] = _rule([{"title": i["title"], "kinds": list(i.get("kinds") or ["文档"])}
                                        for i in d["teacher_items"]])
    rules["grading.scale"] = _rule(dict(d.get("grading") or {"scale": ["优秀", "合格", "不合格"],
                                                             "pass": ["优秀", "合格"], "fail": "不合格"}))
    docs = [{"kind": k, "status": school.get("plan_status_required") or "已提交"}
            for k in school.get("plans_required") or []]
    if school.get("semester_plan_required"):
        docs.append({"kind": "学期培训计划", "status": "草稿"})
    if docs:
        rules["school.documents"] = _rule(docs)
    if school.get("teams_required"):
        rules["school.teams"] = _rule([{"kind": k} for k in school["teams_required"]])
    if school.get("first_responsible_required"):
        rules["school.first_responsible"] = _rule(True)
    if school.get("study_groups_required"):
        rules["school.study_groups"] = _rule({"leader": True, "size_about": school.get("study_group_size_max")})
    if school.get("courses"):
        c = school["courses"]
        rules["school.courses"] = _rule({"per_semester": c.get("min_per_semester"), "total_min": None,
                                         "hours_min": c.get("hours_min"), "hours_max": c.get("hours_max")})
    for old, new in (("assessment_required", "assessment.required"), ("support_required", "assessment.support")):
        if school.get(old):
            rules[new] = _rule(True)
    for old, new in (("pass_rate_min", "assessment.pass_rate"), ("excellent_share_min", "assessment.excellent_share"),
                     ("completion_rate_min", "school.completion_rate")):
        if school.get(old):
            rules[new] = _rule(school[old])
    if school.get("participation_min"):
        rules["school.participation"] = _rule(dict(school["participation_min"]))
    if school.get("deadlines"):
        rules["school.deadlines"] = _rule([{"title": x["title"], "month_day": x["month_day"],
                                            "kind": x.get("kind", "other")} for x in school["deadlines"]])
    if ex.get("retire_within_years"):
        rules["scope.retire_within"] = _rule({"years": ex["retire_within_years"],
                                              "reference_date": (today or date.today()).isoformat()})
    if ex.get("retired_before"):
        rules["scope.retired_before"] = _rule(ex["retired_before"])
    if ex.get("opt_out_document"):
        rules["scope.opt_out"] = _rule({"document": ex["opt_out_document"]})
    return {"format": "tisheng-programme", "format_version": 2, "id": d.get("id") or "custom",
            "name": d.get("name") or "自定义方案", "short": d.get("short", ""), "summary": d.get("summary", ""),
            "document": {"title": d["source"]} if d.get("source") else {},
            "notes": list(d.get("notes") or []), "rules": rules}
