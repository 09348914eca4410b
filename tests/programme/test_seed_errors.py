"""The seven things the first presets got wrong, each built through the CLI, each following its seed's sentence."""

from __future__ import annotations

import json

import pytest

from app.cli.main import main
from tests.foundation.school_builder import valid_id

IDS = [valid_id(f"1101051990010100{n}") for n in range(1, 6)]


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def cli(capsys, d, *args):
    code, out, err = run(capsys, *d, *args)
    assert code == 0, (args, err)
    return out


def check(capsys, d) -> dict:
    _, out, _ = run(capsys, *d, "check", "--json")
    return json.loads(out)


def messages(report, blocking=True) -> list[str]:
    return [f["message"] for f in report["findings"] if (f["severity"] == "blocking") == blocking]


def school(capsys, tmp_path, pid: str, environment: str = "混合", teachers: int = 1) -> list:
    d = ["--data-dir", tmp_path / pid]
    cli(capsys, d, "init", "--name", "实验小学", "--code", "S1", "--environment", environment, "--programme", pid)
    for n in range(teachers):
        cli(capsys, d, "teacher", "add", "--name", f"教师{'甲乙丙丁戊'[n]}", "--id-number", IDS[n],
            "--staff-no", f"T{n + 1}")
    return d


# 1 ---------------------------------------------------------------------------------------------
def test_1_wafangdian_asks_for_a_training_guidance_team(capsys, tmp_path):
    """004: "组建培训指导团队、开展校本研修、落实校本考核" — not the 徐汇 研修团队."""
    d = school(capsys, tmp_path, "wafangdian-2023")
    cli(capsys, d, "team", "add", "--kind", "校级管理团队", "--name", "学校信息化管理团队")
    cli(capsys, d, "team", "member", "add", "学校信息化管理团队", "--teacher", "T1", "--role", "校长",
        "--first-responsible")
    cli(capsys, d, "team", "add", "--kind", "信息化教学创新研修团队")
    assert "学校：尚未组建培训指导团队" in messages(check(capsys, d))
    cli(capsys, d, "team", "add", "--kind", "培训指导团队")
    cli(capsys, d, "team", "member", "add", "培训指导团队", "--teacher", "T1", "--role", "指导教师")
    assert not [m for m in messages(check(capsys, d)) if "团队" in m or "第一责任人" in m]


# 2 ---------------------------------------------------------------------------------------------
def test_2_xuhui_one_course_a_semester_two_in_all_and_course_attendance_counts(capsys, tmp_path):
    """001: "各学期按要求申报和实施校本研修课程1门" and "申报不少于2门的相关校本研修课程"."""
    d = school(capsys, tmp_path, "xuhui-2021", environment="多媒体", teachers=5)
    cli(capsys, d, "course", "add", "--title", "数据驱动的课堂评价", "--semester", "2026-2027学年第一学期",
        "--hours", "12", "--all")
    report = check(capsys, d)
    assert "学校：校本研修课程共 1/2 门" in messages(report)
    assert not any("第一学期校本研修课程" in m for m in messages(report))     # 1 a semester is enough
    cli(capsys, d, "course", "add", "--title", "混合式教学设计", "--semester", "2026-2027学年第二学期",
        "--hours", "10", "--participants", "T1", "T2")
    report = check(capsys, d)
    assert not [m for m in messages(report) if "校本研修课程" in m]
    # "教师参与度应不少于40%": 5 of 5 teachers in the courses take part
    assert not [m for m in messages(report) if "参与度" in m]
    assert report["summary"]["participating"] == 5


# 3 ---------------------------------------------------------------------------------------------
def test_3_wafangdian_practice_share_is_of_the_required_fifty(capsys, tmp_path):
    """004: "全市中小学开展不少于50学时的提升工程2.0全员培训(其中校本培训、实践应用学时不少于50%)"
    with "不少于25学时的网络研修和不少于25学时的校本实践活动": a teacher with 40 + 25 meets both."""
    d = school(capsys, tmp_path, "wafangdian-2023")
    cli(capsys, d, "hours", "add", "T1", "--category", "网络研修", "--hours", "40", "--date", "2026-10-01")
    cli(capsys, d, "hours", "add", "T1", "--category", "校本实践", "--hours", "25", "--date", "2026-10-02")
    assert not [f for f in check(capsys, d)["findings"] if f["code"].startswith("hours.")]
    d2 = school(capsys, tmp_path / "b", "wafangdian-2023")
    cli(capsys, d2, "hours", "add", "T1", "--category", "网络研修", "--hours", "40", "--date", "2026-10-01")
    cli(capsys, d2, "hours", "add", "T1", "--category", "校本实践", "--hours", "24", "--date", "2026-10-02")
    hours = [f["message"] for f in check(capsys, d2)["findings"] if f["code"].startswith("hours.")]
    assert hours == ["教师甲：校本实践学时 24/25"]                      # reported once, not three times


# 4 ---------------------------------------------------------------------------------------------
def _failing_teacher(capsys, d, tmp_path, code="A1"):
    cli(capsys, d, "choose", "T1", code)
    f = tmp_path / "实录.docx"
    for item in (1, 2):
        f.write_bytes(f"{code}{item}".encode())
        cli(capsys, d, "evidence", "add", "T1", code, item, f)
        cli(capsys, d, "assess", "T1", code, item, "不合格" if item == 2 else "合格", "--reviewer", "李老师")


