"""`tisheng team ...`: teams, members and the 第一责任人, as a script drives them."""

TEAM_KEYS = {"id", "kind", "name", "duty", "members"}
MEMBER_KEYS = {"id", "team_id", "teacher_id", "name", "role", "duty", "is_first_responsible"}


def test_add_list_show_set_with_json_shapes(cli):
    row = cli.json("team", "add", "--kind", "校级管理团队", "--duty", "统筹整校推进")
    assert set(row) == TEAM_KEYS and row["name"] == "校级管理团队" and row["members"] == []
    other = cli.json("team", "add", "--kind", "其他", "--name", "家校共育团队")
    assert cli.json("team", "list") == [row, other]
    assert cli.json("team", "show", "家校共育团队") == other
    assert cli.json("team", "show", other["id"]) == other              # by number as well
    changed = cli.json("team", "set", "家校共育团队", "--kind", "培训指导团队", "--duty", "指导家长")
    assert (changed["id"], changed["kind"], changed["name"], changed["duty"]) == (
        other["id"], "培训指导团队", "家校共育团队", "指导家长")
    kept = cli.json("team", "set", other["id"], "--name", "家校团队")
    assert (kept["kind"], kept["duty"], kept["name"]) == ("培训指导团队", "指导家长", "家校团队")
    out = cli.ok("team", "list").out
    assert "家校团队" in out and "共 2 个团队" in out
    assert "已新建团队“信息化教学创新研修团队”" in cli.ok("team", "add", "--kind", "信息化教学创新研修团队").out


def test_members_and_the_one_first_responsible(cli, ids):
    cli.ok("team", "add", "--kind", "校级管理团队")
    made = cli.json("team", "member", "add", "校级管理团队", "--teacher", "T1", "--role", "校长",
                    "--duty", "全面负责", "--first-responsible")
    assert set(made) == {"team", "member"} and set(made["member"]) == MEMBER_KEYS
    assert made["member"] | {"id": 0} == {"id": 0, "team_id": made["team"]["id"], "teacher_id": ids["T1"],
                                          "name": "王芳", "role": "校长", "duty": "全面负责",
                                          "is_first_responsible": True}
    cli.ok("team", "member", "add", "校级管理团队", "--name", "刘教研员", "--role", "区教研员")
    out = cli.ok("team", "member", "add", "校级管理团队", "--teacher", "张伟", "--first-responsible").out
    assert "原第一责任人王芳改为普通成员" in out
    team = cli.json("team", "show", "校级管理团队")
    firsts = [m["name"] for m in team["members"] if m["is_first_responsible"]]
    assert firsts == ["张伟"] and {m["name"] for m in team["members"]} == {"王芳", "刘教研员", "张伟"}
    outsider = next(m for m in team["members"] if m["name"] == "刘教研员")
    assert outsider["teacher_id"] is None
    shown = cli.ok("team", "show", "校级管理团队").out
    assert "第一责任人：张伟" in shown and "校外" in shown
    removed = cli.json("team", "member", "remove", outsider["id"])
    assert removed == {"removed": outsider}
    assert "已将王芳移出团队“校级管理团队”" in cli.ok("team", "member", "remove", made["member"]["id"]).out
    assert [m["name"] for m in cli.json("team", "show", "校级管理团队")["members"]] == ["张伟"]


def test_a_school_check_sees_the_first_responsible_added_by_the_cli(cli):
    cli.ok("team", "add", "--kind", "校级管理团队")
    cli.ok("team", "member", "add", "校级管理团队", "--teacher", "T2", "--role", "副校长")

    before = cli.findings()
    cli.ok("team", "member", "add", "校级管理团队", "--teacher", "T1", "--role", "校长", "--first-responsible")
    after = cli.findings()
    assert "teams.first_responsible" in before and "teams.first_responsible" not in after


def test_refusals_are_chinese_and_change_nothing(cli):
    cli.ok("team", "add", "--kind", "校级管理团队")
    cli.ok("team", "member", "add", "校级管理团队", "--teacher", "T1")
    before = cli.state()
    assert "团队类型“校级”无效，应为：校级管理团队" in cli.fails("team", "add", "--kind", "校级")
    assert "团队“校级管理团队”已存在" in cli.fails("team", "add", "--kind", "校级管理团队")
    assert "团队名称过长" in cli.fails("team", "add", "--kind", "其他", "--name", "长" * 41)
    assert "看不见的控制字符" in cli.fails("team", "add", "--kind", "其他", "--name", "甲\n乙")
    assert "找不到团队“教研团队”" in cli.fails("team", "show", "教研团队")
    assert "现有团队：校级管理团队" in cli.fails("team", "set", "99", "--duty", "x")
    assert "已是团队“校级管理团队”的成员" in cli.fails("team", "member", "add", "校级管理团队", "--teacher", "王芳")
    assert "请用 --teacher 指定本校教师，或用 --name" in cli.fails("team", "member", "add", "校级管理团队")
    assert "只能选一个" in cli.fails("team", "member", "add", "校级管理团队", "--teacher", "T2", "--name", "李四")
    assert "找不到教师“李四”" in cli.fails("team", "member", "add", "校级管理团队", "--teacher", "李四")
    err = cli.fails("team", "member", "add", "校级管理团队", "--teacher", "陈静")
    assert "有 2 位教师叫“陈静”" in err and "工号 T5" in err
    assert "成员编号“甲”应为数字" in cli.fails("team", "member", "remove", "甲")
    assert "找不到编号为 999 的团队成员" in cli.fails("team", "member", "remove", "999")
    err = cli.fails("team", "remove", "校级管理团队")
    assert "有 1 位成员" in err and "--yes" in err
    assert "缺少必填参数" in cli.usage_error("team", "add")
    assert "缺少必填参数" in cli.usage_error("team", "member", "remove")
    assert cli.state() == before


def test_remove_with_and_without_members(cli):
    empty = cli.json("team", "add", "--kind", "其他", "--name", "临时团队")
    assert cli.json("team", "remove", "临时团队") == {"removed": empty}
    cli.ok("team", "add", "--kind", "校级管理团队")
    cli.ok("team", "member", "add", "校级管理团队", "--teacher", "T1")
    assert "已删除团队“校级管理团队”" in cli.ok("team", "remove", "校级管理团队", "--yes").out
    assert cli.json("team", "list") == []
    assert len(cli.json("teacher", "list")) == 7          # the teachers themselves stay
