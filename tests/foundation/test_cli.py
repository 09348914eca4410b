"""The command line as district staff and scripts use it."""

import json
import subprocess
import sys

import pytest

from app.cli.main import main
from tests.foundation.school_builder import TEACHER_ID


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path):
    return tmp_path / "school"


def test_version_and_chinese_help():
    out = subprocess.run([sys.executable, "-m", "app", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "整校推进助手" in out.stdout
    out = subprocess.run([sys.executable, "-m", "app", "--help"], capture_output=True, text=True)
    assert "子命令" in out.stdout and "数据文件夹" in out.stdout


def test_programmes_json(capsys):
    code, out, _ = run(capsys, "programmes", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows][0] == "national-2.0"
    assert all({"id", "name", "source"} <= set(r) for r in rows) and len(rows) == 6


def test_demo_then_check_json_lists_unmet_requirements(capsys, data):
    code, out, _ = run(capsys, "--data-dir", data, "demo")
    assert code == 0 and "示例学校" in out
    code, out, _ = run(capsys, "--data-dir", data, "check", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["blocking"] >= 3
    kinds = {f["code"] for f in report["findings"]}
    assert {"hours.total", "evidence.missing", "support.open", "micro.rule", "plans.status"} <= kinds
    assert report["summary"]["teachers"] == 40 and report["summary"]["exempt"] == 2
    code, out, _ = run(capsys, "--data-dir", data, "teacher", "list", "--json")
    teachers = json.loads(out)
    assert len(teachers) == 40 and all("*" in t["id_number"] for t in teachers)   # masked by default


def test_demo_refuses_a_folder_that_has_a_school(capsys, data):
    run(capsys, "--data-dir", data, "init", "--name", "甲校", "--code", "A1", "--environment", "多媒体")
    code, _, err = run(capsys, "--data-dir", data, "demo")
    assert code == 2 and "已有学校" in err


def test_wrong_id_number_is_refused_and_nothing_written(capsys, data):
    run(capsys, "--data-dir", data, "init", "--name", "甲校", "--code", "A1", "--environment", "多媒体")
    code, _, err = run(capsys, "--data-dir", data, "teacher", "add", "--name", "王芳", "--id-number",
                       "110105194912310021")
    assert code == 2 and "校验位错误" in err
    code, out, _ = run(capsys, "--data-dir", data, "teacher", "list", "--json")
    assert json.loads(out) == []


def test_duplicate_teacher_is_refused(capsys, data):
    run(capsys, "--data-dir", data, "init", "--name", "甲校", "--code", "A1", "--environment", "多媒体")
    assert run(capsys, "--data-dir", data, "teacher", "add", "--name", "王芳", "--id-number", TEACHER_ID)[0] == 0
    code, _, err = run(capsys, "--data-dir", data, "teacher", "add", "--name", "王芳芳", "--id-number",
                       TEACHER_ID.lower())
    assert code == 2 and "已属于教师“王芳”" in err


def test_a_whole_year_scripted_ends_with_check_passing(capsys, data, tmp_path):
    d = ["--data-dir", data]
    assert run(capsys, *d, "init", "--name", "实验小学", "--code", "3301020001", "--environment", "混合",
               "--programme", "wafangdian-2023")[0] == 0
    assert run(capsys, *d, "teacher", "add", "--name", "王芳", "--id-number", TEACHER_ID, "--staff-no", "T1",
               "--subject", "语文")[0] == 0
    code, _, err = run(capsys, *d, "choose", "T1", "A1", "A3")
    assert code == 2 and "须选择 3 个能力点，已选 2 个" in err
    # "根据学校信息化环境、智慧教学发展及教师整体情况等综合因素选择微能力提升范围"
    assert run(capsys, *d, "programme", "set", "micro.range.codes", "A1,A3,A6,B2", "--by", "教务处")[0] == 0
    code, _, err = run(capsys, *d, "choose", "T1", "A1", "A3", "B1")
    assert code == 2 and "B1 不在本校确定的微能力提升范围内" in err
    assert run(capsys, *d, "choose", "T1", "A1", "A3", "B2")[0] == 0
    assert run(capsys, *d, "hours", "add", "王芳", "--category", "网络研修", "--hours", 25, "--date", "2026-10-01")[0] == 0
    assert run(capsys, *d, "hours", "add", "王芳", "--category", "校本实践", "--hours", 25)[0] == 0
    f = tmp_path / "证据.docx"
    f.write_bytes(b"evidence")
    items = {"A1": 2, "A3": 2, "B2": 2, "个人": 2}     # 个人: 学习指导案 and 个人研修计划
    for code_, n in items.items():
        for i in range(1, n + 1):
            f.write_bytes(f"{code_}{i}".encode())
            assert run(capsys, *d, "evidence", "add", "T1", code_, i, f)[0] == 0
    for code_, n in items.items():
        for i in range(1, n + 1):
            grade = "不合格" if (code_, i) == ("B2", 2) else "优秀"
            assert run(capsys, *d, "assess", "T1", code_, i, grade, "--reviewer", "李老师")[0] == 0
    for kind in ("信息化教育教学发展规划", "校本研修方案", "校本应用考核方案"):
        assert run(capsys, *d, "plan", "add", "--kind", kind, "--status", "已备案", "--file", f)[0] == 0
    assert run(capsys, *d, "plan", "add", "--kind", "工作总结", "--status", "已提交", "--file", f)[0] == 0
    for kind in ("校级管理团队", "培训指导团队"):
        from app.services import teams
        from app.services.workspace import Workspace
        with Workspace.open(data) as ws:
            team = teams.save_team(ws, None, kind=kind)
            teams.add_member(ws, team.id, teacher_id=1, role="校长", first_responsible=True)
    code, out, _ = run(capsys, *d, "check", "--json")
    found = {x["code"] for x in json.loads(out)["findings"]}
    assert code == 1 and "support.missing" in found
    code, _, err = run(capsys, *d, "case", "mark", "T1", "B2")
    assert code == 2 and "不合格" in err
    assert run(capsys, *d, "support", "add", "T1", "--helper", "李老师", "--reassess-on", "2026-12-10")[0] == 0
    assert run(capsys, *d, "assess", "T1", "B2", 2, "合格", "--reviewer", "李老师")[0] == 0
    assert run(capsys, *d, "support", "close", "T1")[0] == 0
    assert run(capsys, *d, "case", "mark", "T1", "A1")[0] == 0
    code, out, _ = run(capsys, *d, "check")
    assert code == 0, out
    assert "没有未达标事项" in out or "必须处理 0 项" in out


def test_unknown_teacher_and_ambiguous_name(capsys, data):
    from tests.foundation.school_builder import valid_id
    d = ["--data-dir", data]
    run(capsys, *d, "init", "--name", "甲校", "--code", "A1", "--environment", "多媒体")
    run(capsys, *d, "teacher", "add", "--name", "张伟", "--id-number", valid_id("11010519850101001"))
    run(capsys, *d, "teacher", "add", "--name", "张伟", "--id-number", valid_id("11010519860101001"))
    code, _, err = run(capsys, *d, "teacher", "show", "张伟")
    assert code == 2 and "有 2 位教师叫“张伟”" in err
    code, _, err = run(capsys, *d, "teacher", "show", "李四")
    assert code == 2 and "找不到教师“李四”" in err


def test_remove_teacher_says_what_goes_with_it(capsys, data):
    d = ["--data-dir", data]
    run(capsys, *d, "init", "--name", "甲校", "--code", "A1", "--environment", "多媒体")
    run(capsys, *d, "teacher", "add", "--name", "王芳", "--id-number", TEACHER_ID)
    run(capsys, *d, "hours", "add", "王芳", "--category", "网络研修", "--hours", 3)
    code, _, err = run(capsys, *d, "teacher", "remove", "王芳")
    assert code == 2 and "学时记录 1 条" in err
    assert run(capsys, *d, "teacher", "remove", "王芳", "--yes")[0] == 0
    code, out, _ = run(capsys, *d, "hours", "list", "--json")
    assert json.loads(out) == []
