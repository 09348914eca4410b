"""Issue 14 items 4 and 14: Esc in the set-up wizard asks first and keeps the draft; the district typed
pre-selects its programme."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.services.district_presets import preset_for_district
from app.services.programmes import preset_ids
from tests.ui.conftest import type_text


def _to_school_page(qtbot, wizard):
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.school_page


def test_escape_asks_and_keeps_what_was_typed(qtbot, controller, dialogs, tmp_path):
    folder = tmp_path / "new-school"
    assert controller.start(folder)
    wizard = controller.wizard
    gave_up = []
    controller.gave_up.connect(lambda: gave_up.append(True))
    _to_school_page(qtbot, wizard)
    type_text(qtbot, wizard.school_page.name, "东山路小学")
    type_text(qtbot, wizard.school_page.district, "大连市瓦房店市")

    dialogs.answers = [False]                               # Esc by mistake: 否 — stay
    qtbot.keyClick(wizard.school_page.name, Qt.Key.Key_Escape)
    assert dialogs.seen[-1][1] == "退出设置向导" and "已填写的内容会保留" in dialogs.seen[-1][2]
    assert wizard.isVisible() and wizard.school_page.name.text() == "东山路小学" and not gave_up

    dialogs.answers = [True]                                # 是 — leave; the draft is kept
    qtbot.keyClick(wizard.school_page.name, Qt.Key.Key_Escape)
    assert not wizard.isVisible() and gave_up
    controller.close()

    from app.ui.controller import AppController
    again = AppController(controller.settings)              # the next start, same settings file
    try:
        assert again.start(folder)
        page = again.wizard.school_page
        assert (page.name.text(), page.district.text()) == ("东山路小学", "大连市瓦房店市")
        assert again.wizard.programme_page.chooser.value() == "wafangdian-2023"
    finally:
        again.wizard.close_for_switch()
        again.close()


@pytest.mark.parametrize("district, preset", [
    ("大连市瓦房店市", "wafangdian-2023"), ("上海市徐汇区", "xuhui-2021"), ("福建省宁德市蕉城区", "ningde-2016"),
    ("宁德", "ningde-2016"), ("山东省滨州市滨城区", "bincheng-internet-plus"), ("滕州市", "bincheng-internet-plus"),
    ("滨城区", "bincheng-internet-plus"), ("示例市示例区", None), ("", None), ("瓦 房 店", "wafangdian-2023"),
])
def test_district_names_their_preset(district, preset):
    assert preset_for_district(district, set(preset_ids())) == preset


def test_typing_the_district_preselects_its_programme_until_the_user_chooses(qtbot, controller, dialogs, tmp_path):
    assert controller.start(tmp_path / "school")
    wizard = controller.wizard
    _to_school_page(qtbot, wizard)
    programme = wizard.programme_page
    type_text(qtbot, wizard.school_page.district, "上海市徐汇区")
    assert programme.chooser.value() == "xuhui-2021"
    wizard.school_page.district.clear()
    type_text(qtbot, wizard.school_page.district, "大连市瓦房店市")
    assert programme.chooser.value() == "wafangdian-2023"
    assert "瓦房店" in programme.district_note.text()
    chooser = programme.chooser                             # the user picks another with the mouse
    row = next(i for i in range(chooser.list.count())
               if chooser.list.item(i).data(Qt.ItemDataRole.UserRole) == "national-2.0")
    qtbot.mouseClick(chooser.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=chooser.list.visualItemRect(chooser.list.item(row)).center())
    type_text(qtbot, wizard.school_page.district, "x")     # a later edit of the district does not undo it
    assert chooser.value() == "national-2.0"
