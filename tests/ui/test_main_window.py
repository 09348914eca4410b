"""The shell: pages, menus, shortcuts, remembered window, status bar, about, folders, backup."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QLabel

from app import __version__
from app.services.school import get_school
from app.ui.pages import registry
from tests.ui.conftest import settle

ISSUE_PAGES = ["首页", "学校信息", "项目方案", "团队", "教师", "微能力", "学时与活动", "方案与计划", "证据材料", "校本考核", "导出与打印"]


def test_every_page_opens_in_chinese(qtbot, window):
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == ISSUE_PAGES
    for title in ISSUE_PAGES:
        page = window.go_to(title)
        settle()
        assert window.current_title() == title and window.stack.currentWidget().widget() is page
        texts = [w.text() for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton)
                 if w.isVisibleTo(page) and w.text().strip()]
        assert texts, title
        ascii_only = [t for t in texts if t.isascii() and not any(c.isdigit() for c in t) and t.strip() not in ("›",)]
        assert not ascii_only, f"{title}: untranslated text {ascii_only}"


def test_menus_and_shortcuts(window):
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["文件(&F)", "编辑(&E)", "视图(&V)", "帮助(&H)"]
    assert window.act_search.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert window.act_open_folder.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert window.act_add.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert [a.shortcut().toString() for a in window.page_actions] == [s.shortcut for s in registry.PAGES]
    window.page_actions[4].trigger()
    assert window.current_title() == "教师"


def test_edit_menu_drives_the_current_page(qtbot, window):
    page = window.go_to("教师")
    settle()
    assert window.act_add.isEnabled() and window.act_delete.isEnabled()
    window.act_search.trigger()
    assert window.focusWidget() is page.table.search
    window.act_add.trigger()
    assert page.dialog is not None and page.dialog.isVisible() and page.dialog.windowTitle() == "新增教师"
    page.dialog.reject()
    window.go_to("首页")
    assert not window.act_add.isEnabled()


def test_window_remembers_size_position_and_page(qtbot, controller, school_dir):
    assert controller.start(school_dir)
    w = controller.window
    # The offscreen screen is 800x800 and Qt clamps a restored width to the screen (then the
    # window's 1000 px minimum applies), so use a size that differs from the 1366x768 default
    # and survives that clamp.
    w.resize(1000, 700)
    w.move(40, 30)
    w.go_to("方案与计划")
    settle()
    w.close()
    from app.paths import config_dir
    assert (config_dir() / "tisheng-ui.ini").is_file()

    from app.ui.controller import AppController
    again = AppController()
    assert again.start(school_dir)
    w2 = again.window
    try:
        assert (w2.width(), w2.height()) == (1000, 700)
        assert w2.current_title() == "方案与计划"
    finally:
        w2.close_for_switch()
        again.close()


def test_status_bar_and_about(window, dialogs):
    school = get_school(window.api.workspace)
    assert window.status_school.text() == f"学校：{school.name}"
    assert window.status_programme.text() == f"项目方案：{school.programme_name}"
    assert str(window.api.workspace.paths.root) in window.status_folder.text()
    assert school.name in window.windowTitle()
    window.act_about.trigger()
    kind, title, text = dialogs.seen[-1]
    assert kind == "about" and __version__ in text and "版本" in text


def test_switch_to_a_new_empty_folder_and_back(qtbot, controller, window, dialogs, tmp_path):
    old = window
    new_folder = tmp_path / "another"
    new_folder.mkdir()
    dialogs.folder = str(new_folder)
    window.act_new_folder.trigger()
    wizard = controller.wizard
    assert wizard is not None and wizard.isVisible()
    assert controller.window is old                      # still open until the new school exists
    dialogs.answers = [True]                             # 退出设置向导并回到原来的数据文件夹吗？ 是
    wizard.reject()
    assert "回到原来的数据文件夹" in dialogs.texts("question")[-1]
    assert controller.window is old and controller.ws.paths.root == old.api.folder.root

    dialogs.folder = str(new_folder)
    window.act_open_folder.trigger()
    wizard = controller.wizard
    qtbot.mouseClick(wizard.welcome_page.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.window is not old, timeout=120000)
    settle()
    assert controller.ws.paths.root == new_folder.resolve()
    assert str(new_folder.resolve()) in controller.window.status_folder.text()
    assert str(new_folder.resolve()) in controller.settings.recent_data_dirs()[0]


def test_backup_runs_as_a_job(qtbot, window):
    before = set(window.api.workspace.paths.backups.glob("*.sqlite3"))
    window.act_backup.trigger()
    settle()
    made = set(window.api.workspace.paths.backups.glob("*.sqlite3")) - before
    assert len(made) == 1 and "manual" in next(iter(made)).name
    assert "已备份" in window.statusBar().currentMessage()
