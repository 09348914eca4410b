"""学校信息 and 团队: edit the profile with live checks, teaching points, members with 第一责任人, groups."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from app.services import school as school_service
from app.services import teachers, teams
from app.services.school import ENVIRONMENT_HELP
from tests.ui.conftest import choose, clear_text, click_row, settle, type_text


def _button(widget, text):
    return next(b for b in widget.findChildren(QToolButton) if b.defaultAction() and b.defaultAction().text() == text)


def test_school_profile_validates_and_saves(qtbot, window):
    page = window.go_to("学校信息")
    settle()
    form = page.form
    phone = form.field("contact_phone")
    phone.selectAll()
    qtbot.keyClicks(phone, "12345")
    assert "格式不正确" in form.error_text("contact_phone")
    phone.selectAll()
    qtbot.keyClicks(phone, "0411-85550000")
    assert form.error_text("contact_phone") == ""
    env = form.field("environment")
    choose(qtbot, env, "智慧")
    assert form.env_help.text() == ENVIRONMENT_HELP["智慧"]
    name = form.field("name")
    name.clear()
    type_text(qtbot, name, "示例市实验小学（东校区）")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    settle()
    row = school_service.get_school(window.api.workspace)
    assert (row.name, row.environment, row.contact_phone) == ("示例市实验小学（东校区）", "智慧", "0411-85550000")
    assert window.status_school.text() == "学校：示例市实验小学（东校区）"     # status bar follows
    assert "示例市实验小学（东校区）" in window.windowTitle()


def test_add_a_teaching_point(qtbot, window):
    page = window.go_to("学校信息")
    settle()
    qtbot.mouseClick(_button(page, "新增教学点…"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    type_text(qtbot, dialog.field("name"), "西岭教学点")
    choose(qtbot, dialog.field("environment"), "多媒体")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    names = {p.name: p.environment for p in school_service.list_teaching_points(window.api.workspace)}
    assert names["西岭教学点"] == "多媒体"
    assert "西岭教学点" in [p.name for p in page.points.model.rows()]


def test_add_principal_as_first_responsible(qtbot, window):
    page = window.go_to("团队")
    settle()
    mgmt = next(t for t in teams.list_teams(window.api.workspace) if t.kind == "校级管理团队")
    click_row(qtbot, page.teams, mgmt.id)
    newcomer = teachers.list_teachers(window.api.workspace)[20]
    qtbot.mouseClick(_button(page, "添加成员…"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)       # nobody chosen yet
    assert "请选择本校教师" in dialog.error_text("teacher_id") and dialog.isVisible()
    choose(qtbot, dialog.field("teacher_id"), data=newcomer.id)
    type_text(qtbot, dialog.field("role"), "校长")
    assert dialog.first.isChecked()                          # 校长 of the management team: 第一责任人
    type_text(qtbot, dialog.field("duty"), "第一责任人，全面负责")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    team = next(t for t in teams.list_teams(window.api.workspace) if t.id == mgmt.id)
    firsts = [m for m in team.members if m.is_first_responsible]
    assert [m.teacher_id for m in firsts] == [newcomer.id]    # only one 第一责任人
    shown = page.teams.model.row_at(page.teams.model.position_of(mgmt.id))
    assert page.teams.model.COLUMNS[3].display(shown) == newcomer.name
    assert newcomer.id in {m.teacher_id for m in page.members.model.rows()}


def test_study_group_with_leader_and_members(qtbot, window):
    page = window.go_to("团队")
    settle()
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    qtbot.mouseClick(_button(page, "新建研修组…"), Qt.MouseButton.LeftButton)
    dialog = page.dialog
    type_text(qtbot, dialog.field("name"), "音体美研修组")
    arts = [t for t in teachers.list_teachers(window.api.workspace) if t.subject in ("音乐", "美术", "体育与健康")]
    for subject in ("音乐", "美术", "体育与健康"):               # find each subject, tick everyone shown
        clear_text(qtbot, dialog.picker.search)
        type_text(qtbot, dialog.picker.search, subject)
        qtbot.mouseClick(dialog.picker.select_all, Qt.MouseButton.LeftButton)
    assert set(dialog.picker.value()) == {t.id for t in arts}
    choose(qtbot, dialog.field("leader_id"), data=arts[0].id)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    group = next(g for g in teams.list_groups(window.api.workspace) if g.name == "音体美研修组")
    assert group.leader_id == arts[0].id and set(group.member_ids) == {t.id for t in arts}
    assert page.groups.model.position_of(group.id) is not None
    assert all(teachers.get_teacher(window.api.workspace, t.id).group == "音体美研修组" for t in arts)
