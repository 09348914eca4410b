"""Issue 14 item 5: choosing a 组长 who belongs to another 研修组 asks first, naming that group."""

from PySide6.QtCore import Qt

from app.services import teachers, teams
from tests.ui.conftest import choose, click_row, settle


def test_leader_from_another_group_asks_and_names_it(qtbot, window, dialogs):
    page = window.go_to("团队")
    settle()
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    groups = teams.list_groups(window.api.workspace)
    chinese = next(g for g in groups if g.name == "语文研修组")
    maths = next(g for g in groups if g.name == "数学研修组")
    click_row(qtbot, page.groups, chinese.id, double=True)      # 修改 语文研修组
    dialog = page.dialog
    outsider = next(t for t in teachers.list_teachers(window.api.workspace) if t.group == "数学研修组" and t.id != maths.leader_id)
    choose(qtbot, dialog.field("leader_id"), data=outsider.id)

    dialogs.answers = [False]                                     # 否: nothing moves, the form stays open
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    title, text = dialogs.seen[-1][1:]
    assert title == "组长来自其他研修组"
    assert f"{outsider.name} 现在是“数学研修组”的组员" in text and "移到“语文研修组”" in text
    assert dialog.isVisible()
    assert teachers.get_teacher(window.api.workspace, outsider.id).group == "数学研修组"

    dialogs.answers = [True]                                      # 是: moved, and made 组长
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    assert not dialog.isVisible()
    assert teachers.get_teacher(window.api.workspace, outsider.id).group == "语文研修组"
    assert next(g for g in teams.list_groups(window.api.workspace) if g.id == chinese.id).leader_id == outsider.id


def test_taking_another_groups_leader_says_that_group_loses_its_leader(qtbot, window, dialogs):
    page = window.go_to("团队")
    settle()
    page.tabs.setCurrentIndex(1)
    groups = teams.list_groups(window.api.workspace)
    chinese = next(g for g in groups if g.name == "语文研修组")
    maths = next(g for g in groups if g.name == "数学研修组" and g.leader_id)
    click_row(qtbot, page.groups, chinese.id, double=True)
    dialog = page.dialog
    choose(qtbot, dialog.field("leader_id"), data=maths.leader_id)
    dialogs.answers = [False]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "并且是该组的组长" in dialogs.seen[-1][2] and "“数学研修组”将没有组长" in dialogs.seen[-1][2]


def test_own_member_as_leader_asks_nothing(qtbot, window, dialogs):
    page = window.go_to("团队")
    settle()
    page.tabs.setCurrentIndex(1)
    chinese = next(g for g in teams.list_groups(window.api.workspace) if g.name == "语文研修组")
    click_row(qtbot, page.groups, chinese.id, double=True)
    dialog = page.dialog
    member = next(t for t in teachers.list_teachers(window.api.workspace) if t.group == "语文研修组" and t.id != chinese.leader_id)
    choose(qtbot, dialog.field("leader_id"), data=member.id)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)    # the dialogs double fails on any question
    settle()
    assert not dialog.isVisible()
