"""The district's re-check: the same engine on the bundle's records, the district's own programme."""

from __future__ import annotations

import copy
import json

from app.services.bundle.records import build_plan
from app.services.compliance import run_check
from app.services.district.recheck import recheck
from app.services.programmes import load_preset
from app.services.programmes.adjust import set_rule
from tests.district.conftest import small_school


def _doc(ws):
    """bundle.json as the exporter builds it (records + the school's own compliance)."""
    from app.services.bundle.records import bundle_json_bytes
    plan = build_plan(ws)
    report = run_check(ws)
    extra = {"exported_at": "2026-12-06T10:00:00+08:00", "compliance": dict(report.to_dict(), checked=True)}
    return json.loads(bundle_json_bytes(plan, extra=extra, files=plan.files))


def test_the_schools_own_programme_reproduces_its_findings(tmp_path):
    ws = small_school(tmp_path / "s", "S1", "一小", teachers=4)
    try:
        doc = _doc(ws)
    finally:
        ws.close()
    result = recheck(doc, doc["programme"]["rules"])
    assert result["ok"] and result["differences"] == 0
    assert not result["only_district"] and not result["only_school"] and not result["verdicts"]
    assert result["summary"]["meeting_all"] == doc["compliance"]["summary"]["meeting_all"]


def test_a_relaxed_rule_is_flagged(tmp_path):
    from app.services.teachers import list_teachers
    ws = small_school(tmp_path / "s", "S1", "一小", teachers=3)
    try:
        t = list_teachers(ws)[0]
        set_rule(ws, "hours.total_min", 40, note="本校放宽")
        doc = _doc(ws)
    finally:
        ws.close()
    for h in doc["hours"]:                       # teacher 1: 60 hours become 45 (between 40 and 50)
        if h["teacher_id"] == t.id and h["category"] == "网络研修":
            h["hours"] = 15.0
    theirs = recheck(doc, doc["programme"]["rules"])
    ours = recheck(doc, load_preset("national-2.0"))
    assert not any(f["code"] == "hours.total" for f in theirs["only_district"])
    assert [d["key"] for d in ours["school_programme"]["rule_differences"]] == ["hours.total_min"]
    assert any(f["code"] == "hours.total" and f["teacher_id"] == t.id for f in ours["only_district"])


def test_masked_retirement_uses_the_year_and_names_the_undecidable(tmp_path):
    """ningde: 距退休不满5年（按 2016-03-15 计算）— the limit is 2021-03-15."""
    ws = small_school(tmp_path / "s", "S1", "一小", teachers=3, programme="ningde-2016")
    try:
        doc = _doc(ws)
    finally:
        ws.close()
    assert all("*" in t["id_number"] for t in doc["teachers"])           # masked
    years = [2019, 2021, 2030]
    for t, y in zip(doc["teachers"], years):
        t["retirement_year"] = y
    doc["compliance"]["exempt"] = [{"teacher_id": doc["teachers"][1]["id"], "reason": "距退休不满5年"}]
    result = recheck(doc, load_preset("ningde-2016"))
    assert result["ok"], result["error"]
    assert result["summary"]["exempt"] == 2          # 2019: before the limit; 2021: the school's verdict
    assert any("同年" in n and doc["teachers"][1]["name"] in n for n in result["notes"])
    doc["compliance"]["exempt"] = []                 # the school found the 2021 teacher still required
    assert recheck(doc, load_preset("ningde-2016"))["summary"]["exempt"] == 1


def test_records_that_cannot_be_loaded_are_reported_not_raised():
    result = recheck({"format": "tisheng-bundle", "school": "oops", "teachers": []}, load_preset("national-2.0"))
    assert not result["ok"] and result["error"]
    result = recheck({"format": "tisheng-bundle", "school": {"name": "x", "code": "x", "environment": "混合"},
                      "teachers": [{"id": 1, "name": "甲", "created_at": "not a date"}]}, load_preset("national-2.0"))
    assert not result["ok"] and "无法识别" in result["error"]
