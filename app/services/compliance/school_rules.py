"""School-level requirements: documents, teams, groups, courses, rates, choices, self-assessment, deadlines."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from app.services.compliance.findings import BLOCKING, WARNING, Finding
from app.services.programmes.apply import DOCUMENT_KIND
from app.services.snapshot import Snapshot

STATUS_ORDER = {"草稿": 0, "已提交": 1, "已备案": 2}


def pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


class _Say:
    def __init__(self, snap: Snapshot) -> None:
        self.rules = snap.rules

    def __call__(self, code: str, rule: str, message: str, action: str, page: str, *, element: str | None = None,
                 severity: str = BLOCKING, **kw) -> Finding:
        return Finding(code, severity, f"学校：{message}", action, page, rule=rule,
                       basis=self.rules.basis(rule, element), **kw)


def plan_findings(snap: Snapshot, say: _Say) -> Iterator[Finding]:
    for d in snap.rules.documents:
        kind, name = d["kind"], d.get("title") or d["kind"]
        docs = [p for p in snap.plans if p.kind == kind]
        if not docs:
            yield say("plans.missing", "school.documents", f"缺少《{name}》",
                      f"在“方案与计划”页面添加《{name}》（类别：{kind}）并上传文件", "方案与计划",
                      element=kind, data={"kind": kind})
            continue
        best = max(docs, key=lambda p: STATUS_ORDER.get(p.status, 0))
        if STATUS_ORDER.get(best.status, 0) < STATUS_ORDER[d["status"]]:
            to = f"报{d['to']}" if d.get("to") else ""
            yield say("plans.status", "school.documents",
                      f"《{name}》尚未{to}{d['status'].removeprefix('已')}（当前：{best.status}）",
                      f"{to or '报送'}后把状态改为“{d['status']}”并填写日期", "方案与计划", element=kind,
                      record_id=best.id, data={"kind": kind})
        if not best.sha256:
            yield say("plans.file", "school.documents", f"《{name}》没有附上文件",
                      "上传文件，导出报送包时会一并封存", "方案与计划", element=kind, severity=WARNING,
                      record_id=best.id)


def team_findings(snap: Snapshot, say: _Say) -> Iterator[Finding]:
    by_kind = defaultdict(list)
    for t in snap.teams:
        by_kind[t.kind].append(t)
    for need in snap.rules.teams:
        kind, name = need["kind"], need.get("title") or need["kind"]
        shown = kind if name == kind else f"{name}（团队类型：{kind}）"
        teams = by_kind.get(kind, [])
        if not teams:
            yield say("teams.missing", "school.teams", f"尚未组建{shown}", f"在“团队”页面建立{shown}并添加成员",
                      "团队", element=kind, data={"kind": kind})
        elif not any(snap.members.get(t.id) for t in teams):
            yield say("teams.empty", "school.teams", f"{name}还没有成员", "添加成员及分工", "团队", element=kind,
                      record_id=teams[0].id)
    if snap.rules.first_responsible and not any(m.is_first_responsible for ms in snap.members.values() for m in ms):
        where = next((t.get("title") or t["kind"] for t in snap.rules.teams), "")
        yield say("teams.first_responsible", "school.first_responsible", "尚未指定第一责任人（校长）",
                  f"在“团队”页面把校长加入{where or '学校的领导团队'}并设为第一责任人", "团队")


def group_findings(snap: Snapshot, say: _Say) -> Iterator[Finding]:
    rule = snap.rules.study_groups
    if not rule:
        return
    if not snap.groups:
        yield say("groups.missing", "school.study_groups", "尚未建立学科研修组", "在“团队”页面按学科建立研修组并指定组长",
                  "团队")
        return
    about = rule.get("size_about")
    counts = defaultdict(int)
    for v in snap.active:
        if v.teacher.group_id:
            counts[v.teacher.group_id] += 1
    for g in snap.groups:
        if rule.get("leader") and not g.leader_id:
            yield say("groups.leader", "school.study_groups", f"学科研修组“{g.name}”未指定组长", "指定组长", "团队",
                      record_id=g.id)
        if about and counts[g.id] > math.ceil(about * 1.5):
            yield say("groups.size", "school.study_groups", f"学科研修组“{g.name}”有 {counts[g.id]} 人，"
                      f"文件要求每组 {about} 人左右", "拆分研修组", "团队", severity=WARNING, record_id=g.id,
                      have=counts[g.id], need=about)
    ungrouped = [v for v in snap.active if not v.teacher.group_id]
    if ungrouped:
        names = "、".join(v.teacher.name for v in ungrouped[:5]) + ("等" if len(ungrouped) > 5 else "")
        yield say("groups.ungrouped", "school.study_groups", f"{len(ungrouped)} 位教师未加入学科研修组（{names}）",
                  "在“教师”页面为他们选择研修组", "教师", severity=WARNING, have=len(ungrouped))


def course_findings(snap: Snapshot, say: _Say) -> Iterator[Finding]:
    rule = snap.rules.courses
    if not rule:
        return
    by_sem = defaultdict(list)
    for c in snap.courses:
        by_sem[c.semester or "未注明学期"].append(c)
    per, total = rule.get("per_semester"), rule.get("total_min")
    if total and len(snap.courses) < total:
        yield say("courses.count", "school.courses", f"校本研修课程共 {len(snap.courses)}/{total} 门",
                  "申报并实施校本研修课程" + (f"（每学期 {per} 门）" if per else ""), "学时与活动",
                  have=len(snap.courses), need=total)
    elif per and not snap.courses:
        yield say("courses.count", "school.courses", f"本学期校本研修课程 0/{per} 门", "申报并实施校本研修课程",
                  "学时与活动", have=0, need=per)
    for sem, courses in sorted(by_sem.items()):
        if per and len(courses) < per:
            yield say("courses.semester", "school.courses", f"{sem}校本研修课程 {len(courses)}/{per} 门",
                      "申报并实施校本研修课程", "学时与活动", have=len(courses), need=per)
        lo, hi = rule.get("hours_min"), rule.get("hours_max")
        for c in courses:
            if (lo is not None and c.hours < lo) or (hi is not None and c.hours > hi):
                want = (f"{lo:g}–{hi:g}" if lo is not None and hi is not None
                        else f"不少于 {lo:g}" if lo is not None else f"不超过 {hi:g}")
                yield say("courses.hours", "school.courses",
                          f"校本研修课程《{c.title}》为 {c.hours:g} 学时，应为 {want} 学时",
                          "调整课程学时", "学时与活动", record_id=c.id, have=c.hours, need=lo)


def rate_findings(snap: Snapshot, passing: dict[int, bool], say: _Say) -> Iterator[Finding]:
    rules = snap.rules
    active = snap.active
    n = len(active)
    if n == 0:
        return
    env = snap.school.environment if snap.school else "多媒体"
    part = rules.participation.get(env)
    if part:
        joined = sum(1 for v in active if v.participates)
        if joined < part * n - 1e-9:
            yield say("rate.participation", "school.participation",
                      f"校本研修参与度 {pct(joined / n)}（{joined}/{n}），{env}环境学校应不少于 {pct(part)}",
                      "组织更多教师参加校本研修课程或研修活动，并登记参加人员", "学时与活动", element=None,
                      have=joined, need=math.ceil(part * n - 1e-9))
    done = sum(1 for v in active if passing.get(v.teacher.id))
    comp = rules.completion_rate
    if comp and done < comp * n - 1e-9:
        yield say("rate.completion", "school.completion_rate",
                  f"已完成培训 {done}/{n} 人（{pct(done / n)}），年度目标不少于 {pct(comp)}",
                  "督促未完成的教师补足学时和材料", "首页", severity=WARNING, have=done, need=math.ceil(comp * n - 1e-9))
    fail = rules.grading["fail"]
    assessed = [v for v in active if v.result in rules.scale]
    if rules.pass_rate and assessed:
        passed = sum(1 for v in assessed if v.result != fail)
        if passed < rules.pass_rate * len(assessed) - 1e-9:
            yield say("rate.pass", "assessment.pass_rate",
                      f"校本考核合格率 {pct(passed / len(assessed))}（{passed}/{len(assessed)}），应达到 {pct(rules.pass_rate)}",
                      "对不合格教师帮扶并复评" if rules.support_required else "对不合格教师补充材料后复评", "校本考核",
                      have=passed, need=math.ceil(rules.pass_rate * len(assessed) - 1e-9))
    share = rules.excellent_share
    if share:
        cases = sum(len(v.cases) for v in active)
        need = math.ceil(share * n - 1e-9)
        if cases < need:
            yield say("rate.excellent", "assessment.excellent_share",
                      f"优秀案例 {cases} 个，占教师数 {pct(cases / n)}，应不低于 {pct(share)}（至少 {need} 个）",
                      "在“校本考核”页面把考核优秀的成果标记为优秀案例", "校本考核", have=cases, need=need)


def choice_findings(snap: Snapshot, say: _Say) -> Iterator[Finding]:
    """What the school itself must choose: its micro-ability range, its elective topic."""
    rules = snap.rules
    if rules.micro is not None and rules.is_on("micro.range") and not rules.value("micro.range")["codes"]:
        yield say("choice.range", "micro.range", "尚未确定本校的微能力提升范围",
                  "在“项目方案”页面选中“学校的微能力提升范围”，点“修改…”选定（教师在范围内选点）", "项目方案")
    topic = rules.elective_topic
    if topic and not topic.get("chosen"):
        yield say("choice.elective", "hours.elective_topic", f"尚未选定年度{topic['category']}专题",
                  f"在“项目方案”页面选中“学校选定的选修专题”，点“修改…”从{'、'.join(topic['choices'])}中选定",
                  "项目方案")


def self_assessment_findings(snap: Snapshot, entries: dict[str, str], say: _Say) -> Iterator[Finding]:
    items = snap.rules.self_assessment
    todo = [i for i in items if i["key"] not in entries]
    if todo:
        names = "、".join(f"{i['key']} {i['level2']}" for i in todo[:4]) + ("等" if len(todo) > 4 else "")
        yield say("self.pending", "school.self_assessment", f"按考核要点自评还有 {len(todo)}/{len(items)} 项未填写（{names}）",
                  "在“方案与计划”页面的“学校自评”中逐项填写", "方案与计划", have=len(items) - len(todo), need=len(items))


def met_deadline_kinds(rules, plans) -> dict[str, date | None]:
    """Deadline kinds the records themselves show as done, with the day they were done where known:
    a document filed (the day it reached the status its rule asks), an elective topic chosen."""
    need = {d["kind"]: d["status"] for d in rules.documents}
    met: dict[str, date | None] = {}
    for p in plans:
        want = need.get(p.kind, "草稿")
        if STATUS_ORDER.get(p.status, 0) < STATUS_ORDER.get(want, 0):
            continue
        day = p.filed_on if want == "已备案" else (p.submitted_on or p.filed_on)
        key = DOCUMENT_KIND + p.kind
        if key not in met or (day and (met[key] is None or day < met[key])):
            met[key] = day
    topic = rules.elective_topic
    if topic and topic.get("chosen"):
        met["elective"] = None
    return met


def deadline_findings(snap: Snapshot, say: _Say) -> Iterator[Finding]:
    met = met_deadline_kinds(snap.rules, snap.plans)
    for d in snap.deadlines:
        done = d.done_on is not None or d.kind in met
        if not done and d.due_on < snap.today:
            yield say("deadline.passed", "school.deadlines", f"已过截止日期 {d.due_on.isoformat()}：{d.title}",
                      "尽快完成并向上级说明；完成后在“方案与计划”页面标记为已完成", "方案与计划", severity=WARNING,
                      record_id=d.id, data={"due_on": d.due_on.isoformat()})


def hours_data_findings(snap: Snapshot, say: _Say) -> Iterator[Finding]:
    flt = snap.hours_filter
    if flt is None or (flt.window is None and not flt.category_windows):
        return
    undated = [v for v in snap.active if v.hours.undated]
    if undated:
        n = sum(v.hours.undated for v in undated)
        yield say("hours.undated", "hours.window", f"{len(undated)} 位教师的 {n} 条学时记录没有日期，已计入，"
                  "但无法确认是否在统计期内", "在“学时与活动”页面补上日期", "学时与活动", severity=WARNING, have=n)
    w = flt.window
    if w and snap.rules.window and snap.rules.window["kind"] == "period" and w.end < snap.today:
        yield say("hours.period_over", "hours.window", f"方案规定的培训时间（{w.label}）已经结束，只统计这一期间的学时",
                  "如本区县另有安排，请在“项目方案”页面修改“学时统计期”", "项目方案", severity=WARNING)


def roster_findings(snap: Snapshot) -> Iterator[Finding]:
    if not snap.teachers:
        yield Finding("roster.empty", BLOCKING, "学校：尚未录入教师", "在“教师”页面添加教师或导入花名册", "教师")
    for v in snap.teachers:
        if not v.teacher.id_number:
            yield Finding("roster.id_missing", WARNING, f"{v.teacher.name}：未登记身份证号", "补录身份证号", "教师",
                          v.teacher.id, v.teacher.name)
