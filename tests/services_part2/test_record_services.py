"""The service functions behind `tisheng team/group/course/point`: lookups by name or number,
moving teachers between 研修组 and 教学点, and the duplicates they refuse."""

import pytest

from app.errors import AmbiguousError, ConfirmationRequired, NotFoundError, ValidationError
from app.models import StudyGroup, Team
from app.services import courses, school, teachers, teams
from app.services.naming import clean_text, find_by_name_or_id


def group(ws, name):
    return next(g for g in teams.list_groups(ws) if g.name == name)


def test_clean_text_refuses_control_characters_and_overlong_text():
    assert clean_text("\u3000东山教学点 ", "名称", 40, field="name") == "东山教学点"
    for bad in ("东山\n教学点", "东山\t教学点", "东山\u200b教学点", "东山\x00"):
        with pytest.raises(ValidationError, match="看不见的控制字符"):
            clean_text(bad, "名称", 40, field="name")
    with pytest.raises(ValidationError, match="名称过长（41 个字，最多 40 个字）"):
        clean_text("长" * 41, "名称", 40, field="name")
    with pytest.raises(ValidationError, match="名称不能为空"):
        clean_text(" ", "名称", 40, field="name", required=True)


def test_a_name_wins_over_a_number_and_unknown_names_list_what_exists(small):
    ws, s = small
    first = teams.list_teams(ws)[0]
    numbered = teams.save_team(ws, None, kind="其他", name=str(teams.list_teams(ws)[1].id))
    assert teams.find_team(ws, numbered.name).id == numbered.id            # the team called “2”
    assert teams.find_team(ws, str(first.id)).id == first.id
    assert teams.find_team(ws, f" {first.name} ").id == first.id
    with pytest.raises(NotFoundError, match="现有团队：信息化教学创新研修团队、校级管理团队"):
        teams.find_team(ws, "教研团队")
    with pytest.raises(NotFoundError, match="请指定团队"):
        teams.find_team(ws, "")
    with pytest.raises(NotFoundError, match="找不到研修组“99999999999”"):
        teams.find_group(ws, "99999999999")
    with ws.sessions() as sess:
        assert find_by_name_or_id(sess, StudyGroup, "语文研修组", noun="研修组").id == s.groups["语文研修组"]
        assert find_by_name_or_id(sess, Team, "1", noun="团队").id == 1


def test_save_group_keeps_the_window_behaviour_unless_asked(small):
    ws, s = small
    wang, zhang = s.ids["王芳"], s.ids["张伟"]           # 组长 of 语文 and of 数学
    # The window (move_leader None) moves the 组长 with the members it was given, as before.
    teams.save_group(ws, None, name="综合组", leader_id=zhang, member_ids=[zhang])
    assert teachers.get_teacher(ws, zhang).group == "综合组"
    with pytest.raises(ConfirmationRequired, match="王芳目前属于研修组“语文研修组”.*“语文研修组”的组长将空缺"):
        teams.save_group(ws, None, name="英语组", leader_id=wang, move_leader=False)
    assert [g.name for g in teams.list_groups(ws)] == ["语文研修组", "数学研修组", "综合组"]
    assert teachers.get_teacher(ws, wang).group == "语文研修组"
    row = teams.save_group(ws, None, name="英语组", leader_id=wang, move_leader=True)
    assert row.member_ids == (wang,) and row.leader == "王芳"
    assert group(ws, "语文研修组").leader_id is None                      # not led by an outsider
    # A leader who is in no group simply joins; one already in the group stays.
    liu = s.ids["刘洋"]
    assert teams.save_group(ws, row.id, name="英语组", leader_id=liu, move_leader=False).member_ids == (wang, liu)
    with pytest.raises(NotFoundError, match="找不到所选的组长"):
        teams.save_group(ws, row.id, name="英语组", leader_id=99999, move_leader=False)


def test_join_is_all_or_nothing_and_reports_the_groups_left(small):
    ws, s = small
    math = s.groups["数学研修组"]
    with pytest.raises(ConfirmationRequired, match="王芳是研修组“语文研修组”的组长"):
        teams.join_group(ws, math, [s.ids["李明"], s.ids["王芳"]])
    assert teachers.get_teacher(ws, s.ids["李明"]).group == "语文研修组"      # nobody moved
    change = teams.join_group(ws, math, [s.ids["李明"], s.ids["刘洋"], s.ids["李明"]])
    assert [(t.name, t.previous_group) for t in change.teachers] == [("李明", "语文研修组"), ("刘洋", "")]
    assert set(change.group.member_ids) == {s.ids["张伟"], s.ids["赵敏"], s.ids["李明"], s.ids["刘洋"]}
    assert change.leaderless_groups == ()
    change = teams.join_group(ws, math, [s.ids["王芳"]], move_leaders=True)
    assert change.leaderless_groups == ("语文研修组",)
    with pytest.raises(NotFoundError):
        teams.join_group(ws, 999, [s.ids["王芳"]])


def test_leave_refuses_a_leader_unless_dropped(small):
    ws, s = small
    with pytest.raises(ConfirmationRequired, match="以下教师不能调动，未做任何更改") as exc:
        teams.leave_group(ws, [s.ids["张伟"], s.ids["王芳"], s.ids["赵敏"]])
    assert len(exc.value.details) == 2                                    # both leaders named at once
    assert "张伟是研修组“数学研修组”的组长，离组后该组将没有组长" in exc.value.full_message()
    assert teachers.get_teacher(ws, s.ids["赵敏"]).group == "数学研修组"
    change = teams.leave_group(ws, [s.ids["赵敏"]])
    assert change.group is None and change.teachers[0].previous_group == "数学研修组"
    change = teams.leave_group(ws, [s.ids["张伟"]], drop_leaders=True)
    assert change.leaderless_groups == ("数学研修组",) and group(ws, "数学研修组").member_ids == ()


