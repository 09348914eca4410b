"""Every programme preset: a teacher who meets it, and one who fails each of its rules.

Each failing case checks the exact finding message the office will read.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import AbilityChoice, School
from app.services import programmes
from app.services.compliance import run_check
from tests.foundation.school_builder import Options, TODAY, build, default_hours

PRESETS = programmes.preset_ids()
MICRO = [p for p in PRESETS if programmes.load_preset(p)["micro"] is not None]


def check(ws):
    return run_check(ws, TODAY)


def messages(report, blocking=True):
    return [f.message for f in report.findings if f.is_blocking == blocking]


def rules_of(pid):
    return programmes.Rules(programmes.load_preset(pid))


def test_six_presets_ship_each_naming_its_source():
    assert len(PRESETS) == 6 and PRESETS[0] == "national-2.0"
    files = {programmes.load_preset(p)["source_file"] for p in PRESETS}
    assert files == {None, "000_d20917b3597b35dc.txt", "001_92bbd1ba46120a34.txt", "002_a970310a57472395.txt",
                     "003_8b19ed14a5b800c5.txt", "004_22eabaaa19ad9b29.txt"}


@pytest.mark.parametrize("pid", PRESETS)
def test_a_teacher_who_meets_the_programme(ws, tmp_path, pid):
    build(ws, pid, tmp_path)
    report = check(ws)
    assert messages(report) == [], messages(report)
    assert report.ok
    assert report.summary["meeting_all"] == 1 and report.summary["active"] == 1


@pytest.mark.parametrize("pid", PRESETS)
def test_each_category_minimum(ws, tmp_path, pid):
    rules = rules_of(pid)
    cats = [c for c in rules.categories if c.get("min")]
    if not cats:
        pytest.skip("no category minima in this programme")
    cat = cats[0]
    h = default_hours(rules)
    h[cat["key"]] = cat["min"] - 5
    build(ws, pid, tmp_path, Options(hours=h, topic_hours={}))
    have = cat["min"] - 5 + (2 if cat["key"] == (rules.practice_keys or rules.category_keys[-1:])[0] else 0)
    assert f"王芳：{cat['key']}学时 {have:g}/{cat['min']:g}" in messages(check(ws))


@pytest.mark.parametrize("pid", [p for p in PRESETS if len([c for c in rules_of(p).categories if c.get("min")]) > 1])
def test_second_category_minimum(ws, tmp_path, pid):
    rules = rules_of(pid)
    cat = [c for c in rules.categories if c.get("min")][1]
    h = default_hours(rules)
    h[cat["key"]] = cat["min"] - 5
    build(ws, pid, tmp_path, Options(hours=h, topic_hours={}))
    extra = 2 if cat["key"] == (rules.practice_keys or rules.category_keys[-1:])[0] else 0
    assert f"王芳：{cat['key']}学时 {cat['min'] - 5 + extra:g}/{cat['min']:g}" in messages(check(ws))


@pytest.mark.parametrize("pid", [p for p in PRESETS if rules_of(p).topic_minimums])
def test_each_topic_minimum(ws, tmp_path, pid):
    rules = rules_of(pid)
    for tm in rules.topic_minimums:
        topics = {(m["category"], m["topic"]): m["min"] for m in rules.topic_minimums}
        topics[(tm["category"], tm["topic"])] = tm["min"] - 1
        h = default_hours(rules)
        h[tm["category"]] += 1          # the category itself still meets its minimum
        from app.services.workspace import Workspace
        with Workspace.open(tmp_path / tm["topic"]) as w:
            build(w, pid, tmp_path, Options(hours=h, topic_hours=topics))
            msgs = messages(check(w))
        assert f"王芳：{tm['category']}中“{tm['topic']}” {tm['min'] - 1:g}/{tm['min']:g} 学时" in msgs
        assert not any(m.startswith(f"王芳：{tm['category']}学时") for m in msgs)


@pytest.mark.parametrize("pid", ["national-2.0", "county-2023"])
def test_total_hours(ws, tmp_path, pid):
    build(ws, pid, tmp_path, Options(hours={"网络研修": 20, "实践应用": 23}))
    assert "王芳：总学时 45/50" in messages(check(ws))


@pytest.mark.parametrize("pid,hours,expected", [
    ("national-2.0", {"网络研修": 35, "实践应用": 13}, "王芳：实践应用学时 15/25（应不少于总学时的 50%）"),
    ("county-2023", {"网络研修": 35, "实践应用": 13}, "王芳：实践应用学时 15/25（应不少于总学时的 50%）"),
    ("wafangdian-2023", {"网络研修": 40, "校本实践": 23}, "王芳：校本实践学时 25/32.5（应不少于总学时的 50%）"),
])
def test_practice_share(ws, tmp_path, pid, hours, expected):
    build(ws, pid, tmp_path, Options(hours=hours))
    assert expected in messages(check(ws))


@pytest.mark.parametrize("pid", MICRO)
def test_no_points_chosen(ws, tmp_path, pid):
    rules = rules_of(pid)
    build(ws, pid, tmp_path, Options(points=[]))
    msgs = messages(check(ws))
    lo, hi = rules.micro["min_points"], rules.micro["max_points"]
    if lo and hi == lo:
        assert f"王芳：须选择 {lo} 个能力点，已选 0 个" in msgs
    elif lo:
        assert f"王芳：至少选择 {lo} 个能力点，已选 0 个" in msgs
    else:
        assert not any("能力点" in m for m in msgs)


@pytest.mark.parametrize("pid", [p for p in MICRO if rules_of(p).micro.get("min_dimensions")])
def test_dimension_coverage(ws, tmp_path, pid):
    build(ws, pid, tmp_path, Options(points=["A1", "A3", "A6"]))
    with ws.sessions() as s:      # as if the programme's rule were tightened after choosing
        s.delete(s.exec(select(AbilityChoice).where(AbilityChoice.point_code == "A6")).one())
        s.add(AbilityChoice(teacher_id=1, point_code="B1"))
        s.commit()
    assert ("王芳：能力点须覆盖至少 3 个维度，已覆盖 2 个（学情分析、教学设计），还可从学法指导、学业评价中补选"
            in messages(check(ws)))


@pytest.mark.parametrize("pid", MICRO)
def test_environment_rule(ws, tmp_path, pid):
    build(ws, pid, tmp_path, Options(points=["B1", "A3", "A6"]))
    with ws.sessions() as s:      # the school later records that it only has a multimedia environment
        sch = s.exec(select(School)).one()
        sch.environment = "多媒体"
        s.add(sch)
        s.commit()
    assert ("王芳：能力点 B1（技术支持的测验与练习）适用于混合学习环境，本校（或所在教学点）为多媒体环境，不能选择"
            in messages(check(ws)))


@pytest.mark.parametrize("pid", MICRO)
def test_missing_evidence_item(ws, tmp_path, pid):
    build(ws, pid, tmp_path, Options(skip_evidence={("A1", 2)}))
    assert "王芳：A1 学情分析报告 缺少证据" in messages(check(ws))


@pytest.mark.parametrize("pid", [p for p in PRESETS if rules_of(p).teacher_items])
def test_missing_personal_item(ws, tmp_path, pid):
    item = rules_of(pid).teacher_items[0]["title"]
    build(ws, pid, tmp_path, Options(skip_evidence={(None, 1)}))
    assert f"王芳：缺少“{item}”" in messages(check(ws))


@pytest.mark.parametrize("pid", [p for p in PRESETS if rules_of(p).school["assessment_required"]])
def test_assessment_not_done(ws, tmp_path, pid):
    rules = rules_of(pid)
    build(ws, pid, tmp_path, Options(skip_grades=True))
    n = (7 if rules.micro is not None else 0) + len(rules.teacher_items)   # A1: 2, A3: 2, A6: 3 items
    assert f"王芳：{n} 项证据尚未评定等级" in messages(check(ws))


@pytest.mark.parametrize("pid", [p for p in PRESETS if rules_of(p).school["support_required"]])
def test_failed_teacher_needs_support_and_reassessment(ws, tmp_path, pid):
    from app.services import assessment
    build(ws, pid, tmp_path, Options(fail=("A1", 2)))
    msgs = messages(check(ws))
    assert "王芳：校本考核不合格，尚未建立一对一帮扶记录" in msgs
    assert "学校：校本考核合格率 0%（0/1），应达到 100%" in msgs
    assessment.open_support(ws, "王芳", helper="李老师", plan="听评课", reassess_on="2026-12-10")
    msgs = messages(check(ws))
    assert "王芳：一对一帮扶尚未结束（帮扶人 李老师，复评日期 2026-12-10）" in msgs
    with pytest.raises(Exception):
        assessment.close_support(ws, "王芳")            # not re-assessed yet
    r = assessment.assess(ws, "王芳", "A1", "2", "合格", reviewer="李老师")
    assert r.round == 2 and r.point_result == "合格"
    assessment.close_support(ws, "王芳")
    report = check(ws)
    if rules_of(pid).school.get("excellent_share_min"):
        assessment.mark_case(ws, "王芳", "A1")
        report = check(ws)
    assert report.ok, messages(report)


@pytest.mark.parametrize("pid", PRESETS)
def test_each_required_plan(ws, tmp_path, pid):
    rules = rules_of(pid)
    kind = rules.school["plans_required"][0]
    build(ws, pid, tmp_path, Options(skip_plans={kind}))
    assert f"学校：缺少《{kind}》" in messages(check(ws))


@pytest.mark.parametrize("pid", PRESETS)
def test_plan_filing_status(ws, tmp_path, pid):
    rules = rules_of(pid)
    kind = rules.school["plans_required"][-1]
    build(ws, pid, tmp_path, Options(plan_status={kind: "草稿"}))
    need = rules.school["plan_status_required"].removeprefix("已")
    assert f"学校：《{kind}》尚未{need}（当前：草稿）" in messages(check(ws))


def test_semester_plan_required_in_xuhui(ws, tmp_path):
    build(ws, "xuhui-2021", tmp_path, Options(skip_plans={"学期培训计划"}))
    assert "学校：缺少《学期培训计划》" in messages(check(ws))


@pytest.mark.parametrize("pid", [p for p in PRESETS if rules_of(p).school["teams_required"]])
def test_each_required_team(ws, tmp_path, pid):
    for kind in rules_of(pid).school["teams_required"]:
        from app.services.workspace import Workspace
        with Workspace.open(tmp_path / kind) as w:
            build(w, pid, tmp_path, Options(skip_teams={kind}))
            assert f"学校：尚未组建{kind}" in messages(check(w))


@pytest.mark.parametrize("pid", [p for p in PRESETS if rules_of(p).school["first_responsible_required"]])
def test_principal_as_first_responsible(ws, tmp_path, pid):
    build(ws, pid, tmp_path, Options(first_responsible=False))
    assert "学校：校级管理团队未指定第一责任人（校长）" in messages(check(ws))


def test_study_groups_in_bincheng(ws, tmp_path):
    build(ws, "bincheng-internet-plus", tmp_path, Options(group_leader=False))
    assert "学校：学科研修组“语文组”未指定组长" in messages(check(ws))


def test_study_groups_missing_in_bincheng(ws, tmp_path):
    build(ws, "bincheng-internet-plus", tmp_path, Options(skip_groups=True))
    assert "学校：尚未建立学科研修组" in messages(check(ws))


def test_xuhui_course_count_and_hours(ws, tmp_path):
    build(ws, "xuhui-2021", tmp_path, Options(course_hours=[16]))
    msgs = messages(check(ws))
    assert "学校：2026-2027学年第一学期校本研修课程 1/2 门" in msgs
    assert "学校：校本研修课程《校本课程1》为 16 学时，应为 10–15 学时" in msgs


def test_xuhui_participation(ws, tmp_path):
    rules = rules_of("xuhui-2021")
    h = default_hours(rules)
    h["实践应用"] += 2                     # replace the activity's hours
    build(ws, "xuhui-2021", tmp_path, Options(activity=False, hours=h))
    assert "学校：校本研修参与度 0%（0/1），混合环境学校应不少于 60%" in messages(check(ws))


def test_wafangdian_excellent_case_share(ws, tmp_path):
    build(ws, "wafangdian-2023", tmp_path, Options(case=False))
    assert "学校：优秀案例 0 个，占教师数 0%，应不低于 3%（至少 1 个）" in messages(check(ws))


def test_ningde_completion_rate_is_a_warning(ws, tmp_path):
    build(ws, "ningde-2016", tmp_path, Options(hours={"网络培训": 40, "网络与校本研修教学实践": 28}))
    report = check(ws)
    assert "学校：已完成培训 0/1 人（0%），年度目标不少于 30%" in messages(report, blocking=False)


def test_exempt_teacher_is_reported_as_exempt_not_failing(ws, tmp_path):
    from app.services.teachers import resolve, update_teacher
    build(ws, "national-2.0", tmp_path, Options(points=[], hours={"网络研修": 1, "实践应用": 1}))
    update_teacher(ws, resolve(ws, "王芳").id, status="免修", status_reason="病休一年")
    report = check(ws)
    assert not any(f.teacher_name == "王芳" for f in report.findings)
    assert report.exempt == {resolve(ws, "王芳").id: "病休一年"}
    assert report.summary["exempt"] == 1 and report.summary["active"] == 0


def test_ningde_exempts_teachers_within_five_years_of_retirement(ws, tmp_path):
    from app.services.teachers import add_teacher
    from tests.foundation.school_builder import valid_id
    build(ws, "ningde-2016", tmp_path)
    add_teacher(ws, name="老教师", id_number=valid_id("11010519730101002"))  # woman, retires 2028
    report = check(ws)
    assert not any(f.teacher_name == "老教师" for f in report.findings)
    assert "距退休不满5年" in next(iter(v for v in report.exempt.values()))


def test_choosing_points_is_refused_naming_the_rule(ws, tmp_path):
    from app.errors import RuleViolation
    from app.services.choices import set_choices
    build(ws, "wafangdian-2023", tmp_path)
    with pytest.raises(RuleViolation) as exc:
        set_choices(ws, "王芳", ["A1", "A3", "A6", "A7"])
    assert "须选择 3 个能力点，已选 4 个" in exc.value.full_message()
    with pytest.raises(RuleViolation) as exc:
        set_choices(ws, "王芳", ["A1", "A3", "C1"])
    assert "C1（跨学科学习活动设计）适用于智慧学习环境" in exc.value.full_message()
    with pytest.raises(RuleViolation) as exc:
        set_choices(ws, "王芳", ["A1", "A3", "B2"])      # drops A6, which has evidence
    assert "需要确认" in exc.value.user_message
    set_choices(ws, "王芳", ["A1", "A3", "B2"], confirm_drop=True)
