"""Per-teacher requirements: hours, micro-abilities, documents, activities, assessment, 帮扶.

Each shortfall is reported once, on the rule that states it, with the sentence it comes from;
a teacher is complete exactly when no blocking finding names them (`passes`).
"""

from __future__ import annotations

from collections.abc import Iterator

from app.services.choices import rule_checks
from app.services.compliance.findings import BLOCKING, WARNING, Finding
from app.services.programmes import Rules
from app.services.snapshot import TeacherView


def fmt(x: float) -> str:
    return f"{round(x, 2):g}"


class _Say:
    """Findings about one teacher, each tied to its rule and 依据."""

    def __init__(self, v: TeacherView, rules: Rules) -> None:
        self.v, self.rules = v, rules

    def __call__(self, code: str, rule: str, message: str, action: str, page: str, *, element: str | None = None,
                 severity: str = BLOCKING, **kw) -> Finding:
        t = self.v.teacher
        return Finding(code, severity, f"{t.name}：{message}", action, page, t.id, t.name, rule=rule,
                       basis=self.rules.basis(rule, element), **kw)


def hours_findings(v: TeacherView, rules: Rules, say: _Say) -> Iterator[Finding]:
    h = v.hours
    need_by_cat: dict[str, float] = {}
    topic_short: dict[str, list[tuple[dict, float]]] = {}
    for tm in rules.topic_minimums:
        have = h.by_topic.get((tm["category"], tm["topic"]), 0.0)
        if have < tm["min"] - 1e-9:
            topic_short.setdefault(tm["category"], []).append((tm, have))
    out: list[Finding] = []
    for cat in rules.categories:
        key, need = cat["key"], float(cat.get("min") or 0)
        have = h.by_category.get(key, 0.0)
        short = max(0.0, need - have)
        topics = topic_short.get(key, [])
        topic_need = sum(tm["min"] - t_have for tm, t_have in topics)
        need_by_cat[key] = max(short, topic_need)
        parts = "，".join(f"其中“{tm['topic']}” {fmt(t_have)}/{fmt(tm['min'])}" for tm, t_have in topics)
        if short > 1e-9:
            out.append(say("hours.category", "hours.categories", f"{key}学时 {fmt(have)}/{fmt(need)}"
                           + (f"（{parts}）" if parts else ""),
                           f"补足{key}学时 {fmt(max(short, topic_need))} 学时（录入学时、导入平台学时或登记培训活动）",
                           "学时与活动", element=key, have=have, need=need, data={"category": key}))
        else:
            for tm, t_have in topics:
                out.append(say("hours.topic", "hours.topics", f"{key}中“{tm['topic']}” {fmt(t_have)}/{fmt(tm['min'])} 学时",
                               f"补足“{tm['topic']}”课程学时 {fmt(tm['min'] - t_have)} 学时（录入时在“专题”一栏注明）",
                               "学时与活动", element=tm["topic"], have=t_have, need=tm["min"],
                               data={"category": key, "topic": tm["topic"]}))
    covered = sum(need_by_cat.values())
    total_short = max(0.0, rules.total_min - h.total - covered) if rules.total_min else 0.0
    share, practice_short = rules.practice_share, 0.0
    if share:
        base = rules.total_min or h.total
        practice = sum(h.by_category.get(k, 0.0) for k in rules.practice_keys)
        practice_short = max(0.0, share * base - practice - sum(need_by_cat[k] for k in rules.practice_keys))
    label = "、".join(rules.practice_keys)
    if practice_short > 1e-9 and practice_short >= total_short - 1e-9:
        practice = sum(h.by_category.get(k, 0.0) for k in rules.practice_keys)
        need = round(share * (rules.total_min or h.total), 2)
        out.append(say("hours.practice_share", "hours.practice_share",
                       f"{label}学时 {fmt(practice)}/{fmt(need)}（应不少于应修学时的 {share:.0%}）",
                       f"增加{label}学时 {fmt(practice_short)} 学时", "学时与活动", have=practice, need=need))
    elif total_short > 1e-9:
        extra = f"，其中至少 {fmt(practice_short)} 学时须为{label}" if practice_short > 1e-9 else ""
        out.append(say("hours.total", "hours.total_min", f"总学时 {fmt(h.total)}/{fmt(rules.total_min)}",
                       (f"补足上述各类学时后还需 {fmt(total_short)} 学时" if covered else
                        f"还需 {fmt(total_short)} 学时") + extra, "学时与活动", have=h.total, need=rules.total_min))
    if out and h.excluded:
        why = "；".join(f"{fmt(x)} 学时{reason}" for reason, x in h.excluded.items())
        first = out[0]
        out[0] = Finding(**{**first.__dict__, "message": f"{first.message}（另有 {why}，未计入）"})
    yield from out


def micro_findings(v: TeacherView, rules: Rules, say: _Say, range_ready: bool) -> Iterator[Finding]:
    micro = rules.micro
    if micro is None:
        return
    if not range_ready:
        micro = {**micro, "range": None}
    for key, problem in rule_checks(micro, v.environment, v.points):
        yield say("micro.rule", key, problem, "在“微能力”页面为该教师调整能力点", "微能力",
                  have=len(v.points), need=micro.get("min_points"))


