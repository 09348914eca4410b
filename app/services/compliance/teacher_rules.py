"""Per-teacher requirements: hours, micro-abilities, evidence, assessment, 帮扶."""

from __future__ import annotations

from collections.abc import Iterator

from app.services import grading
from app.services.choices import rule_problems
from app.services.compliance.findings import BLOCKING, Finding
from app.services.programmes import Rules
from app.services.snapshot import TeacherView


def fmt(x: float) -> str:
    return f"{x:g}"


def hours_findings(v: TeacherView, rules: Rules) -> Iterator[Finding]:
    name, tid = v.teacher.name, v.teacher.id
    have_total = v.hours.total
    for cat in rules.categories:
        need = float(cat.get("min") or 0)
        have = v.hours.by_category.get(cat["key"], 0.0)
        if need and have < need:
            yield Finding("hours.category", BLOCKING, f"{name}：{cat['key']}学时 {fmt(have)}/{fmt(need)}",
                          f"补足{cat['key']}学时 {fmt(need - have)} 学时（录入学时、导入平台学时或登记培训活动）",
                          "学时与活动", tid, name, have=have, need=need, data={"category": cat["key"]})
    for tm in rules.topic_minimums:
        have = v.hours.by_topic.get((tm["category"], tm["topic"]), 0.0)
        if have < tm["min"]:
            yield Finding("hours.topic", BLOCKING,
                          f"{name}：{tm['category']}中“{tm['topic']}” {fmt(have)}/{fmt(tm['min'])} 学时",
                          f"补足“{tm['topic']}”课程学时（录入时在“专题”一栏注明）", "学时与活动", tid, name,
                          have=have, need=tm["min"], data={"category": tm["category"], "topic": tm["topic"]})
    if rules.total_min and have_total < rules.total_min:
        yield Finding("hours.total", BLOCKING, f"{name}：总学时 {fmt(have_total)}/{fmt(rules.total_min)}",
                      f"还需 {fmt(rules.total_min - have_total)} 学时", "学时与活动", tid, name,
                      have=have_total, need=rules.total_min)
    share = rules.practice_share_min
    if share and rules.practice_keys:
        practice = sum(v.hours.by_category.get(k, 0.0) for k in rules.practice_keys)
        base = max(have_total, rules.total_min)
        if base and practice < share * base - 1e-9:
            label = "、".join(rules.practice_keys)
            yield Finding("hours.practice_share", BLOCKING,
                          f"{name}：{label}学时 {fmt(practice)}/{fmt(round(share * base, 2))}"
                          f"（应不少于总学时的 {share:.0%}）",
                          f"增加{label}学时 {fmt(round(share * base - practice, 2))} 学时", "学时与活动", tid,
                          name, have=practice, need=round(share * base, 2))


def micro_findings(v: TeacherView, rules: Rules) -> Iterator[Finding]:
    if rules.micro is None:
        return
    name, tid = v.teacher.name, v.teacher.id
    for problem in rule_problems(rules.micro, v.environment, v.points):
        yield Finding("micro.rule", BLOCKING, f"{name}：{problem}",
                      "在“微能力”页面为该教师调整能力点", "微能力", tid, name,
                      have=len(v.points), need=rules.micro.get("min_points"))


def evidence_findings(v: TeacherView) -> Iterator[Finding]:
    name, tid = v.teacher.name, v.teacher.id
    for code, states in v.point_items.items():
        for st in states:
            if st.files == 0 and not st.grade:
                yield Finding("evidence.missing", BLOCKING, f"{name}：{code} {st.item.title} 缺少证据",
                              "在“证据材料”页面上传该项证据", "证据材料", tid, name,
                              data={"point": code, "item_id": st.item.id})
    for st in v.personal_items:
        if st.files == 0 and not st.grade:
            yield Finding("evidence.personal", BLOCKING, f"{name}：缺少“{st.item.title}”",
                          "在“证据材料”页面上传", "证据材料", tid, name, data={"item_id": st.item.id})


def assessment_findings(v: TeacherView, rules: Rules) -> Iterator[Finding]:
    school = rules.school
    name, tid = v.teacher.name, v.teacher.id
    fail = rules.grading["fail"]
    if school.get("assessment_required"):
        ungraded = [st for sts in v.point_items.values() for st in sts if st.files and not st.grade]
        ungraded += [st for st in v.personal_items if st.files and not st.grade]
        if ungraded:
            yield Finding("assessment.pending", BLOCKING, f"{name}：{len(ungraded)} 项证据尚未评定等级",
                          "在“校本考核”页面评定", "校本考核", tid, name, have=0, need=len(ungraded))
    if not school.get("support_required"):
        return
    open_support = next((r for r in v.supports if r.closed_on is None), None)
    if v.result == fail and open_support is None:
        if v.supports and v.supports[-1].new_result == fail:
            msg = f"{name}：帮扶后复评仍为不合格"
        else:
            msg = f"{name}：校本考核不合格，尚未建立一对一帮扶记录"
        yield Finding("support.missing", BLOCKING, msg,
                      "建立一对一帮扶（帮扶人、计划、复评日期），帮扶后重新评定", "校本考核", tid, name)
    elif open_support is not None:
        when = f"，复评日期 {open_support.reassess_on.isoformat()}" if open_support.reassess_on else ""
        yield Finding("support.open", BLOCKING, f"{name}：一对一帮扶尚未结束（帮扶人 {open_support.helper}{when}）",
                      "帮扶后重新评定证据，然后结束帮扶记录", "校本考核", tid, name,
                      record_id=open_support.id)


def teacher_findings(v: TeacherView, rules: Rules) -> list[Finding]:
    if v.exempt_reason:
        return []
    out = list(hours_findings(v, rules))
    out += micro_findings(v, rules)
    out += evidence_findings(v)
    out += assessment_findings(v, rules)
    return out


def passes(v: TeacherView, rules: Rules, findings: list[Finding]) -> bool:
    """A teacher meets the programme: no blocking finding and (where graded) a passing result."""
    if v.exempt_reason:
        return False
    if any(f.is_blocking for f in findings):
        return False
    if v.result in (grading.NOT_CHOSEN, "—"):
        return rules.micro is None
    return v.result in rules.grading["pass"]
