"""A school adjusts its programme through the CLI; every change is checked, recorded and travels with it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli.main import main
from app.services.programmes import load_preset, programme_hash
from tests.foundation.school_builder import TEACHER_ID

FIXTURE_V1 = Path(__file__).parent.parent / "fixtures" / "db" / "v1.sqlite3"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def show(capsys, d) -> dict:
    code, out, _ = run(capsys, *d, "programme", "show", "--json")
    assert code == 0
    return json.loads(out)


def make_school(capsys, d, tmp: Path) -> None:
    """The same small 瓦房店 school, built the same way each time."""
    assert run(capsys, *d, "init", "--name", "实验小学", "--code", "S1", "--environment", "混合",
               "--programme", "wafangdian-2023")[0] == 0
    assert run(capsys, *d, "teacher", "add", "--name", "王芳", "--id-number", TEACHER_ID, "--staff-no", "T1")[0] == 0
    assert run(capsys, *d, "hours", "add", "T1", "--category", "网络研修", "--hours", 30, "--date", "2026-10-01")[0] == 0
    assert run(capsys, *d, "hours", "add", "T1", "--category", "校本实践", "--hours", 22, "--date", "2026-10-02")[0] == 0


def findings(capsys, d) -> list[tuple]:
    code, out, _ = run(capsys, *d, "check", "--json")
    return sorted((f["code"], f["message"], f["severity"]) for f in json.loads(out)["findings"])


def test_set_shows_the_difference_and_records_who_and_when(capsys, tmp_path):
    d = ["--data-dir", tmp_path / "a"]
    make_school(capsys, d, tmp_path)
    code, out, _ = run(capsys, *d, "programme", "set", "hours.categories.校本实践.min", "20", "--by", "李主任",
                       "--note", "市项目办通知：校本实践调整为20学时")
    assert code == 0 and "已调整" in out and "校本实践≥20" in out
    view = show(capsys, d)
    rule = next(r for r in view["rules"] if r["key"] == "hours.categories")
    assert rule["changed"] and "校本实践≥25" in rule["preset_text"]
    assert view["adjusted"] and view["differences"] == ["hours.categories"]
    assert view["applied_hash"] != view["preset_hash"]
    change = view["changes"][-1]
    assert change["by"] == "李主任" and change["key"] == "hours.categories" and "20学时" in change["note"]
    assert "校本实践≥25" in change["before"] and "校本实践≥20" in change["after"]
    code, out, _ = run(capsys, *d, "programme", "show")
    assert "已调整：内置方案为 网络研修≥25、校本实践≥25（实践类）" in out and "李主任" in out


def test_a_wrong_value_is_refused_in_chinese_and_nothing_is_saved(capsys, tmp_path):
    d = ["--data-dir", tmp_path / "a"]
    make_school(capsys, d, tmp_path)
    before = show(capsys, d)
    for key, value, words in (("hours.total_min", "很多", "总学时下限"),
                              ("hours.practice_share", "150%", "实践类学时"),
                              ("micro.count.min", "9", "最多个数"),
                              ("school.documents.工作总结.due", "13-45", "截止日期"),
                              ("no.such.rule", "1", "没有名为"),
                              ("grading.scale", "off", "不能停用"),
                              ("hours.categories.体育.min", "3", "中没有“体育”")):
        code, out, err = run(capsys, *d, "programme", "set", key, value)
        assert code == 2 and words in err and out == "", (key, err)
    after = show(capsys, d)
    assert after["applied_hash"] == before["applied_hash"] and after["changes"] == []


def test_rules_switch_on_and_off_and_reset(capsys, tmp_path):
    d = ["--data-dir", tmp_path / "a"]
    make_school(capsys, d, tmp_path)
    assert ("teams.missing" in {c for c, _, _ in findings(capsys, d)})
    assert run(capsys, *d, "programme", "set", "school.teams", "off")[0] == 0
    assert "teams.missing" not in {c for c, _, _ in findings(capsys, d)}
    assert run(capsys, *d, "programme", "set", "micro.dimensions", "on")[0] == 0     # a national default, off
    assert next(r for r in show(capsys, d)["rules"] if r["key"] == "micro.dimensions")["on"]
    assert run(capsys, *d, "programme", "reset", "school.teams")[0] == 0
    assert "teams.missing" in {c for c, _, _ in findings(capsys, d)}
    assert run(capsys, *d, "programme", "reset")[0] == 0
    view = show(capsys, d)
    assert not view["adjusted"] and view["applied_hash"] == view["preset_hash"]
    assert len(view["changes"]) == 4


def test_adjusted_exported_imported_elsewhere_gives_identical_findings(capsys, tmp_path):
    a, b = ["--data-dir", tmp_path / "a"], ["--data-dir", tmp_path / "b"]
    make_school(capsys, a, tmp_path)
    make_school(capsys, b, tmp_path)
    for key, value in (("hours.total_min", "60"), ("micro.range.codes", "A1,A3,B2"),
                       ("school.teams", "off"), ("assessment.excellent_share", "5%")):
        assert run(capsys, *a, "programme", "set", key, value, "--by", "区项目办")[0] == 0
    assert findings(capsys, a) != findings(capsys, b)
    f = tmp_path / "我区方案.json"
    code, out, _ = run(capsys, *a, "programme", "export", f, "--json")
    exported = json.loads(out)["hash"]
    assert code == 0 and f.is_file()
    code, out, _ = run(capsys, *b, "programme", "import", f)
    assert code == 0 and "4 条规则不同" in out
    assert findings(capsys, a) == findings(capsys, b)
    assert show(capsys, b)["applied_hash"] == exported == show(capsys, a)["applied_hash"]
    assert "从文件“我区方案.json”导入" in show(capsys, b)["changes"][-1]["note"]


def test_a_broken_or_foreign_file_is_refused_and_nothing_changes(capsys, tmp_path):
    d = ["--data-dir", tmp_path / "a"]
    make_school(capsys, d, tmp_path)
    before = show(capsys, d)["applied_hash"]
    bad = load_preset("wafangdian-2023")
    bad["rules"]["hours.categories"]["value"][0]["min"] = -5
    cases = {"坏.json": json.dumps(bad, ensure_ascii=False), "不是json.json": "{{{", "别的.json": '{"a": 1}',
             "深.json": "[" * 100000}
    for name, text in cases.items():
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        code, _, err = run(capsys, *d, "programme", "import", f)
        assert code == 2 and name in err, err
    assert show(capsys, d)["applied_hash"] == before


def test_a_first_release_programme_file_still_imports(capsys, tmp_path):
    d = ["--data-dir", tmp_path / "a"]
    make_school(capsys, d, tmp_path)
    v1 = {"format": "tisheng-programme", "format_version": 1, "id": "my-district", "name": "某区方案",
          "source": "某区文件", "summary": "", "hours": {"total_min": 40, "categories": [
              {"key": "网络研修", "min": 20, "practice": False}, {"key": "校本实践", "min": 20, "practice": True}]},
          "micro": {"min_points": 2, "environment_rule": "within"}, "teacher_items": [],
          "grading": {"scale": ["合格", "不合格"], "pass": ["合格"], "fail": "不合格"},
          "school": {"plans_required": ["校本研修方案"], "plan_status_required": "已提交"}}
    f = tmp_path / "旧方案.json"
    f.write_text(json.dumps(v1, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, *d, "programme", "import", f)[0] == 0
    view = show(capsys, d)
    keys = {r["key"]: r for r in view["rules"]}
    assert keys["hours.total_min"]["value"] == 40 and keys["micro.count"]["value"] == {"min": 2, "max": None}
    assert keys["hours.total_min"]["origin"] == "school"


def test_the_first_release_database_gets_the_corrected_programme(tmp_path):
    from app.services.programmes.adjust import show_programme
    from app.services.workspace import Workspace
    shutil.copytree(FIXTURE_V1.parent, tmp_path / "d", ignore=lambda *_: [])
    (tmp_path / "d" / "v1.sqlite3").rename(tmp_path / "d" / "tisheng.sqlite3")
    with Workspace.open(tmp_path / "d") as ws:
        view = show_programme(ws)
    assert all(r.source for r in view.rules) and view.applied_hash


def test_the_bundle_carries_the_programme_and_verify_names_a_relaxed_rule(capsys, tmp_path):
    d = ["--data-dir", tmp_path / "a"]
    make_school(capsys, d, tmp_path)
    assert run(capsys, *d, "programme", "set", "assessment.pass_rate", "off", "--by", "校长")[0] == 0
    out_dir = tmp_path / "stick"
    out_dir.mkdir()
    code, out, err = run(capsys, *d, "export", out_dir, "--allow-incomplete", "--json")
    assert code == 0, err
    bag = next(out_dir.iterdir())
    doc = json.loads((bag / "data" / "bundle.json").read_text(encoding="utf-8"))
    prog = doc["programme"]
    assert prog["applied_hash"] == programme_hash(prog["rules"]) and prog["differences"] == ["assessment.pass_rate"]
    assert "Tisheng-Program-Hash: " + prog["applied_hash"] in (bag / "bag-info.txt").read_text(encoding="utf-8")
    code, out, _ = run(capsys, "verify", bag)
    assert code == 0
    assert "与封存时记录的一致" in out and "调整了 1 条规则" in out
    assert "考核合格率：校本考核合格率不低于 100%（未启用）（内置方案：校本考核合格率不低于 100%）" in out
    code, out, _ = run(capsys, "verify", bag, "--json")
    check = json.loads(out)["bags"][0]["info"]["programme_check"] if "bags" in json.loads(out) else \
        json.loads(out)["info"]["programme_check"]
    assert check["differs_from_preset"] is True and check["differences"][0]["key"] == "assessment.pass_rate"
