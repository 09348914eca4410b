"""Each kind of requirement, just below and just above its threshold, on the preset whose document states it.

The sentence each test follows is quoted above it; the numbers are literals from that sentence,
not read back from the preset.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import RuleViolation
from app.services import activities, choices, evidence, hours, plans
from app.services.compliance import run_check
from app.services.programmes.adjust import set_rule
from app.services.self_assessment import rate
from app.services.teachers import add_teacher, resolve, update_teacher
from app.services.workspace import Workspace
from tests.foundation.school_builder import TODAY, Options, build, valid_id


def check(ws, today=TODAY):
    return run_check(ws, today)


def blocking(report, name: str | None = None) -> list[str]:
    return [f.message for f in report.findings if f.is_blocking and (name is None or f.teacher_name == name)]


def school(tmp_path: Path, tag: str, pid: str, opts: Options | None = None):
    ws = Workspace.open(tmp_path / tag)
    build(ws, pid, tmp_path, opts)
    return ws


# ---------------------------------------------------------------- hours windows

# 003 (滨城): "完成每年不少于36学时的网络研修" … "本年度学分登记时间截止到12月31日"
@pytest.mark.parametrize("day,counted", [("2025-12-31", False), ("2026-01-01", True), ("2026-12-31", True),
                                         ("2027-01-01", False)])
def test_bincheng_counts_only_this_years_hours(tmp_path, day, counted):
    # the builder's activities bring 3 elective hours (a school activity and the 研究课)
    topics = {("必修", "国家级优课课例学习"): 4, ("必修", "有效观评课的方法与技术"): 2, ("必修", "学科课例点评"): 8,
              ("必修", "教育政策与法律法规"): 4}
    with school(tmp_path, day, "bincheng-internet-plus", Options(hours={"必修": 18, "选修": 11},
                                                                topic_hours=topics)) as ws:
        hours.add_hours(ws, "王芳", category="必修", topic="学科课例点评", hours=4, on_date=day)
        found = blocking(check(ws), "王芳")
    if counted:
        assert found == []
    else:
        assert found == ["王芳：必修学时 18/22（其中“学科课例点评” 8/12）（另有 4 学时不在统计期（2026年（自然年））内，未计入）"]


# 003 (滨城): "选修课学习时间:研修平台于7月26日常态化开放,即可开始选修课的学习"
@pytest.mark.parametrize("day,counted", [("2026-07-25", False), ("2026-07-26", True)])
def test_bincheng_electives_count_from_the_study_window(tmp_path, day, counted):
    with school(tmp_path, day, "bincheng-internet-plus", Options(hours={"必修": 22, "选修": 7})) as ws:
        hours.add_hours(ws, "王芳", category="选修", hours=4, on_date=day)
        found = blocking(check(ws), "王芳")
    assert (found == []) is counted, found
    if not counted:
        assert "选修不在学习时间（2026-07-26 至 2026-12-31）内" in found[0]


# 001 (徐汇): "“能力提升工程2.0”培训时间为2020年1月——2022年底,每位教师必须完成不少于50课时的培训"
@pytest.mark.parametrize("day,counted", [("2019-12-31", False), ("2020-01-01", True), ("2022-12-31", True),
                                         ("2023-01-01", False)])
def test_xuhui_counts_hours_inside_the_programme_period(tmp_path, day, counted):
    # the builder's activities bring 7 practice hours (a school activity, 4 practices, 1 open lesson)
    opts = Options(hours={"通识课程": 7, "专业课程": 15, "实践应用": 18})
    with school(tmp_path, day, "xuhui-2021", opts) as ws:
        hours.add_hours(ws, "王芳", category="通识课程", hours=3, on_date=day)
        found = blocking(check(ws), "王芳")
    if counted:
        assert found == []
    else:
        assert found == ["王芳：通识课程学时 7/10（另有 3 学时不在统计期（2020-01-01 至 2022-12-31）内，未计入）"]


# 004 (瓦房店): "本培训周期内，教师要完成不少于25学时的网络研修和不少于25学时的校本实践活动"
# with the cycle from July ("2023年7月到8月，启动") to the end of November ("2023年11月末…考核").
@pytest.mark.parametrize("day,counted", [("2026-06-30", False), ("2026-07-01", True), ("2026-11-30", True),
                                         ("2026-12-01", False)])
def test_wafangdian_counts_the_training_cycle(tmp_path, day, counted):
    with school(tmp_path, day, "wafangdian-2023", Options(hours={"网络研修": 20, "校本实践": 23})) as ws:
        hours.add_hours(ws, "王芳", category="网络研修", hours=5, on_date=day)
        found = blocking(check(ws), "王芳")
    if counted:
        assert found == []
    else:
        assert found == ["王芳：网络研修学时 20/25（另有 5 学时不在统计期（2026-07-01 至 2026-11-30）内，未计入）"]


def test_hours_outside_the_window_are_kept_not_deleted(tmp_path):
    with school(tmp_path, "kept", "bincheng-internet-plus") as ws:
        hours.add_hours(ws, "王芳", category="选修", hours=4, on_date="2020-05-01")
        assert any(r.hours == 4 and str(r.on_date) == "2020-05-01" for r in hours.list_hours(ws))


# ---------------------------------------------------------------- who must train

# 001 (徐汇): "全区所有中小学…在编在岗教师(含校园长、研训员)均需参加“能力提升工程2.0”培训"
def test_xuhui_requires_staff_on_the_establishment_only(tmp_path):
    with school(tmp_path, "x", "xuhui-2021") as ws:
        add_teacher(ws, name="临聘甲", id_number=valid_id("11010519900101001"), staff_type="临聘")
        add_teacher(ws, name="在编乙", id_number=valid_id("11010519900101002"), staff_type="在编")
        report = check(ws)
        assert blocking(report, "临聘甲") == [] and blocking(report, "在编乙")
        assert "临聘人员，本方案只要求在编教师参训" in report.exempt[resolve(ws, "临聘甲").id]
        update_teacher(ws, resolve(ws, "临聘甲").id, participation="自愿参加")   # takes part anyway: counted
        report = check(ws)
        assert blocking(report, "临聘甲") and resolve(ws, "临聘甲").id not in report.exempt


# 001 (徐汇): "2022年12月31日前退休教师可自愿参加培训"
@pytest.mark.parametrize("retire,required", [("2022-12-31", False), ("2023-01-01", True)])
def test_xuhui_retirement_cut_off(tmp_path, retire, required):
    with school(tmp_path, retire, "xuhui-2021") as ws:
        add_teacher(ws, name="老师甲", id_number=valid_id("11010519620101002"), retire_date=retire)
        report = check(ws)
        assert bool(blocking(report, "老师甲")) is required
        if not required:
            assert report.exempt[resolve(ws, "老师甲").id] == "2022-12-31前退休，可自愿参加"


# 002 (宁德): "(距退休不满五年的教师不作培训要求)", counted at the programme's date (2016-03-15), not today
@pytest.mark.parametrize("retire,required", [("2021-03-14", False), ("2021-03-15", True)])
def test_ningde_five_years_before_retirement_at_the_programme_date(tmp_path, retire, required):
    with school(tmp_path, retire, "ningde-2016") as ws:
        add_teacher(ws, name="老师甲", id_number=valid_id("11010519610101002"), retire_date=retire)
        report = check(ws)
        assert bool(blocking(report, "老师甲")) is required
        if not required:
            assert "按2016-03-15计算" in report.exempt[resolve(ws, "老师甲").id]


def test_ningde_does_not_count_retirement_from_today(tmp_path):
    with school(tmp_path, "n", "ningde-2016") as ws:     # retires 2029: within 5 years of 2026, not of 2016
        add_teacher(ws, name="老师乙", id_number=valid_id("11010519690101002"), retire_date="2029-01-01")
        assert blocking(check(ws), "老师乙")


# 003 (滕州): "建议在职、在岗的学科教师都参加(内退教师不参加)"
def test_internal_retirement_is_out_only_where_the_document_says_so(tmp_path):
    for pid, out in (("bincheng-internet-plus", True), ("xuhui-2021", False)):
        with school(tmp_path, pid, pid) as ws:
            add_teacher(ws, name="内退甲", id_number=valid_id("11010519800101002"), status="内退")
            report = check(ws)
            assert (report.exempt.get(resolve(ws, "内退甲").id) == "内退教师不参加") is out
            assert bool(blocking(report, "内退甲")) is not out


# 003 (滕州): "选择不参加培训的教师必须填写保证书并上交教科室留存"
def test_opting_out_needs_the_signed_undertaking(tmp_path):
    with school(tmp_path, "o", "bincheng-internet-plus") as ws:
        t = add_teacher(ws, name="赵六", id_number=valid_id("11010519800101002"), participation="不参加")
        report = check(ws)
        assert blocking(report, "赵六") == ["赵六：已登记自愿不参加，尚未上传签字的保证书"]
        assert report.exempt[t.id] == "自愿不参加（须交保证书）"
        f = tmp_path / "保证书.pdf"
        f.write_bytes(b"%PDF-1.4 signed")
        evidence.add_evidence(ws, t.id, "个人", "保证书", f)
        report = check(ws)
        assert blocking(report, "赵六") == [] and report.summary["active"] == 1


# ---------------------------------------------------------------- per-teacher activity counts

def _practice(ws, kind: str, n: int, start: int = 1) -> None:
    t = resolve(ws, "王芳")
    for i in range(n):
        activities.save_activity(ws, None, [t.id], title=f"{kind}{start + i}", kind=kind,
                                 on_date=f"2022-10-{10 + start + i:02d}", hours=1, category="实践应用")


# 001 (徐汇): "培训期间开展不少于2次混合式教学实践并提交相应教学设计与总结;开展至少1次相关的的组内公开课"
@pytest.mark.parametrize("practices,lessons,expected", [
    (1, 1, ["王芳：混合式教学实践 1/2 次"]), (2, 1, []), (2, 0, ["王芳：组内公开课 0/1 次"])])
def test_xuhui_multimedia_school_practice_counts(tmp_path, practices, lessons, expected):
    opts = Options(environment="多媒体", required_activities=False)
    with school(tmp_path, f"{practices}{lessons}", "xuhui-2021", opts) as ws:
        _practice(ws, "混合式教学实践", practices)
        _practice(ws, "公开课", lessons, start=10)
        assert [m for m in blocking(check(ws), "王芳") if "次" in m] == expected


# 001 (徐汇): "具备混合式学习环境的学校…培训期间开展不少于4次相关主题教学实践"
@pytest.mark.parametrize("practices,expected", [(3, ["王芳：相关主题教学实践 3/4 次"]), (4, [])])
def test_xuhui_mixed_school_needs_four(tmp_path, practices, expected):
    opts = Options(environment="混合", required_activities=False)
    with school(tmp_path, str(practices), "xuhui-2021", opts) as ws:
        _practice(ws, "混合式教学实践", practices)
        _practice(ws, "公开课", 1, start=10)
        assert [m for m in blocking(check(ws), "王芳") if "次" in m] == expected


def test_xuhui_counts_apply_to_teachers_taking_part(tmp_path):
    """教师参与度应不少于40%: the counts bind those who take part, not the 60% who need not."""
    with school(tmp_path, "p", "xuhui-2021", Options(environment="多媒体")) as ws:
        add_teacher(ws, name="未参与", id_number=valid_id("11010519900101003"))
        assert not [m for m in blocking(check(ws), "未参与") if "次" in m]


# 003 (滨城): "要抓好线下研讨和“一人一节研究课”活动的落实"
@pytest.mark.parametrize("lessons,expected", [(0, ["王芳：一人一节研究课 0/1 次"]), (1, [])])
def test_bincheng_one_research_lesson_each(tmp_path, lessons, expected):
    with school(tmp_path, str(lessons), "bincheng-internet-plus", Options(required_activities=False)) as ws:
        t = resolve(ws, "王芳")
        for i in range(lessons):
            activities.save_activity(ws, None, [t.id], title="研究课", kind="研究课", on_date="2026-10-20",
                                     hours=1, category="选修")
        assert [m for m in blocking(check(ws), "王芳") if "次" in m] == expected


# ---------------------------------------------------------------- per-teacher documents

# 003 (滕州): "研修平台为每位教师随机推送 4 个市级“优课”课例,进行观评,提交观课报告"
def test_tengzhou_four_lesson_observation_reports(tmp_path):
    with school(tmp_path, "r", "bincheng-internet-plus") as ws:
        from app.services.evidence import list_evidence, remove_evidence
        last = [e for e in list_evidence(ws) if e.item_title == "观课报告"][-1]
        remove_evidence(ws, last.id)
        assert blocking(check(ws), "王芳") == ["王芳：缺少“观课报告” 3/4 份"]


# 004 (瓦房店): "教师根据学校、教研组确定的研修主题和任务，制定个人研修计划"
def test_wafangdian_personal_study_plan(tmp_path):
    with school(tmp_path, "w", "wafangdian-2023", Options(skip_evidence={(None, 2)})) as ws:
        assert blocking(check(ws), "王芳") == ["王芳：缺少“个人研修计划”"]


# ---------------------------------------------------------------- school documents and their dates

# 004 (瓦房店): "各学校对提升工程工作及整校推进实施成果进行总结，并上报市项目办" (11月末)
def test_wafangdian_summary_report_is_due_at_the_end_of_november(tmp_path):
    from datetime import date
    with school(tmp_path, "s", "wafangdian-2023", Options(skip_plans={"工作总结"})) as ws:
        assert "学校：缺少《提升工程工作及整校推进实施成果总结》" in blocking(check(ws))
        due = "《提升工程工作及整校推进实施成果总结》报送市项目办"
        warned = lambda day: any(f.message.endswith(due) for f in check(ws, day).findings if not f.is_blocking)
        assert not warned(date(2026, 11, 30)) and warned(date(2026, 12, 1))


# 003 (滨城): "于6月10前完成学科研修组分组、研修组长配备工作,并将研修组长名单电子版报师训科邮箱"
def test_bincheng_group_leader_list_due_june_10(tmp_path):
    with school(tmp_path, "g", "bincheng-internet-plus", Options(skip_plans={"研修组长名单"})) as ws:
        report = check(ws)
        assert "学校：缺少《研修组长名单（电子版）》" in blocking(report)
        from app.services.dashboard import list_deadlines
        assert any(d.title == "《研修组长名单（电子版）》报送师训科" and str(d.due_on) == "2026-06-10"
                   for d in list_deadlines(ws))


# ---------------------------------------------------------------- school self-assessment

# 001 (徐汇): "根据“校本应用考核要点”进行学校整校推进培训工作自我评估"
def test_xuhui_self_assessment_every_indicator(tmp_path):
    from app.services.self_assessment import clear
    with school(tmp_path, "sa", "xuhui-2021") as ws:
        assert not [m for m in blocking(check(ws)) if "自评" in m]
        clear(ws, "3.2")
        assert [m for m in blocking(check(ws)) if "自评" in m] == \
            ["学校：按考核要点自评还有 1/9 项未填写（3.2 教师实践成果）"]
        rate(ws, "3.2", "基本达成", "四类成果已整理")
        assert not [m for m in blocking(check(ws)) if "自评" in m]


def test_self_assessment_refuses_an_unknown_level_or_indicator(tmp_path):
    from app.errors import NotFoundError, ValidationError
    with school(tmp_path, "sa2", "xuhui-2021") as ws:
        with pytest.raises(ValidationError):
            rate(ws, "1.1", "优秀")
        with pytest.raises(NotFoundError):
            rate(ws, "9.9", "达成")


# ---------------------------------------------------------------- ranges the school chooses

# 004 (瓦房店): "根据学校信息化环境、智慧教学发展及教师整体情况等综合因素选择微能力提升范围"
def test_wafangdian_range_must_be_chosen_and_binds_choices(tmp_path):
    with school(tmp_path, "nr", "wafangdian-2023", Options(choose_range=False)) as ws:
        assert "学校：尚未确定本校的微能力提升范围" in blocking(check(ws))
        set_rule(ws, "micro.range.codes", "A1,A3,A6,B2")
        assert "学校：尚未确定本校的微能力提升范围" not in blocking(check(ws))
        with pytest.raises(RuleViolation) as exc:
            choices.set_choices(ws, "王芳", ["A1", "A3", "B1"])
        assert "B1 不在本校确定的微能力提升范围内" in exc.value.full_message()
        set_rule(ws, "micro.range.codes", "A1,A3,B2")                       # narrowed after choosing A6
        assert "王芳：能力点 A6 不在本校确定的微能力提升范围内（A1、A3、B2）" in blocking(check(ws), "王芳")


# 003 (滨城): "在充分调研教师需求的基础上确定本校教师年度选修专题"
def test_bincheng_elective_topic(tmp_path):
    with school(tmp_path, "e", "bincheng-internet-plus", Options(choose_elective=False,
                                                                hours={"必修": 22, "选修": 7})) as ws:
        assert "学校：尚未选定年度选修专题" in blocking(check(ws))
        set_rule(ws, "hours.elective_topic.chosen", "微课程的设计与应用")
        hours.add_hours(ws, "王芳", category="选修", topic="班级管理", hours=4, on_date="2026-10-01")
        found = blocking(check(ws), "王芳")
        assert found == ["王芳：选修学时 10/14（另有 4 学时选修专题不是学校选定的微课程的设计与应用，未计入）"]
        hours.add_hours(ws, "王芳", category="选修", topic="微课程的设计与应用", hours=4, on_date="2026-10-01")
        assert blocking(check(ws), "王芳") == []


def test_plans_accept_a_document_kind_the_programme_names(tmp_path):
    with school(tmp_path, "k", "bincheng-internet-plus") as ws:
        assert any(p.kind == "研修组长名单" for p in plans.list_plans(ws))
