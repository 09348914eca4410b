"""School-level requirements: plans, teams, groups, courses, rates, deadlines."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

from app.services.compliance.findings import BLOCKING, WARNING, Finding
from app.services.snapshot import Snapshot

STATUS_ORDER = {"草稿": 0, "已提交": 1, "已备案": 2}


def pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


def plan_findings(snap: Snapshot) -> Iterator[Finding]:
    school = snap.rules.school
    need_status = school.get("plan_status_required") or "已提交"
    required = list(school.get("plans_required") or [])
    if school.get("semester_plan_required"):
        required.append("学期培训计划")
    for kind in required:
        docs = [p for p in snap.plans if p.kind == kind]
        if not docs:
            yield Finding("plans.missing", BLOCKING, f"学校：缺少《{kind}》",
                          f"在“方案与计划”页面添加《{kind}》并上传文件", "方案与计划", data={"kind": kind})
            continue
        best = max(docs, key=lambda p: STATUS_ORDER.get(p.status, 0))
        if STATUS_ORDER.get(best.status, 0) < STATUS_ORDER[need_status]:
            yield Finding("plans.status", BLOCKING, f"学校：《{kind}》尚未{need_status.removeprefix('已')}（当前：{best.status}）",
                          f"报送后把状态改为“{need_status}”并填写日期", "方案与计划", record_id=best.id,
                          data={"kind": kind})
        if not best.sha256:
            yield Finding("plans.file", WARNING, f"学校：《{kind}》没有附上文件",
                          "上传方案文件，导出报送包时会一并封存", "方案与计划", record_id=best.id)


def team_findings(snap: Snapshot) -> Iterator[Finding]:
    school = snap.rules.school
    by_kind = defaultdict(list)
    for t in snap.teams:
        by_kind[t.kind].append(t)
    for kind in school.get("teams_required") or []:
        teams = by_kind.get(kind, [])
        if not teams:
            yield Finding("teams.missing", BLOCKING, f"学校：尚未组建{kind}", f"在“团队”页面建立{kind}并添加成员",
                          "团队", data={"kind": kind})
            continue
        if not any(snap.members.get(t.id) for t in teams):
            yield Finding("teams.empty", BLOCKING, f"学校：{kind}还没有成员", "添加成员及分工", "团队",
                          record_id=teams[0].id)
        if kind == "校级管理团队" and school.get("first_responsible_required") and not any(
                m.is_first_responsible for t in teams for m in snap.members.get(t.id, [])):
            yield Finding("teams.first_responsible", BLOCKING, "学校：校级管理团队未指定第一责任人（校长）",
                          "把校长设为第一责任人", "团队", record_id=teams[0].id)


def group_findings(snap: Snapshot) -> Iterator[Finding]:
    school = snap.rules.school
    if not school.get("study_groups_required"):
        return
    if not snap.groups:
        yield Finding("groups.missing", BLOCKING, "学校：尚未建立学科研修组", "在“团队”页面按学科建立研修组并指定组长",
                      "团队")
        return
    size_max = school.get("study_group_size_max")
    counts = defaultdict(int)
    for v in snap.active:
        if v.teacher.group_id:
            counts[v.teacher.group_id] += 1
    for g in snap.groups:
        if not g.leader_id:
            yield Finding("groups.leader", BLOCKING, f"学校：学科研修组“{g.name}”未指定组长", "指定组长", "团队",
                          record_id=g.id)
        if size_max and counts[g.id] > size_max:
            yield Finding("groups.size", WARNING, f"学校：学科研修组“{g.name}”有 {counts[g.id]} 人，"
                          f"建议每组不超过 {size_max} 人", "拆分研修组", "团队", record_id=g.id,
                          have=counts[g.id], need=size_max)
    ungrouped = [v for v in snap.active if not v.teacher.group_id]
    if ungrouped:
        names = "、".join(v.teacher.name for v in ungrouped[:5]) + ("等" if len(ungrouped) > 5 else "")
        yield Finding("groups.ungrouped", WARNING, f"学校：{len(ungrouped)} 位教师未加入学科研修组（{names}）",
                      "在“教师”页面为他们选择研修组", "教师", have=len(ungrouped))


def course_findings(snap: Snapshot) -> Iterator[Finding]:
    rule = snap.rules.school.get("courses")
    if not rule:
        return
    by_sem = defaultdict(list)
    for c in snap.courses:
        by_sem[c.semester or "未注明学期"].append(c)
    if not by_sem:
        yield Finding("courses.count", BLOCKING, f"学校：校本研修课程 0/{rule['min_per_semester']} 门（本学期）",
                      "申报并实施校本研修课程", "学时与活动", have=0, need=rule["min_per_semester"])
    for sem, courses in sorted(by_sem.items()):
        if len(courses) < rule["min_per_semester"]:
            yield Finding("courses.count", BLOCKING,
                          f"学校：{sem}校本研修课程 {len(courses)}/{rule['min_per_semester']} 门",
                          "申报并实施校本研修课程", "学时与活动", have=len(courses), need=rule["min_per_semester"])
        for c in courses:
            if not rule["hours_min"] <= c.hours <= rule["hours_max"]:
                yield Finding("courses.hours", BLOCKING,
                              f"学校：校本研修课程《{c.title}》为 {c.hours:g} 学时，"
                              f"应为 {rule['hours_min']}–{rule['hours_max']} 学时",
                              "调整课程学时", "学时与活动", record_id=c.id, have=c.hours, need=rule["hours_min"])


def rate_findings(snap: Snapshot, passing: dict[int, bool]) -> Iterator[Finding]:
    school = snap.rules.school
    active = snap.active
    n = len(active)
    if n == 0:
        return
    env = snap.school.environment if snap.school else "多媒体"
    part = (school.get("participation_min") or {}).get(env)
    if part:
        joined = sum(1 for v in active if v.activities > 0)
        if joined < part * n - 1e-9:
            yield Finding("rate.participation", BLOCKING,
                          f"学校：校本研修参与度 {pct(joined / n)}（{joined}/{n}），{env}环境学校应不少于 {pct(part)}",
                          "组织更多教师参加校本研修活动并登记参加人员", "学时与活动", have=joined,
                          need=math.ceil(part * n))
    done = sum(1 for v in active if passing.get(v.teacher.id))
    comp = school.get("completion_rate_min")
    if comp and done < comp * n - 1e-9:
        yield Finding("rate.completion", WARNING,
                      f"学校：已完成培训 {done}/{n} 人（{pct(done / n)}），年度目标不少于 {pct(comp)}",
                      "督促未完成的教师补足学时", "首页", have=done, need=math.ceil(comp * n))
    pass_min = school.get("pass_rate_min")
    fail = snap.rules.grading["fail"]
    assessed = [v for v in active if v.result in snap.rules.scale]
    if pass_min and assessed and school.get("assessment_required"):
        passed = sum(1 for v in assessed if v.result != fail)
        if passed < pass_min * len(assessed) - 1e-9:
            yield Finding("rate.pass", BLOCKING,
                          f"学校：校本考核合格率 {pct(passed / len(assessed))}（{passed}/{len(assessed)}），"
                          f"应达到 {pct(pass_min)}", "对不合格教师开展一对一帮扶并复评", "校本考核",
                          have=passed, need=len(assessed))
    share = school.get("excellent_share_min")
    if share:
        cases = sum(len(v.cases) for v in active)
        need = math.ceil(share * n - 1e-9)
        if cases < need:
            yield Finding("rate.excellent", BLOCKING,
                          f"学校：优秀案例 {cases} 个，占教师数 {pct(cases / n)}，应不低于 {pct(share)}（至少 {need} 个）",
                          "在“校本考核”页面把考核优秀的成果标记为优秀案例", "校本考核", have=cases, need=need)


def deadline_findings(snap: Snapshot, plans_ok: bool) -> Iterator[Finding]:
    for d in snap.deadlines:
        done = d.done_on is not None or (d.kind == "plans_filed" and plans_ok)
        if not done and d.due_on < snap.today:
            yield Finding("deadline.passed", WARNING, f"学校：已过截止日期 {d.due_on.isoformat()}：{d.title}",
                          "尽快完成并向上级说明；完成后在“方案与计划”页面标记为已完成", "方案与计划",
                          record_id=d.id, data={"due_on": d.due_on.isoformat()})


def roster_findings(snap: Snapshot) -> Iterator[Finding]:
    if not snap.teachers:
        yield Finding("roster.empty", BLOCKING, "学校：尚未录入教师", "在“教师”页面添加教师或导入花名册", "教师")
    for v in snap.teachers:
        if not v.teacher.id_number:
            yield Finding("roster.id_missing", WARNING, f"{v.teacher.name}：未登记身份证号", "补录身份证号", "教师",
                          v.teacher.id, v.teacher.name)