def test_a_member_is_added_once_per_team_and_removal_returns_it(small):
    ws, s = small
    guide = next(t for t in teams.list_teams(ws) if t.kind == "信息化教学创新研修团队")
    with pytest.raises(ValidationError, match="“张伟”已是团队“信息化教学创新研修团队”的成员"):
        teams.add_member(ws, guide.id, teacher_id=s.ids["张伟"])
    with pytest.raises(ValidationError, match="“刘教研员”已是团队"):
        teams.add_member(ws, guide.id, name="刘教研员")
    mgmt = next(t for t in teams.list_teams(ws) if t.kind == "校级管理团队")
    teams.add_member(ws, mgmt.id, name="刘教研员")                     # another team: fine
    with pytest.raises(ValidationError, match="分工过长"):
        teams.add_member(ws, mgmt.id, teacher_id=s.ids["李明"], duty="长" * 201)
    member = next(m for m in guide.members if m.teacher_id == s.ids["张伟"])
    assert teams.remove_member(ws, member.id) == member
    with pytest.raises(NotFoundError, match=f"找不到编号为 {member.id} 的团队成员"):
        teams.remove_member(ws, member.id)


def test_team_kind_and_name_are_checked(small):
    ws, _ = small
    with pytest.raises(ValidationError, match="团队类型“教研组”无效，应为：校级管理团队"):
        teams.save_team(ws, None, kind="教研组")
    with pytest.raises(ValidationError, match="请指定团队类型"):
        teams.save_team(ws, None, kind="")
    with pytest.raises(ValidationError, match="看不见的控制字符"):
        teams.save_team(ws, None, kind="其他", name="甲\r\n乙")


def test_teaching_points_update_assign_count_and_remove(small):
    ws, s = small
    east = school.find_teaching_point(ws, "东山教学点")
    assert (east.environment, east.teacher_count) == ("多媒体", 1)            # 赵敏
    west = school.add_teaching_point(ws, "西岭教学点", address="西岭村")
    changed = school.update_teaching_point(ws, west.id, environment="智慧")
    assert (changed.name, changed.environment, changed.address) == ("西岭教学点", "智慧", "西岭村")
    with pytest.raises(ValidationError, match="教学点“东山教学点”已存在"):
        school.update_teaching_point(ws, west.id, name="东山教学点")
    with pytest.raises(ValidationError, match="应为：多媒体、混合、智慧"):
        school.update_teaching_point(ws, west.id, environment="5G")
    assert school.find_teaching_point(ws, west.id).environment == "智慧"       # the refusals changed nothing
    change = school.assign_teaching_point(ws, west.id, [s.ids["赵敏"], s.ids["王芳"]])
    assert [(t.name, t.previous_point) for t in change.teachers] == [("赵敏", "东山教学点"), ("王芳", "")]
    assert {p.name: p.teacher_count for p in school.list_teaching_points(ws)} == {"东山教学点": 0, "西岭教学点": 2}
    back = school.assign_teaching_point(ws, None, [s.ids["王芳"]])
    assert back.point is None and teachers.get_teacher(ws, s.ids["王芳"]).teaching_point == ""
    with pytest.raises(NotFoundError):
        school.assign_teaching_point(ws, west.id, [s.ids["王芳"], 99999])
    assert teachers.get_teacher(ws, s.ids["王芳"]).teaching_point == ""        # all or nothing
    school.remove_teaching_point(ws, west.id)
    assert teachers.get_teacher(ws, s.ids["赵敏"]).teaching_point == ""        # back at the school


def test_a_course_is_registered_once_per_semester(small):
    ws, s = small
    first = courses.save_course(ws, None, [s.ids["王芳"]], title="微课", semester="第一学期", hours=4)
    with pytest.raises(ValidationError, match="第一学期已有校本研修课程“微课”"):
        courses.save_course(ws, None, [s.ids["王芳"]], title="微课", semester="第一学期", hours=4)
    second = courses.save_course(ws, None, [], title="微课", semester="第二学期", hours=4)
    assert courses.save_course(ws, first.id, None, title="微课", semester="第一学期", hours=6).hours == 6
    with pytest.raises(AmbiguousError, match="有 2 门校本研修课程叫“微课”"):
        courses.find_course(ws, "微课")
    assert courses.find_course(ws, str(second.id)).semester == "第二学期"
    with pytest.raises(ValidationError, match="课程名称中第 2 个字符是看不见的控制字符"):
        courses.save_course(ws, None, [], title="微\n课", semester="第一学期", hours=4)


def test_resolve_many_names_every_problem_at_once(small):
    ws, s = small
    rows = teachers.resolve_many(ws, ["T3", "王芳", "张伟"])
    assert [r.name for r in rows] == ["张伟", "王芳"]
    with pytest.raises(NotFoundError, match="有 2 位教师无法确定") as exc:
        teachers.resolve_many(ws, ["T1", "李四", "赵六"])
    assert len(exc.value.details) == 2 and "李四" in exc.value.details[0]
    with pytest.raises(NotFoundError, match="找不到教师“李四”"):
        teachers.resolve_many(ws, ["T1", "李四"])
    with pytest.raises(ValidationError, match="请至少指定一位教师"):
        teachers.resolve_many(ws, [])
