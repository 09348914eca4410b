"""`tisheng course ...`: 校本研修课程; every participant's hours follow the course."""

import pytest

COURSE_KEYS = {"id", "title", "semester", "hours", "category", "lead", "status", "note", "participant_ids",
               "participants"}
SEM1, SEM2 = "2026-2027学年第一学期", "2026-2027学年第二学期"


def course_hours(cli):
    """(teacher, hours, category) of every hours record that came from a course."""
    return sorted((r["teacher"], r["hours"], r["category"]) for r in cli.json("hours", "list")
                  if r["source"] == "校本课程")


def test_add_list_show_with_json_shapes_and_hours(cli, ids):
    row = cli.json("course", "add", "--title", "微课设计与制作", "--semester", SEM1, "--hours", "12",
                   "--lead", "王芳", "--status", "实施中", "--participants", "T1", "李明", "T1")
    assert set(row) == COURSE_KEYS
    assert (row["hours"], row["category"], row["status"], row["lead"]) == (12, "实践应用", "实施中", "王芳")
    assert row["participants"] == [{"id": ids["T1"], "name": "王芳", "staff_no": "T1"},
                                   {"id": ids["T2"], "name": "李明", "staff_no": "T2"}]
    assert course_hours(cli) == [("李明", 12, "实践应用"), ("王芳", 12, "实践应用")]
    assert cli.json("course", "list") == [row]
    assert cli.json("course", "show", "微课设计与制作") == row == cli.json("course", "show", row["id"])
    out = cli.ok("course", "show", row["id"]).out
    assert "参加教师 2 人：王芳（T1）、李明（T2）" in out and "学时：12" in out
    out = cli.ok("course", "add", "--title", "学情分析", "--semester", SEM1, "--hours", "6",
                 "--category", "网络研修").out
    assert "0 人各计 6 学时（网络研修）" in out
    assert "共 2 门课程" in cli.ok("course", "list").out


def test_all_means_the_teachers_in_post(cli, ids):
    row = cli.json("course", "add", "--title", "全员课程", "--semester", SEM1, "--hours", 4, "--all")
    assert sorted(row["participant_ids"]) == sorted(i for s, i in ids.items() if s != "T7")   # T7 免修


def test_set_updates_the_participants_hours(cli, ids):
    row = cli.json("course", "add", "--title", "微课设计与制作", "--semester", SEM1, "--hours", 12,
                   "--participants", "T1", "T2")
    changed = cli.json("course", "set", "微课设计与制作", "--hours", "8", "--category", "网络研修", "--status", "已完成")
    assert (changed["hours"], changed["category"], changed["status"], changed["semester"]) == (
        8, "网络研修", "已完成", SEM1)
    assert changed["participant_ids"] == row["participant_ids"]           # kept when not given
    assert course_hours(cli) == [("李明", 8, "网络研修"), ("王芳", 8, "网络研修")]
    cli.ok("course", "set", row["id"], "--participants", "T3")
    assert course_hours(cli) == [("张伟", 8, "网络研修")]
    cli.ok("course", "set", row["id"], "--participants")                   # an empty list clears it
    assert course_hours(cli) == []
    assert cli.json("course", "set", row["id"], "--title", "微课")["title"] == "微课"


def test_the_same_title_in_two_semesters_is_named_by_number(cli):
    first = cli.json("course", "add", "--title", "微课", "--semester", SEM1, "--hours", 4)
    second = cli.json("course", "add", "--title", "微课", "--semester", SEM2, "--hours", 4)
    err = cli.fails("course", "show", "微课")
    assert f"有 2 门校本研修课程叫“微课”：编号 {first['id']}（{SEM1}）、编号 {second['id']}（{SEM2}）" in err
    assert cli.json("course", "show", second["id"])["semester"] == SEM2


def test_remove_takes_the_course_hours_only_when_confirmed(cli):
    cli.ok("hours", "add", "T1", "--category", "实践应用", "--hours", 5)
    row = cli.json("course", "add", "--title", "微课", "--semester", SEM1, "--hours", 4, "--participants", "T1")
    err = cli.fails("course", "remove", "微课")
    assert "有 1 位参加教师（王芳（T1））" in err and "每人 4 学时" in err and "--yes" in err
    assert course_hours(cli) == [("王芳", 4, "实践应用")]
    assert cli.json("course", "remove", "微课", "--yes")["removed"]["id"] == row["id"]
    assert course_hours(cli) == [] and len(cli.json("hours", "list")) == 1      # manual hours stay
    empty = cli.json("course", "add", "--title", "空课", "--semester", SEM1, "--hours", 2)
    assert cli.json("course", "remove", empty["id"]) == {"removed": empty}


@pytest.mark.parametrize("args,message", [
    (("--hours", "abc"), "学时“abc”不是数字"),
    (("--hours", "-3"), "学时应为正数"),
    (("--hours", "5000"), "超过单条记录上限"),
    (("--hours", "4", "--category", "网络"), "学时类别“网络”不属于本校项目方案"),
    (("--hours", "4", "--status", "结束"), "课程状态“结束”无效"),
    (("--hours", "4", "--all", "--participants", "T1"), "--participants 与 --all 只能选一个"),
    (("--hours", "4", "--participants", "T1", "李四"), "找不到教师“李四”"),
    (("--hours", "4", "--participants", "陈静"), "有 2 位教师叫“陈静”"),
])
def test_bad_values_are_refused_and_change_nothing(cli, args, message):
    before = cli.state()
    assert message in cli.fails("course", "add", "--title", "微课", "--semester", SEM1, *args)
    assert cli.state() == before


def test_a_course_entered_twice_is_refused(cli):
    row = cli.json("course", "add", "--title", "微课", "--semester", SEM1, "--hours", 4, "--participants", "T1")
    before = cli.state()
    err = cli.fails("course", "add", "--title", "微课", "--semester", SEM1, "--hours", 4, "--participants", "T1")
    assert f"{SEM1}已有校本研修课程“微课”（编号 {row['id']}）" in err
    other = cli.json("course", "add", "--title", "微课二", "--semester", SEM1, "--hours", 4)
    assert "已有校本研修课程“微课”" in cli.fails("course", "set", other["id"], "--title", "微课")
    assert "课程名称不能为空" in cli.fails("course", "set", row["id"], "--title", "")
    assert "找不到校本研修课程“99”" in cli.fails("course", "set", "99", "--hours", 3)
    assert "缺少必填参数" in cli.usage_error("course", "add", "--title", "微课")
    cli.ok("course", "remove", other["id"])
    assert cli.state() == before
