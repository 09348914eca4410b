"""`tisheng group ...`: 学科研修组, their 组长 and members; a 组长 is never moved silently."""

GROUP_KEYS = {"id", "name", "subject", "leader_id", "leader", "common_point", "member_ids", "members"}
CHANGE_KEYS = {"group", "teachers", "leaderless_groups"}


def group_of(cli, staff_no):
    return next(t["group"] for t in cli.json("teacher", "list") if t["staff_no"] == staff_no)


def test_add_list_show_set_with_json_shapes(cli, ids):
    row = cli.json("group", "add", "--name", "语文研修组", "--subject", "语文", "--leader", "T1",
                   "--common-point", "a1")
    assert set(row) == GROUP_KEYS
    assert (row["leader"], row["leader_id"], row["common_point"], row["member_ids"]) == (
        "王芳", ids["T1"], "A1", [ids["T1"]])
    assert row["members"] == [{"id": ids["T1"], "name": "王芳", "staff_no": "T1"}]
    assert group_of(cli, "T1") == "语文研修组"                    # the 组长 is a member
    math = cli.json("group", "add", "--name", "数学研修组")
    assert math["leader_id"] is None and math["members"] == []
    assert cli.json("group", "list") == [row, math]
    assert cli.json("group", "show", "语文研修组") == row == cli.json("group", "show", row["id"])
    changed = cli.json("group", "set", "语文研修组", "--name", "语文组", "--subject", "语文、书法")
    assert (changed["name"], changed["subject"], changed["leader"], changed["common_point"]) == (
        "语文组", "语文、书法", "王芳", "A1")                         # what was not given is kept
    cli.ok("group", "join", "语文组", "T2")
    changed = cli.json("group", "set", "语文组", "--leader", "李明")
    assert changed["leader"] == "李明" and set(changed["member_ids"]) == {ids["T1"], ids["T2"]}
    assert cli.json("group", "set", "语文组", "--no-leader")["leader_id"] is None
    out = cli.ok("group", "show", "语文组").out
    assert "组长：（未指定）" in out and "王芳" in out and "李明" in out
    assert "共 2 个研修组" in cli.ok("group", "list").out


def test_join_and_leave_report_where_teachers_came_from(cli, ids):
    cli.ok("group", "add", "--name", "语文研修组", "--leader", "T1")
    cli.ok("group", "add", "--name", "数学研修组", "--leader", "T3")
    change = cli.json("group", "join", "数学研修组", "T4", "T2", "T4")
    assert set(change) == CHANGE_KEYS and change["leaderless_groups"] == []
    assert [(t["name"], t["previous_group"]) for t in change["teachers"]] == [("赵敏", ""), ("李明", "")]
    assert set(change["group"]["member_ids"]) == {ids["T3"], ids["T4"], ids["T2"]}
    out = cli.ok("group", "join", "语文研修组", "李明").out                # an ordinary member moves
    assert "李明（T2），原属“数学研修组”" in out
    assert group_of(cli, "T2") == "语文研修组"
    left = cli.json("group", "leave", "T4", "T5")
    assert left["group"] is None
    assert [(t["name"], t["previous_group"]) for t in left["teachers"]] == [("赵敏", "数学研修组"), ("陈静", "")]
    assert group_of(cli, "T4") == ""


def test_a_leader_of_another_group_is_moved_only_with_move(cli, ids):
    cli.ok("group", "add", "--name", "语文研修组", "--leader", "T1")
    cli.ok("group", "join", "语文研修组", "T2")
    cli.ok("group", "add", "--name", "数学研修组", "--leader", "T3")
    before = cli.state()
    err = cli.fails("group", "add", "--name", "综合研修组", "--leader", "李明")
    assert "李明目前属于研修组“语文研修组”" in err and "--move" in err
    err = cli.fails("group", "set", "数学研修组", "--leader", "王芳")
    assert "王芳目前属于研修组“语文研修组”" in err and "“语文研修组”的组长将空缺" in err
    err = cli.fails("group", "join", "数学研修组", "T2", "T1")
    assert "王芳是研修组“语文研修组”的组长" in err and "--move" in err
    err = cli.fails("group", "leave", "T3")
    assert "张伟是研修组“数学研修组”的组长" in err and "--yes" in err
    assert cli.state() == before                       # none of the refusals moved anyone
    out = cli.ok("group", "set", "数学研修组", "--leader", "王芳", "--move").out
    assert "王芳已从“语文研修组”调入本组" in out and "“语文研修组”现在没有组长" in out
    groups = {g["name"]: g for g in cli.json("group", "list")}
    assert groups["语文研修组"]["leader_id"] is None and groups["数学研修组"]["leader"] == "王芳"
    assert group_of(cli, "T1") == "数学研修组"
    change = cli.json("group", "leave", "王芳", "--yes")
    assert change["leaderless_groups"] == ["数学研修组"]


def test_join_with_move_leaves_the_old_group_without_a_leader(cli, ids):
    cli.ok("group", "add", "--name", "语文研修组", "--leader", "T1")
    cli.ok("group", "add", "--name", "数学研修组", "--leader", "T3")
    change = cli.json("group", "join", "数学研修组", "T1", "--move")
    assert change["leaderless_groups"] == ["语文研修组"]
    assert change["teachers"] == [{"id": ids["T1"], "name": "王芳", "staff_no": "T1",
                                   "previous_group": "语文研修组"}]
    assert next(g for g in cli.json("group", "list") if g["name"] == "语文研修组")["leader"] == ""


def test_check_follows_groups_made_by_the_cli(cli):
    cli.ok("school", "set", "--programme", "bincheng-internet-plus")
    assert "groups.missing" in cli.findings()
    cli.ok("group", "add", "--name", "语文研修组")
    assert "groups.leader" in cli.findings()
    cli.ok("group", "set", "语文研修组", "--leader", "T1")
    assert not {"groups.missing", "groups.leader"} & cli.findings()


def test_refusals_are_chinese_and_change_nothing(cli):
    cli.ok("group", "add", "--name", "语文研修组", "--leader", "T1")
    before = cli.state()
    assert "研修组“语文研修组”已存在" in cli.fails("group", "add", "--name", "语文研修组")
    assert "研修组名称不能为空" in cli.fails("group", "add", "--name", " ")
    assert "研修组名称过长" in cli.fails("group", "add", "--name", "组" * 41)
    assert "找不到研修组“英语组”" in cli.fails("group", "show", "英语组")
    assert "找不到教师“李四”" in cli.fails("group", "add", "--name", "英语组", "--leader", "李四")
    assert "有 2 位教师叫“陈静”" in cli.fails("group", "join", "语文研修组", "陈静")
    err = cli.fails("group", "join", "语文研修组", "T2", "李四", "赵六")
    assert "有 2 位教师无法确定" in err and "李四" in err and "赵六" in err
    assert "只能选一个" in cli.fails("group", "set", "语文研修组", "--leader", "T2", "--no-leader")
    err = cli.fails("group", "remove", "语文研修组")
    assert "有 1 位组员（王芳（T1））" in err and "--yes" in err
    assert "缺少必填参数" in cli.usage_error("group", "join", "语文研修组")
    assert cli.state() == before


def test_remove(cli):
    empty = cli.json("group", "add", "--name", "英语研修组")
    assert cli.json("group", "remove", "英语研修组") == {"removed": empty}
    cli.ok("group", "add", "--name", "语文研修组", "--leader", "T1")
    assert "已删除研修组“语文研修组”" in cli.ok("group", "remove", "语文研修组", "--yes").out
    assert cli.json("group", "list") == [] and group_of(cli, "T1") == ""
