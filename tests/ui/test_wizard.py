"""First run: the set-up wizard, and the demo school as a cancellable background job."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QWizard

from app.services.programmes import load_preset
from app.services.school import ENVIRONMENT_HELP, get_school
from app.services.workspace import Workspace
from tests.ui.conftest import settle, type_text


def _next(qtbot, wizard):
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_wizard_sets_up_the_school(qtbot, controller, tmp_path):
    folder = tmp_path / "new-school"
    assert controller.start(folder)
    wizard = controller.wizard
    assert wizard is not None and wizard.isVisible() and controller.window is None
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "下一步(&N) >"   # Qt's own, in Chinese
    _next(qtbot, wizard)

    page = wizard.school_page
    assert wizard.currentPage() is page
    type_text(qtbot, page.name, "东山路小学")
    qtbot.keyClicks(page.code, "21 02/81")                  # a space and a slash: not allowed
    error = page.errors["code"]
    assert error.isVisible() and "只能由字母、数字" in error.full_text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.code.clear()
    qtbot.keyClicks(page.code, "2102810099")
    assert not error.isVisible()
    type_text(qtbot, page.district, "示例市示例区")
    _next(qtbot, wizard)

    env = wizard.environment_page
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()   # must choose one
    texts = [w.text() for w in env.findChildren(QLabel)]
    assert all(ENVIRONMENT_HELP[e] in texts for e in ENVIRONMENT_HELP)       # each explained in one line
    radio = env.buttons["智慧"]
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(10, radio.height() // 2))   # on the circle
    assert radio.isChecked()
    _next(qtbot, wizard)

    chooser = wizard.programme_page.chooser
    assert "全国提升工程2.0通行做法" in chooser.details.toPlainText()         # source shown before choosing
    row = next(i for i in range(chooser.list.count())
               if chooser.list.item(i).data(Qt.ItemDataRole.UserRole) == "wafangdian-2023")
    rect = chooser.list.visualItemRect(chooser.list.item(row))
    qtbot.mouseClick(chooser.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    details = chooser.details.toPlainText()
    assert load_preset("wafangdian-2023")["document"]["title"] in details
    assert "网络研修≥25" in details and "优秀案例不少于教师数的 3%" in details
    assert "依据：《瓦房店市中小学教师信息技术应用能力提升工程2.0实施方案》" in details
    _next(qtbot, wizard)

    assert "东山路小学" in wizard.confirm_page.summary.text()
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.window is not None)
    school = get_school(controller.ws)
    assert (school.name, school.code, school.environment, school.programme_id) == (
        "东山路小学", "2102810099", "智慧", "wafangdian-2023")
    assert school.district == "示例市示例区"
    # The status bar is filled by the window's first load, a job like every read.
    qtbot.waitUntil(lambda: "东山路小学" in controller.window.status_school.text(), timeout=10000)
    assert "瓦房店" in controller.window.status_programme.text()


def test_cancelling_the_demo_leaves_the_folder_untouched(qtbot, controller, tmp_path):
    folder = tmp_path / "empty"
    assert controller.start(folder)
    wizard = controller.wizard
    before = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    qtbot.mouseClick(wizard.welcome_page.demo_button, Qt.MouseButton.LeftButton)
    job = controller.demo_job
    assert job is not None
    progressed = []
    job.signals.progress.connect(lambda d, t, text: progressed.append(d))
    qtbot.waitUntil(lambda: job.dialog.isVisible() and bool(progressed), timeout=20000)
    assert wizard.isVisible()                       # the window behind keeps running
    with qtbot.waitSignal(job.signals.cancelled, timeout=20000):
        qtbot.mouseClick(job.dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert "正在取消" in job.dialog.label.text()
    settle()
    assert job.outcome == "cancelled"
    assert controller.window is None and controller.wizard is wizard and wizard.isVisible()
    with Workspace.open(folder) as ws:
        assert not ws.has_school()
    assert not any((folder / "tmp").iterdir())          # the half-built demo is gone
    after = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file()
                   if p.name not in ("tisheng.sqlite3-wal", "tisheng.sqlite3-shm"))
    assert [p for p in after if p.parts[0] == "store"] == [p for p in before if p.parts[0] == "store"]


def test_demo_school_opens_in_the_window(qtbot, controller, tmp_path):
    folder = tmp_path / "demo"
    assert controller.start(folder, demo=True)
    assert controller.demo_job is not None
    qtbot.waitUntil(lambda: controller.window is not None, timeout=120000)
    settle()
    assert controller.wizard is None
    window = controller.window
    assert "示例市实验小学" in window.status_school.text()
    page = window.go_to("教师")
    settle()
    assert page.table.model.rowCount() == 40
