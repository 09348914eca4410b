"""`tisheng point ...`: 教学点 and the teachers who work at them."""

import json

POINT_KEYS = {"id", "name", "environment", "address", "note", "teacher_count", "teachers"}


def point_of(cli, staff_no):
    return next(t["teaching_point"] for t in cli.json("teacher", "list") if t["staff_no"] == staff_no)


def micro_findings(cli):
    """Teachers named by a 能力点-rule finding of `tisheng check`."""
    cli("check", "--json")
    return {f["teacher_name"] for f in json.loads(cli.out)["findings"] if f["code"] == "micro.rule"}


def test_add_list_show_set_with_json_shapes(cli):
    row = cli.json("point", "add", "--name", "东山教学点", "--environment", "多媒体", "--address", "东山村")
    assert set(row) == POINT_KEYS
    assert (row["environment"], row["address"], row["teacher_count"], row["teachers"]) == ("多媒体", "东山村", 0, [])
    west = cli.json("point", "add", "--name", "西岭教学点")
    assert west["environment"] == ""                                   # the school's own
    assert cli.json("point", "list") == [row, west]
    assert cli.json("point", "show", "东山教学点") == row == cli.json("point", "show", row["id"])
    changed = cli.json("point", "set", "东山教学点", "--environment", "智慧", "--note", "2026年新建智慧教室")
    assert (changed["environment"], changed["address"], changed["note"]) == ("智慧", "东山村", "2026年新建智慧教室")
    assert cli.json("point", "set", row["id"], "--environment", "")["environment"] == ""
    assert cli.json("point", "set", row["id"], "--name", "东山村小")["name"] == "东山村小"
    out = cli.ok("point", "list").out
    assert "东山村小" in out and "同本校" in out and "共 2 个教学点" in out


def test_assign_and_unassign_with_the_number_of_teachers(cli, ids):
    cli.ok("point", "add", "--name", "东山教学点", "--environment", "多媒体")
    cli.ok("point", "add", "--name", "西岭教学点")
    change = cli.json("point", "assign", "东山教学点", "T1", "张伟", "T1")
    assert set(change) == {"point", "teachers", "warnings"} and change["warnings"] == []
    assert change["point"]["teacher_count"] == 2 and set(change["point"]) == POINT_KEYS
    assert change["teachers"] == [{"id": ids["T1"], "name": "王芳", "staff_no": "T1", "previous_point": ""},
                                  {"id": ids["T3"], "name": "张伟", "staff_no": "T3", "previous_point": ""}]
    out = cli.ok("point", "assign", "西岭教学点", "T3").out
    assert "张伟（T3），原在东山教学点" in out
    counts = {p["name"]: p["teacher_count"] for p in cli.json("point", "list")}
    assert counts == {"东山教学点": 1, "西岭教学点": 1}
    assert point_of(cli, "T3") == "西岭教学点"
    shown = cli.json("point", "show", "西岭教学点")
    assert shown["teachers"] == [{"id": ids["T3"], "name": "张伟", "staff_no": "T3"}]
    back = cli.json("point", "unassign", "T3", "T2")
    assert back["point"] is None
    assert [(t["name"], t["previous_point"]) for t in back["teachers"]] == [("张伟", "西岭教学点"), ("李明", "")]
    assert point_of(cli, "T3") == ""
    assert "校本部" in cli.ok("point", "unassign", "T1").out


def test_removing_a_point_with_teachers_needs_yes(cli):
    cli.ok("point", "add", "--name", "东山教学点")
    cli.ok("point", "assign", "东山教学点", "T1", "T2")
    before = cli.state()
    err = cli.fails("point", "remove", "东山教学点")
    assert "还有 2 位教师（王芳（T1）、李明（T2））" in err and "属于校本部" in err and "--yes" in err
    assert cli.state() == before
    removed = cli.json("point", "remove", "东山教学点", "--yes")["removed"]
    assert removed["name"] == "东山教学点" and removed["teacher_count"] == 2
    assert cli.json("point", "list") == [] and point_of(cli, "T1") == ""
    assert len(cli.json("teacher", "list")) == 7
    empty = cli.json("point", "add", "--name", "西岭教学点")
    assert cli.json("point", "remove", "西岭教学点") == {"removed": empty}


def test_refusals_are_chinese_and_change_nothing(cli):
    cli.ok("point", "add", "--name", "东山教学点")
    cli.ok("point", "add", "--name", "西岭教学点")
    before = cli.state()
    assert "信息化环境“智能”无效，应为：多媒体、混合、智慧" in cli.fails("point", "add", "--name", "北坡", "--environment", "智能")
    assert "教学点“东山教学点”已存在" in cli.fails("point", "add", "--name", "东山教学点")
    assert "教学点“东山教学点”已存在" in cli.fails("point", "set", "西岭教学点", "--name", "东山教学点")
    assert "教学点名称不能为空" in cli.fails("point", "set", "西岭教学点", "--name", "  ")
    assert "地址过长" in cli.fails("point", "set", "西岭教学点", "--address", "路" * 101)
    assert "找不到教学点“南湾”" in cli.fails("point", "assign", "南湾", "T1")
    err = cli.fails("point", "assign", "东山教学点", "T1", "李四")
    assert "找不到教师“李四”" in err
    assert "有 2 位教师叫“陈静”" in cli.fails("point", "unassign", "陈静")
    assert "缺少必填参数" in cli.usage_error("point", "assign", "东山教学点")
    assert cli.state() == before


def test_a_move_that_puts_chosen_points_out_of_reach_is_warned(cli):
    cli.ok("choose", "T1", "A1", "A5", "B2")                          # fine in the school's 混合 environment
    cli.ok("point", "add", "--name", "东山教学点", "--environment", "多媒体")
    change = cli.json("point", "assign", "东山教学点", "T1", "T2")
    assert len(change["warnings"]) == 1 and change["warnings"][0].startswith("王芳：能力点 B2")
    assert "提醒：王芳：能力点 B2" in cli.err and "tisheng choose" in cli.err
    assert point_of(cli, "T1") == "东山教学点"                          # the move stands
    assert "王芳" in micro_findings(cli)
    cli.ok("point", "set", "东山教学点", "--environment", "混合")
    assert cli.err == ""
    cli.ok("point", "set", "东山教学点", "--environment", "多媒体")
    assert "提醒：王芳：能力点 B2" in cli.err
    cli.ok("point", "unassign", "T1")
    assert cli.err == "" and "王芳" not in micro_findings(cli)