def evidence_findings(v: TeacherView, rules: Rules, say: _Say) -> Iterator[Finding]:
    for code, states in v.point_items.items():
        for st in states:
            if st.files == 0 and not st.grade:
                yield say("evidence.missing", "micro.enabled", f"{code} {st.item.title} 缺少证据",
                          "在“证据材料”页面上传该项证据", "证据材料", data={"point": code, "item_id": st.item.id})
    counts = {i["title"]: i.get("count", 1) for i in rules.teacher_items}
    for st in v.personal_items:
        need = counts.get(st.item.title, 1)
        if st.files < need and not st.grade:
            have = f" {st.files}/{need} 份" if need > 1 else ""
            yield say("evidence.personal", "teacher.items", f"缺少“{st.item.title}”{have}",
                      "在“证据材料”页面上传", "证据材料", element=st.item.title, have=st.files, need=need,
                      data={"item_id": st.item.id})


def activity_findings(v: TeacherView, rules: Rules, say: _Say, school_env: str, window) -> Iterator[Finding]:
    for a in rules.teacher_activities:
        if a.get("environments") and school_env not in a["environments"]:
            continue
        if a.get("who") == "participants" and not v.participates:
            continue
        done = sum(1 for kind, on in v.attended if kind in a["kinds"] and (window is None or window.holds(on)))
        if done < a["min"]:
            yield say("activity.count", "teacher.activities", f"{a['label']} {done}/{a['min']} 次",
                      f"开展并在“学时与活动”页面登记{a['label']}（活动类型：{'、'.join(a['kinds'])}），把该教师列为参加人员",
                      "学时与活动", element=a["label"], have=done, need=a["min"], data={"activity": a["label"]})


def assessment_findings(v: TeacherView, rules: Rules, say: _Say) -> Iterator[Finding]:
    if not rules.assessment_required:
        return
    fail = rules.grading["fail"]
    ungraded = [st for sts in v.point_items.values() for st in sts if st.files and not st.grade]
    ungraded += [st for st in v.personal_items if st.files and not st.grade]
    if ungraded:
        yield say("assessment.pending", "assessment.required", f"{len(ungraded)} 项证据尚未评定等级",
                  "在“校本考核”页面评定", "校本考核", have=0, need=len(ungraded))
    # A missing item already has its own finding; only a grade of 不合格 calls for re-assessment or 帮扶.
    graded_fail = v.result == fail and any(st.grade == fail for sts in [*v.point_items.values(), v.personal_items]
                                           for st in sts)
    if not rules.support_required:
        if graded_fail:
            yield say("assessment.failed", "assessment.required", "校本考核不合格",
                      "按学校考核方案补充或重新提交材料后复评", "校本考核")
        return
    open_support = next((r for r in v.supports if r.closed_on is None), None)
    if graded_fail and open_support is None:
        if v.supports and v.supports[-1].new_result == fail:
            msg = "帮扶后复评仍为不合格"
        else:
            msg = "校本考核不合格，尚未建立一对一帮扶记录"
        yield say("support.missing", "assessment.support", msg,
                  "建立一对一帮扶（帮扶人、计划、复评日期），帮扶后重新评定", "校本考核")
    elif open_support is not None:
        when = f"，复评日期 {open_support.reassess_on.isoformat()}" if open_support.reassess_on else ""
        yield say("support.open", "assessment.support", f"一对一帮扶尚未结束（帮扶人 {open_support.helper}{when}）",
                  "帮扶后重新评定证据，然后结束帮扶记录", "校本考核", record_id=open_support.id)


def opt_out_findings(v: TeacherView, rules: Rules, say: _Say) -> Iterator[Finding]:
    doc = rules.opt_out["document"]
    for st in v.personal_items:
        if st.files == 0:
            yield say("scope.opt_out", "scope.opt_out", f"已登记自愿不参加，尚未上传签字的{st.item.title}",
                      f"在“证据材料”页面上传该教师签字的{doc}", "证据材料", element=st.item.title,
                      data={"item_id": st.item.id})


def teacher_findings(v: TeacherView, rules: Rules, *, school_env: str = "多媒体", window=None,
                     range_ready: bool = True) -> list[Finding]:
    say = _Say(v, rules)
    if v.exempt_reason:
        return list(opt_out_findings(v, rules, say)) if v.opted_out else []
    out = list(hours_findings(v, rules, say))
    out += micro_findings(v, rules, say, range_ready)
    out += evidence_findings(v, rules, say)
    out += activity_findings(v, rules, say, school_env, window)
    out += assessment_findings(v, rules, say)
    if v.teacher.participation == "不参加" and rules.opt_out is None:
        out.append(say("scope.no_opt_out", "hours.total_min", "登记为“不参加”，但本方案没有自愿不参加的规定，仍按全员参训统计",
                       "如确实不参加，请在“教师”页面把状态改为免修并写明原因", "教师", severity=WARNING))
    return out


def passes(v: TeacherView, findings: list[Finding]) -> bool:
    """The one verdict: a teacher in the programme with no blocking finding is complete."""
    return v.exempt_reason is None and not any(f.is_blocking for f in findings)
