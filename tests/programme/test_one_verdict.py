"""One verdict: a teacher is complete exactly when no blocking finding names them.

Over 204 random schools (34 of each preset: random staff, statuses, hours on random dates,
points, evidence, grades, activities, 帮扶), `check`'s summary, the dashboard, the teacher list
and the summary workbook all agree with the findings.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from app.errors import AppError
from app.services import activities, assessment, choices, evidence, hours
from app.services.compliance import run_check
from app.services.evidence import TEACHER_LEVEL
from app.services.programmes import Rules, load_preset, preset_ids
from app.services.school import init_school
from app.services.teachers import add_teacher
from app.services.workspace import Workspace
from app.services.programmes.adjust import set_rule
from tests.foundation.school_builder import TODAY, _items, default_hours, in_window, required_activities, valid_id

SCHOOLS_PER_PRESET = 34
CODES = ["A1", "A3", "A5", "A6", "A11", "A13", "B1", "B2", "B5", "B9", "C1", "C6"]


def random_school(ws, pid: str, rng: random.Random, tmp) -> None:
    rules = Rules(load_preset(pid))
    init_school(ws, name="随机学校", code="R1", environment=rng.choice(["多媒体", "混合", "智慧"]), programme_id=pid,
                school_year="2026-2027学年" if rules.cycle == "school_year" else "2026年度")
    ids = []
    for n in range(rng.randint(1, 4)):
        born = date(rng.choice([1962, 1966, 1972, 1985, 1995]), rng.randint(1, 12), rng.randint(1, 28))
        extra = {}
        r = rng.random()
        if r < 0.08:
            extra = {"status": "免修", "status_reason": "病休"}
        elif r < 0.14:
            extra = {"status": "内退"}
        elif r < 0.2:
            extra = {"participation": rng.choice(["自愿参加", "不参加"])}
        t = add_teacher(ws, name=f"教师{'甲乙丙丁'[n]}", id_number=valid_id(f"110105{born:%Y%m%d}{n:02d}{rng.choice('12')}"),
                        staff_type=rng.choice(["在编", "在编", "临聘", "代课"]), **extra)
        ids.append(t.id)
    if rules.is_on("micro.range") and rng.random() < 0.8:
        set_rule(ws, "micro.range.codes", list(dict.fromkeys(["A1", "A3", "A6"] + rng.sample(CODES, 3))))
    if rules.elective_topic and rng.random() < 0.8:
        set_rule(ws, "hours.elective_topic.chosen", rng.choice(rules.elective_topic["choices"]))
    window_days = [date(2026, 10, 1), date(2025, 12, 31), date(2026, 1, 15), date(2022, 6, 1), None]
    for tid in ids:
        if rng.random() < 0.4:
            diligent(ws, rules, tid, tmp, rng)
            continue
        for _ in range(rng.randint(0, 5)):
            cat = rng.choice(rules.category_keys)
            topic = rng.choice([""] + [t["topic"] for t in rules.topic_minimums if t["category"] == cat])
            day = rng.choice(window_days)
            hours.add_hours(ws, tid, category=cat, topic=topic, hours=rng.choice([2, 5, 10, 20, 30]),
                            on_date=day.isoformat() if day else None)
        if rng.random() < 0.5:
            kind = rng.choice(["混合式教学实践", "公开课", "研究课", "研讨交流"])
            activities.save_activity(ws, None, [tid], title=f"活动{tid}{kind}", kind=kind, on_date="2026-10-10",
                                     hours=2, category=rules.category_keys[-1])
        if rules.micro is not None and rng.random() < 0.8:
            try:
                choices.set_choices(ws, tid, rng.sample(CODES, rng.randint(1, 4)))
            except AppError:
                pass                                   # the programme refused it: the teacher has no points
        for code in [p.code for p in choices.current_choices(ws, tid)] + [TEACHER_LEVEL]:
            for seq in (1, 2, 3):
                if rng.random() < 0.6:
                    f = tmp / f"e{tid}{code}{seq}.docx"
                    f.write_bytes(f"{tid}{code}{seq}{rng.random()}".encode())
                    try:
                        evidence.add_evidence(ws, tid, code, str(seq), f)
                        if rng.random() < 0.7:
                            assessment.assess(ws, tid, code, str(seq), rng.choice(["优秀", "合格", "不合格"]),
                                              reviewer="李老师", on_date="2026-11-18")
                    except AppError:
                        pass                           # no such item for this point or programme
        if rng.random() < 0.1:
            try:
                assessment.open_support(ws, tid, helper="张老师", plan="听评课",
                                        reassess_on=(TODAY + timedelta(days=10)).isoformat())
            except AppError:
                pass


def diligent(ws, rules: Rules, tid: int, tmp, rng: random.Random) -> None:
    """A teacher who does everything the programme asks (they may still be outside it, or the school
    may still lack something of its own)."""
    day = in_window(rules)
    for cat, h in default_hours(rules, 0).items():
        topics = [t for t in rules.topic_minimums if t["category"] == cat]
        for t in topics:
            hours.add_hours(ws, tid, category=cat, topic=t["topic"], hours=t["min"], on_date=day.isoformat())
        rest = h - sum(t["min"] for t in topics)
        if rest > 0:
            hours.add_hours(ws, tid, category=cat, hours=rest, on_date=day.isoformat())
    for env in ("多媒体", "混合", "智慧"):
        for i, kind in enumerate(required_activities(rules, env)):
            activities.save_activity(ws, None, [tid], title=f"活动{tid}{env}{kind}{i}", kind=kind,
                                     on_date=day.isoformat(), hours=1, category=rules.category_keys[0])
    codes = []
    if rules.micro is not None:
        choices.set_choices(ws, tid, ["A1", "A3", "A6"])
        codes = ["A1", "A3", "A6"]
    counts = {i["title"]: i.get("count", 1) for i in rules.teacher_items}
    for code in codes + [TEACHER_LEVEL]:
        for it in _items(ws, code if code != TEACHER_LEVEL else None):
            for k in range(counts.get(it.title, 1)):
                f = tmp / f"d{tid}{code}{it.seq}{k}.docx"
                f.write_bytes(f"{tid}{code}{it.seq}{k}{rng.random()}".encode())
                evidence.add_evidence(ws, tid, code, str(it.seq), f)
            if rules.assessment_required:
                assessment.assess(ws, tid, code, str(it.seq), rng.choice(["优秀", "合格"]), reviewer="李老师",
                                  on_date="2026-11-18")


@pytest.mark.parametrize("pid", preset_ids())
def test_complete_means_no_blocking_finding_names_the_teacher(tmp_path, pid):
    checked, complete, incomplete, exempt = 0, 0, 0, 0
    for i in range(SCHOOLS_PER_PRESET):
        rng = random.Random(f"{pid}-{i}")
        folder = tmp_path / str(i)
        with Workspace.open(folder / "data") as ws:
            random_school(ws, pid, rng, folder)
            report = run_check(ws, TODAY)
        s = report.summary
        active = {tid for tid, ok in report.teacher_passes.items() if tid not in report.exempt}
        named = {f.teacher_id for f in report.blocking if f.teacher_id is not None}
        assert s["active"] - s["meeting_all"] == len(named & active), (pid, i, report.to_dict())
        for tid in active:
            assert report.teacher_passes[tid] == (tid not in named), (pid, i, tid)
        assert not any(report.teacher_passes[tid] for tid in report.exempt)
        # a teacher outside the programme is named only for the opt-out undertaking
        assert {f.code for f in report.blocking if f.teacher_id in report.exempt} <= {"scope.opt_out"}
        checked += 1
        complete += s["meeting_all"]
        incomplete += s["active"] - s["meeting_all"]
        exempt += len(report.exempt)
    assert checked == SCHOOLS_PER_PRESET
    assert complete > 0 and incomplete > 0 and exempt > 0      # the random schools reach every side
    print(f"{pid}: {complete} complete, {incomplete} not, {exempt} outside the programme")


def test_every_view_reads_the_same_verdict(tmp_path):
    from openpyxl import load_workbook

    from app.services import dashboard
    from app.services.excel.report import write_report
    from app.services.forms.data import KIND_SUMMARY, gather
    for i, pid in enumerate(preset_ids()):
        rng = random.Random(f"views-{pid}")
        folder = tmp_path / str(i)
        with Workspace.open(folder / "data") as ws:
            random_school(ws, pid, rng, folder)
            report = run_check(ws, TODAY)
            progress = dashboard.teacher_progress(ws, TODAY)
            assert {t: p.passes for t, p in progress.items()} == report.teacher_passes
            dash = dashboard.load_dashboard(ws, TODAY)
            assert dash.meeting_all == report.summary["meeting_all"]
            wb = load_workbook(write_report(ws, folder / "汇总.xlsx", today=TODAY))
            done = {row[1] for row in wb["考核结果"].iter_rows(min_row=3, values_only=True) if row[8] == "是"}
            assert len(done) == report.summary["meeting_all"]
            forms = gather(ws, kinds=(KIND_SUMMARY,), today=TODAY, include_key=False)
            assert forms.summary.metrics[3].value.startswith(f"{report.summary['meeting_all']}/")
