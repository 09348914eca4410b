"""Moving to a new PC: the set-up wizard of an empty data folder restores a full backup from a USB stick."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.services.backup import manual
from app.services.school import get_school
from app.services.teachers import list_teachers
from app.services.workspace import Workspace
from tests.ui.conftest import settle


def test_wizard_restores_a_full_backup_into_an_empty_folder(qtbot, controller, school_dir, dialogs, tmp_path):
    stick = tmp_path / "U盘"
    with Workspace.open(school_dir) as old:
        name = get_school(old).name
        teachers = sorted(t.name for t in list_teachers(old))
        full = manual.make_backup(old, stick, full=True).path
    new_pc = tmp_path / "新电脑的数据文件夹"
    assert controller.start(new_pc)
    wizard = controller.wizard
    assert wizard is not None and wizard.welcome_page.restore_button.isVisible()
    dialogs.open_file = str(full / "README-请先阅读.txt")     # the user picks a file in the backup on the stick
    qtbot.mouseClick(wizard.welcome_page.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.window is not None, timeout=30000)
    settle()
    assert controller.wizard is None
    assert controller.window.status_school.text() == f"学校：{name}"
    message = next(text for kind, title, text in dialogs.seen if title == "恢复完成")
    assert "恢复前的数据已备份" not in message            # the new folder had nothing to back up
    ws = controller.ws
    assert sorted(t.name for t in list_teachers(ws)) == teachers
    assert (new_pc / "keys").is_dir() and any((new_pc / "store").rglob("*"))


def test_cancelled_file_choice_leaves_the_wizard(qtbot, controller, dialogs, tmp_path):
    assert controller.start(tmp_path / "empty")
    wizard = controller.wizard
    dialogs.open_file = ""
    qtbot.mouseClick(wizard.welcome_page.restore_button, Qt.MouseButton.LeftButton)
    settle()
    assert controller.window is None and controller.wizard is wizard and controller.recover_job is None
