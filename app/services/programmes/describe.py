"""Each rule's value in one plain Chinese sentence (programme page, `programme show`, workbook, manual)."""

from __future__ import annotations

from typing import Any

from app.services.programmes.schema import WINDOW_KINDS


def pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


def num(x: float) -> str:
    return f"{x:g}"


def _md(md: str) -> str:
    month, day = md.split("-")
    return f"{int(month)}月{int(day)}日"


def _join(parts: list[str]) -> str:
    return "；".join(p for p in parts if p)


def describe(key: str, v: Any) -> str:
    f = _DESCRIBE.get(key)
    return f(v) if f else str(v)


def _categories(v):
    return "、".join(f"{c['key']}" + (f"≥{num(c['min'])}" if c.get("min") else "") + ("（实践类）" if c["practice"] else "")
                    for c in v)


def _window(v):
    if v["kind"] in ("period", "months"):
        start, end = (v["start"], v["end"]) if v["kind"] == "period" else (_md(v["start"]), _md(v["end"]))
        return f"只统计 {start} 至 {end} 的学时" + ("（每年）" if v["kind"] == "months" else "")
    return f"只统计本{WINDOW_KINDS[v['kind']].split('（')[0]}的学时"


def _count(v):
    lo, hi = v.get("min"), v.get("max")
    if lo and hi and lo == hi:
        return f"每人选 {lo} 个能力点"
    return _join([f"每人至少 {lo} 个能力点" if lo else "", f"最多 {hi} 个" if hi else ""])


def _items(v):
    out = []
    for i in v:
        n = f"{i['count']} 份" if i.get("count", 1) > 1 else ""
        who = "（不参加的教师）" if i.get("applies") == "opted_out" else ""
        out.append(f"{i['title']}{n}{who}")
    return "每人提交：" + "、".join(out)


def _activities(v):
    out = []
    for a in v:
        env = f"{'、'.join(a['environments'])}环境学校" if a.get("environments") else ""
        who = "参加校本研修的教师" if a.get("who") == "participants" else "每人"
        out.append(f"{env}{who}至少 {a['min']} 次{a['label']}")
    return _join(out)


def _documents(v):
    out = []
    for d in v:
        name = d.get("title") or d["kind"]
        when = f"，{_md(d['due'])}前" if d.get("due") else ""
        to = f"报{d['to']}" if d.get("to") else ""
        out.append(f"《{name}》{when}{to}{'' if d['status'] == '草稿' else '（' + d['status'] + '）'}")
    return "、".join(out)


def _courses(v):
    parts = []
    if v.get("per_semester"):
        parts.append(f"每学期至少 {v['per_semester']} 门")
    if v.get("total_min"):
        parts.append(f"合计至少 {v['total_min']} 门")
    if v.get("hours_min") is not None and v.get("hours_max") is not None:
        parts.append(f"每门 {num(v['hours_min'])}–{num(v['hours_max'])} 学时")
    return "，".join(parts)


_DESCRIBE = {
    "cycle": lambda v: "按自然年（1月1日起）计算" if v == "calendar_year" else "按学年（8月起）计算",
    "scope.staff_types": lambda v: f"{'、'.join(v)}教师必须参训，其他人员自愿",
    "scope.internal_retired_excluded": lambda v: "内退教师不参加" if v else "内退教师照常参训",
    "scope.retired_before": lambda v: f"{v} 前退休的教师可自愿参加",
    "scope.retire_within": lambda v: f"距退休不满 {v['years']} 年的教师不作要求（按 {v['reference_date']} 计算）",
    "scope.opt_out": lambda v: f"教师可自愿不参加，须交{v['document']}" + (f"（{v['kept_by']}留存）" if v.get("kept_by") else ""),
    "hours.categories": _categories,
    "hours.total_min": lambda v: f"每人不少于 {num(v)} 学时",
    "hours.practice_share": lambda v: f"实践类学时不少于应修学时的 {pct(v)}",
    "hours.topics": lambda v: "、".join(f"{t['category']}中“{t['topic']}”≥{num(t['min'])}" for t in v),
    "hours.window": _window,
    "hours.category_windows": lambda v: "、".join(f"{w['category']}学时只统计每年{_md(w['start'])}至{_md(w['end'])}" for w in v),
    "hours.elective_topic": lambda v: (f"{v['category']}学时须在学校选定的专题下：{'、'.join(v['chosen'])}" if v.get("chosen")
                                       else f"学校须从{'、'.join(v['choices'])}中选定{v['category']}专题（尚未选定）"),
    "hours.record_max": lambda v: f"单条学时记录不超过 {num(v)} 学时",
    "micro.enabled": lambda v: "教师选择微能力点并提交证据" if v else "不设微能力点",
    "micro.count": _count,
    "micro.dimensions": lambda v: f"能力点覆盖至少 {v} 个维度",
    "micro.environment": lambda v: "只能选本校（教学点）信息化环境内的能力点" if v else "不限环境",
    "micro.rich_beyond_a": lambda v: f"混合、智慧环境的教师至少选 {v} 个 B/C 类能力点",
    "micro.range": lambda v: (f"本校微能力提升范围：{'、'.join(v['codes'])}" if v.get("codes")
                              else "学校须确定本校的微能力提升范围（尚未确定）"),
    "teacher.items": _items,
    "teacher.activities": _activities,
    "grading.scale": lambda v: f"等级：{'、'.join(v['scale'])}，{'、'.join(v['pass'])}为合格",
    "assessment.required": lambda v: "学校对教师提交的成果进行校本应用考核" if v else "不要求校本考核",
    "assessment.pass_rate": lambda v: f"校本考核合格率不低于 {pct(v)}",
    "assessment.support": lambda v: "考核不合格的教师须一对一帮扶后复评" if v else "不要求一对一帮扶",
    "assessment.excellent_share": lambda v: f"优秀案例不少于教师数的 {pct(v)}",
    "school.documents": _documents,
    "school.teams": lambda v: "、".join(t.get("title") or t["kind"] for t in v),
    "school.first_responsible": lambda v: "校长为第一责任人" if v else "不要求指定第一责任人",
    "school.study_groups": lambda v: "建立学科研修组" + ("、每组设组长" if v.get("leader") else "")
                                     + (f"，每组 {v['size_about']} 人左右" if v.get("size_about") else ""),
    "school.courses": _courses,
    "school.participation": lambda v: "、".join(f"{e}环境学校参与度≥{pct(x)}" for e, x in v.items()),
    "school.completion_rate": lambda v: f"年度完成培训的教师不少于 {pct(v)}",
    "school.deadlines": lambda v: "、".join(f"{_md(d['month_day'])} {d['title']}" for d in v),
    "school.self_assessment": lambda v: f"按 {len(v)} 项考核要点自评（{'、'.join(dict.fromkeys(i['level1'] for i in v))}）",
}