def test_4_county_help_is_sending_teachers_to_the_countryside_not_one_to_one(capsys, tmp_path):
    """000: "针对信息技术环境薄弱的学校、乡村教师,采取“送教下乡〞和“送培上门〞等培训方式" — no 一对一帮扶,
    no 100% pass rate, no 3 points / 3 dimensions, no 备案, no 11-30 deadline in the county's text."""
    d = school(capsys, tmp_path, "county-2023")
    _failing_teacher(capsys, d, tmp_path)                         # one point: the county sets no number
    cli(capsys, d, "plan", "add", "--kind", "校本研修方案", "--status", "草稿")
    report = check(capsys, d)
    text = " ".join(messages(report) + messages(report, blocking=False))
    for absent in ("帮扶", "合格率", "个能力点", "个维度", "备案", "11-30"):
        assert absent not in text, absent
    assert "教师甲：校本考核不合格" in messages(report)          # the school's own assessment still counts
    _, out, _ = run(capsys, *d, "deadline", "list", "--json")
    assert json.loads(out) == []
    show = json.loads(run(capsys, *d, "programme", "show", "--json")[1])
    support = next(r for r in show["rules"] if r["key"] == "assessment.support")
    assert support["on"] is False and support["origin"] == "national"


def test_4_xuhui_adds_no_pass_rate_support_or_smart_school_share(capsys, tmp_path):
    """001 states 40% (多媒体) and 60% (混合式学习环境) participation, and neither 100% nor 一对一帮扶."""
    d = school(capsys, tmp_path, "xuhui-2021", environment="智慧")
    _failing_teacher(capsys, d, tmp_path)
    text = " ".join(messages(check(capsys, d)))
    assert "帮扶" not in text and "合格率" not in text and "参与度" not in text


# 5 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pid,team,sentence", [
    ("bincheng-internet-plus", "工程领导小组", "各学校、幼儿园都要成立工程领导小组和项目办公室"),
    ("ningde-2016", None, "中小学校长是学校实施“提升工程”的第一责任人"),
])
def test_5_leading_group_and_the_principal_as_first_responsible(capsys, tmp_path, pid, team, sentence):
    d = school(capsys, tmp_path, pid)
    report = check(capsys, d)
    assert "学校：尚未指定第一责任人（校长）" in messages(report)
    finding = next(f for f in report["findings"] if f["code"] == "teams.first_responsible")
    assert "第一责任人" in finding["basis"]
    if team:
        assert f"学校：尚未组建{team}" in messages(report)
        assert sentence in next(f["basis"] for f in report["findings"] if f["message"] == f"学校：尚未组建{team}")
        cli(capsys, d, "team", "add", "--kind", team)
        cli(capsys, d, "team", "add", "--kind", "项目办公室")
        cli(capsys, d, "team", "member", "add", "项目办公室", "--teacher", "T1")
    else:
        cli(capsys, d, "team", "add", "--kind", "校级管理团队", "--name", "提升工程领导小组")
        team = "提升工程领导小组"
    cli(capsys, d, "team", "member", "add", team, "--teacher", "T1", "--role", "校长", "--first-responsible")
    assert not [m for m in messages(check(capsys, d)) if "第一责任人" in m or "组建" in m]


# 6 ---------------------------------------------------------------------------------------------
def test_6_ningde_two_certificates_are_two_items(capsys, tmp_path):
    """002: "可获得培训机构出具的网络培训合格证明(50学时),及培训机构与各级教师进修院校联合出具的
    网络研修与教学实践合格证明(30学时)"."""
    d = school(capsys, tmp_path, "ningde-2016")
    f = tmp_path / "证明.pdf"
    f.write_bytes(b"%PDF-1.4 certificate 50")
    cli(capsys, d, "evidence", "add", "T1", "个人", "网络培训合格证明（50学时）", f)
    mine = [m for m in messages(check(capsys, d)) if m.startswith("教师甲：缺少")]
    assert mine == ["教师甲：缺少“训前诊断测评结果”", "教师甲：缺少“网络研修与教学实践合格证明（30学时）”"]


# 7 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pid,stated", [
    ("xuhui-2021", set()),                                     # 001 gives no month-day deadline
    ("ningde-2016", {"03-31"}),                                # "实施方案应于3月31日前报送“市工程办”"
    ("county-2023", set()),                                    # 000 gives none
    ("national-2.0", set()),                                   # no document: no dates invented
    ("wafangdian-2023", {"08-30", "11-20", "11-30"}),          # "8月30日前" / "11月中旬" / "11月末"
    ("bincheng-internet-plus", {"06-10", "07-02", "12-31"}),   # "6月10前" / "7月2日" / "12月31日"
])
def test_7_only_dates_the_document_states(capsys, tmp_path, pid, stated):
    d = school(capsys, tmp_path, pid)
    _, out, _ = run(capsys, *d, "deadline", "list", "--json")
    assert {r["due_on"][5:] for r in json.loads(out)} == stated
