"""The data layer of the forms: the database (through the Snapshot and the
compliance engine, the one implementation of every rule) → frozen DTOs.

Nothing here knows about PDF. `gather(ws, ...)` returns a FormSet; the
renderers in this package print it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from sqlmodel import col, select

from app.errors import NotFoundError, ValidationError
from app.models import EvidenceFile
from app.services import grading
from app.services.cli_hints import INIT_HINT, NO_SCHOOL
from app.services.compliance import run_on_snapshot
from app.services.forms.dto import (KIND_KEY, KIND_NOTICE, KIND_PERSONAL, KIND_SUMMARY, KINDS,
                                    CourseLine, FormSet, HoursLine, HoursSummaryLine, ItemLine,
                                    KeyForm, Metric, NoticeForm, NoticeRow, PlanLine, PointBlock,
                                    SchoolInfo, SummaryForm, TeacherForm, TeamLine)
from app.services.programmes import Rules
from app.services.snapshot import Snapshot, TeacherView, load
from app.services.validation import mask_id_number

KIND_ALIASES = {"personal": KIND_PERSONAL, "teacher": KIND_PERSONAL, "summary": KIND_SUMMARY,
                "school": KIND_SUMMARY, "notice": KIND_NOTICE, "key": KIND_KEY,
                "个人签字确认表": KIND_PERSONAL, "教师个人签字确认表": KIND_PERSONAL,
                "学校汇总确认表": KIND_SUMMARY, "汇总确认表": KIND_SUMMARY, "公示表": KIND_NOTICE,
                "校本考核结果公示表": KIND_NOTICE, "密钥登记表": KIND_KEY}


def normalize_kind(kind: str | None) -> str | None:
    if kind is None or not str(kind).strip():
        return None
    k = str(kind).strip()
    k = KIND_ALIASES.get(k.lower(), KIND_ALIASES.get(k, k))
    if k not in KINDS:
        raise ValidationError(f"没有“{kind}”这种表。可选：{'、'.join(KINDS)}。", field="kind")
    return k


_PERIOD_SPLIT = re.compile(r"\s*(?:~|～|至|到|—|–|--|,|，|\s)\s*")


def parse_period(text: str | None) -> tuple[date | None, date | None]:
    """'2026-12-01~2026-12-07' (also 至/到/～) → (start, end)."""
    from app.services.validation import parse_date
    if text is None or not str(text).strip():
        return None, None
    parts = [p for p in _PERIOD_SPLIT.split(str(text).strip()) if p]
    if len(parts) != 2:
        raise ValidationError(f"公示期“{text}”的格式不对，应写成“2026-12-01~2026-12-07”。", field="period")
    start = parse_date(parts[0], field="公示开始日期", required=True)
    end = parse_date(parts[1], field="公示结束日期", required=True)
    if end < start:
        raise ValidationError(f"公示期的结束日期（{end}）早于开始日期（{start}）。", field="period")
    if (end - start).days > 60:
        raise ValidationError(f"公示期长达 {(end - start).days + 1} 天，请检查日期。", field="period")
    return start, end


def fmt_num(x: float | int | None) -> str:
    if x is None:
        return ""
    return f"{round(float(x), 2):g}"


def pct(x: float) -> str:
    return f"{x * 100:.1f}%".replace(".0%", "%")


def _strip_name(message: str, name: str) -> str:
    prefix = f"{name}："
    return message[len(prefix):] if message.startswith(prefix) else message


# --------------------------------------------------------------------------- per teacher


def _hours_lines(v: TeacherView, rules: Rules, findings) -> tuple[HoursLine, ...]:
    short_cats = {f.data.get("category") for f in findings if f.code == "hours.category"}
    short_topics = {(f.data.get("category"), f.data.get("topic")) for f in findings if f.code == "hours.topic"}
    codes = {f.code for f in findings}
    out = []
    for cat in rules.categories:
        need = float(cat.get("min") or 0)
        have = v.hours.by_category.get(cat["key"], 0.0)
        out.append(HoursLine(cat["key"], f"≥{fmt_num(need)}" if need else "—", fmt_num(have),
                             (cat["key"] not in short_cats) if need else None))
    for tm in rules.topic_minimums:
        have = v.hours.by_topic.get((tm["category"], tm["topic"]), 0.0)
        out.append(HoursLine(f"其中：{tm['topic']}", f"≥{fmt_num(tm['min'])}", fmt_num(have),
                             (tm["category"], tm["topic"]) not in short_topics))
    total = v.hours.total
    out.append(HoursLine("总学时", f"≥{fmt_num(rules.total_min)}" if rules.total_min else "—", fmt_num(total),
                         ("hours.total" not in codes) if rules.total_min else None))
    share = rules.practice_share
    if share:
        practice = sum(v.hours.by_category.get(k, 0.0) for k in rules.practice_keys)
        need = share * (rules.total_min or total)
        out.append(HoursLine(f"{'、'.join(rules.practice_keys)}学时（≥应修的{pct(share)}）", f"≥{fmt_num(round(need, 2))}",
                             fmt_num(practice), "hours.practice_share" not in codes))
    return tuple(out)


def _result_note(v: TeacherView, rules: Rules) -> str:
    if v.exempt_reason:
        return ""
    if not v.supports:
        return ""
    last = v.supports[-1]
    if last.closed_on is None:
        when = f"，计划 {last.reassess_on:%Y-%m-%d} 复评" if last.reassess_on else ""
        return f"一对一帮扶进行中（帮扶人：{last.helper}{when}）"
    return f"经一对一帮扶（帮扶人：{last.helper}）后复评：{last.new_result or v.result}"


def teacher_form(v: TeacherView, snap: Snapshot, files: dict[tuple[int, int], list[str]],
                 own: list, group_names: dict[int, str]) -> TeacherForm:
    """One teacher's form; `own` is this teacher's findings (gather groups them once)."""
    t, rules = v.teacher, snap.rules

    def item_lines(states) -> tuple[ItemLine, ...]:
        return tuple(ItemLine(st.item.title, tuple(files.get((t.id, st.item.id), ())), st.grade or "",
                              st.reviewer or "", st.round) for st in states)

    blocks = [PointBlock(p.code, p.name, p.dimension, v.point_results.get(p.code, ""),
                         item_lines(v.point_items.get(p.code, []))) for p in v.points]
    if v.personal_items:
        res = grading.point_result([(st.files > 0, st.grade) for st in v.personal_items], rules.scale,
                                   rules.grading["fail"])
        blocks.append(PointBlock("", "个人考核材料", "", res, item_lines(v.personal_items)))
    tp = snap.teaching_points.get(t.teaching_point_id) if t.teaching_point_id else None
    return TeacherForm(
        teacher_id=t.id, name=t.name, staff_no=t.staff_no or "", id_masked=mask_id_number(t.id_number),
        gender=t.gender, subject=t.subject, stage=t.stage, group=group_names.get(t.group_id, "") if t.group_id else "",
        teaching_point=tp.name if tp else "", staff_type=t.staff_type, title=t.title, status=t.status,
        exempt_reason=v.exempt_reason or "", points=tuple(blocks), hours=_hours_lines(v, rules, own),
        hours_total=v.hours.total, result=v.result, result_note=_result_note(v, rules),
        excellent_cases=tuple(c.title for c in v.cases),
        problems=tuple(_strip_name(f.message, t.name) for f in own if f.is_blocking))


def _file_names(s, teacher_ids: set[int] | None) -> dict[tuple[int, int], list[str]]:
    out: dict[tuple[int, int], list[str]] = defaultdict(list)
    q = select(EvidenceFile.teacher_id, EvidenceFile.item_id, EvidenceFile.original_name).order_by(EvidenceFile.id)
    if teacher_ids is not None and len(teacher_ids) < 500:
        q = q.where(col(EvidenceFile.teacher_id).in_(teacher_ids))
    for tid, iid, name in s.exec(q):
        out[(tid, iid)].append(name)
    return out


# --------------------------------------------------------------------------- school


def summary_form(snap: Snapshot, report) -> SummaryForm:
    rules, sm = snap.rules, report.summary
    codes = {f.code for f in report.findings}
    active = snap.active
    n = len(active)
    results = sm.get("results", {})
    scale, fail = rules.scale, rules.grading["fail"]
    passing = set(rules.grading["pass"])
    assessed = sum(c for r, c in results.items() if r in scale)
    passed = sum(c for r, c in results.items() if r in passing)
    excellent = results.get(rules.grading.get("excellent") or "优秀", 0)
    failed = results.get(fail, 0)
    waiting = sum(c for r, c in results.items() if r not in scale)

    def rate(a: int, b: int) -> str:
        return f"{a}/{b}（{pct(a / b)}）" if b else "0"

    metrics = [
        Metric("在册教师（不含调离）", str(sm.get("teachers", 0))),
        Metric("其中：免修、退休等不参加考核", str(sm.get("exempt", 0))),
        Metric("应参训教师", str(n)),
        Metric("已完成全部要求（学时、能力点、考核）", rate(sm.get("meeting_all", 0), n),
               f"≥{pct(rules.completion_rate)}" if rules.completion_rate else "",
               ("rate.completion" not in codes) if rules.completion_rate else None),
        Metric("校本考核已评定", rate(assessed, n)),
        Metric("考核合格（含优秀）", rate(passed, assessed),
               f"合格率 ≥{pct(rules.pass_rate)}" if rules.pass_rate else "",
               ("rate.pass" not in codes) if rules.pass_rate and assessed else None),
        Metric("其中：优秀", str(excellent)),
        Metric("考核不合格", str(failed)),
        Metric("尚未完成考核（待评、未提交、未选点）", str(waiting)),
        Metric("一对一帮扶", f"进行中 {sm.get('support_open', 0)} 人，已结束 {sm.get('support_closed', 0)} 人",
               "不合格者全部帮扶" if rules.support_required else "",
               (not any(f.code.startswith("support.") for f in report.findings))
               if rules.support_required else None),
        Metric("优秀案例", f"{sm.get('excellent_cases', 0)} 个（占 {pct(sm.get('excellent_share', 0.0))}）",
               f"≥{pct(rules.excellent_share)}" if rules.excellent_share else "",
               ("rate.excellent" not in codes) if rules.excellent_share else None),
    ]
    part = rules.participation
    env = snap.school.environment if snap.school else ""
    if part.get(env):
        joined = sum(1 for v in active if v.participates)
        metrics.append(Metric("校本研修参与度", rate(joined, n), f"≥{pct(part[env])}",
                              "rate.participation" not in codes))

    hours = []
    for c in rules.categories:
        key = c["key"]
        total = sm.get("hours_by_category", {}).get(key, 0.0)
        need = c.get("min") or 0
        meeting = sum(1 for v in active if v.hours.by_category.get(key, 0.0) >= need) if need else None
        hours.append(HoursSummaryLine(key, f"≥{fmt_num(need)}" if need else "—", fmt_num(total),
                                      fmt_num(total / n) if n else "0", f"{meeting}/{n}" if need else "—"))
    grand = sum(v.hours.total for v in active)
    meeting_total = sum(1 for v in active if v.hours.total >= rules.total_min) if rules.total_min else None
    hours.append(HoursSummaryLine("合计", f"≥{fmt_num(rules.total_min)}" if rules.total_min else "—",
                                  fmt_num(grand), fmt_num(grand / n) if n else "0",
                                  f"{meeting_total}/{n}" if meeting_total is not None else "—"))

    names = {v.teacher.id: v.teacher.name for v in snap.teachers}
    names.update({t.id: t.name for t in snap.excluded})
    teams = []
    kind_order = {k: n for n, k in enumerate([*(t["kind"] for t in rules.teams), "校级管理团队",
                                             "信息化教学创新研修团队", "培训指导团队"])}
    for t in sorted(snap.teams, key=lambda t: (kind_order.get(t.kind, 99), t.kind, t.id)):
        members = snap.members.get(t.id, [])
        lead = next((m for m in members if m.is_first_responsible), None) or \
            next((m for m in members if m.role in ("组长", "校长", "负责人", "团队负责人")), None)
        leader = (names.get(lead.teacher_id, "") if lead and lead.teacher_id else (lead.name if lead else ""))
        teams.append(TeamLine(t.kind, t.name, leader, len(members), t.duty))
    for g in snap.groups:
        count = sum(1 for v in snap.teachers if v.teacher.group_id == g.id)
        teams.append(TeamLine("学科研修组", g.name, names.get(g.leader_id, "") if g.leader_id else "", count,
                              f"共同能力点：{g.common_point}" if g.common_point else ""))

    required = [d["kind"] for d in rules.documents]
    plan_bad = {f.data.get("kind") for f in report.findings if f.code in ("plans.missing", "plans.status")}
    plans = []
    order = {"草稿": 0, "已提交": 1, "已备案": 2}
    kinds_seen = set()
    for kind in required:
        docs = [p for p in snap.plans if p.kind == kind]
        kinds_seen.add(kind)
        if not docs:
            plans.append(PlanLine(kind, "", "", "", True, False))
            continue
        best = max(docs, key=lambda p: order.get(p.status, 0))
        plans.append(PlanLine(kind, best.title, best.status, best.filed_on.isoformat() if best.filed_on else "",
                              True, kind not in plan_bad))
    for p in snap.plans:
        if p.kind not in kinds_seen:
            plans.append(PlanLine(p.kind, p.title, p.status, p.filed_on.isoformat() if p.filed_on else "",
                                  False, None))
    courses = tuple(CourseLine(c.title, c.semester, fmt_num(c.hours), c.lead, c.status) for c in snap.courses)
    blocking = [f for f in report.findings if f.is_blocking]
    samples = tuple(f.message for f in blocking if f.teacher_id is None)[:6]
    if len(samples) < 6:
        samples += tuple(f.message for f in blocking if f.teacher_id is not None)[:6 - len(samples)]
    return SummaryForm(tuple(metrics), tuple(hours), tuple(teams), tuple(plans), courses,
                       len(blocking), samples)


def notice_form(snap: Snapshot, period: tuple[date | None, date | None]) -> NoticeForm:
    counts: dict[str, int] = defaultdict(int)
    for v in snap.teachers:
        counts[v.teacher.name] += 1
    groups = {g.id: g.name for g in snap.groups}
    rows = []
    for v in sorted(snap.teachers, key=lambda v: (v.teacher.staff_no or "", v.teacher.id)):
        t = v.teacher
        notes = []
        if counts[t.name] > 1 and t.staff_no:
            notes.append(f"工号 {t.staff_no}")
        if v.exempt_reason:
            pass                                # the reason is personal: not on a public notice
        elif v.supports and v.supports[-1].closed_on is not None:
            notes.append("帮扶后复评")
        elif v.supports:
            notes.append("帮扶中")
        if v.cases:
            notes.append("优秀案例")
        points = "、".join(p.code for p in v.points)
        rows.append(NoticeRow(t.name, t.staff_no or "", t.subject, groups.get(t.group_id, "") if t.group_id else "",
                              points, fmt_num(v.hours.total) if not v.exempt_reason else "",
                              v.result, "；".join(notes)))
    return NoticeForm(tuple(rows), period[0], period[1])


def key_form(ws) -> KeyForm:
    from app.services.keys import school_key
    k = school_key(ws)
    created = k.created_at.strftime("%Y-%m-%d %H:%M") if k.created_at else ""
    return KeyForm(k.fingerprint, k.public_key_b64, k.pub_file_text, k.key_id_hex, created)


def school_info(snap: Snapshot) -> SchoolInfo:
    sc = snap.school
    if sc is None:
        raise NotFoundError(NO_SCHOOL, cli_hint=INIT_HINT)
    return SchoolInfo(sc.name, sc.code, sc.district, sc.stage, sc.environment, sc.school_year,
                      snap.rules.name, sc.contact_phone)


def gather(ws, *, kinds: tuple[str, ...] = KINDS, teacher: str | None = None,
           period: tuple[date | None, date | None] = (None, None), today: date | None = None,
           include_key: bool = True, shared=None) -> FormSet:
    """Read the database once and build every requested form's DTO. `shared`: a
    (snapshot, compliance report) pair already made for the same export (not read again)."""
    today = shared[0].today if shared is not None else (today or date.today())
    with ws.sessions() as s:
        snap = shared[0] if shared is not None else load(s, today)
        school = school_info(snap)
        report = shared[1] if shared is not None else run_on_snapshot(snap)
        views = snap.teachers
        if teacher:
            from app.services.teachers import resolve_in
            t = resolve_in(s, teacher)
            views = [v for v in snap.teachers if v.teacher.id == t.id]
            if not views:
                raise NotFoundError(f"{t.name} 已调离，不再打印个人确认表。")
        teachers: tuple[TeacherForm, ...] = ()
        if KIND_PERSONAL in kinds:
            files = _file_names(s, {v.teacher.id for v in views})
            groups = {g.id: g.name for g in snap.groups}
            own: dict[int, list] = {}            # per teacher, once: scanning all findings per teacher is
            for f in report.findings:             # quadratic (1,000 teachers: ~8 M ORM attribute reads)
                own.setdefault(f.teacher_id, []).append(f)
            teachers = tuple(teacher_form(v, snap, files, own.get(v.teacher.id, []), groups) for v in views)
    summary = summary_form(snap, report) if KIND_SUMMARY in kinds else None
    notice = notice_form(snap, period) if KIND_NOTICE in kinds else None
    key = key_form(ws) if KIND_KEY in kinds and include_key else None
    return FormSet(school, today, summary, teachers, notice, key, tuple(snap.rules.grading["pass"]))
