"""The district window, driven like a user: set-up, intake with progress, confirming a fingerprint
from paper, the paper tie, receipts, the county view and its workbook, the key register; and on the
school's side, importing the receipt until the 首页 says 区县已接收."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWizard

from app.services import keys
from app.services.district import register
from app.services.district.office import folder_kind, init_district
from app.services.workspace import Workspace
from app.ui.district.district_window import DistrictWindow
from tests.district.conftest import export, small_school
from tests.ui.conftest import click_row, settle, type_text


@pytest.fixture
def district_setup(tmp_path):
    """A district folder; a stick with two schools' bundles, the first school's key registered."""
    a = small_school(tmp_path / "a", "A01", "甲小学", seed=1)
    b = small_school(tmp_path / "b", "B02", "乙小学", seed=2)
    stick = tmp_path / "stick"
    bags = [export(a, stick), export(b, stick)]
    fp_a, fp_b = keys.school_key(a).fingerprint, keys.school_key(b).fingerprint
    a.close()
    b.close()
    with Workspace.open(tmp_path / "district") as ws:
        init_district(ws, name="示例区教师发展中心", code="D1")
        register.add_key(ws, "A01", fingerprint=fp_a)
    return tmp_path / "district", stick, bags, fp_b


@pytest.fixture
def dwindow(controller, district_setup, qtbot):
    folder = district_setup[0]
    assert controller.start(folder)
    w = controller.window
    assert isinstance(w, DistrictWindow)
    w.resize(1366, 768)
    settle()
    return w


def test_the_wizard_sets_up_a_district_office(qtbot, controller, tmp_path):
    assert controller.start(tmp_path / "new")
    wizard = controller.wizard
    qtbot.mouseClick(wizard.welcome_page.role.district, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    page = wizard.district_page
    assert wizard.currentPage() is page
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    type_text(qtbot, page.name, "示例区教师发展中心")
    type_text(qtbot, page.code, "D210281")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(controller.window, DistrictWindow), timeout=20000)
    settle()
    assert folder_kind(controller.ws) == "district"
    assert "示例区教师发展中心" in controller.window.windowTitle()


def test_intake_confirm_paper_receipt_and_county(qtbot, dwindow, district_setup, dialogs, tmp_path):
    _folder, stick, bags, fp_b = district_setup
    page = dwindow.go_to("接收报送包")
    dialogs.folder = str(stick)
    page.act_stick.trigger()
    settle()
    assert "接收 1 个" in page.summary.text() and "待确认 1 个" in page.summary.text()
    assert any("需要核对指纹" in title for _k, title, _t in dialogs.seen)
    pending = next(r for r in page.table.model.rows() if r.outcome == "待确认")
    click_row(qtbot, page.table, pending.id)
    assert page.act_confirm.isEnabled()
    page.confirm_selected()
    dialog = page.confirm_dialog
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    type_text(qtbot, dialog.fingerprint.edit, "0000 0000 0000 0000 0000 0000 0000 0000")
    assert not ok.isEnabled() and "不一致" in dialog.verdict.text()
    dialog.fingerprint.edit.clear()
    type_text(qtbot, dialog.fingerprint.edit, fp_b.lower().replace("-", " "))
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    settle()
    assert "接收 1 个" in page.summary.text()
    assert sum(1 for r in page.table.model.rows() if r.outcome == "接收") == 2

    paper = dwindow.go_to("纸质确认表")
    settle()
    type_text(qtbot, paper.code, bags[1].seal.seal_code.replace("-", ""))
    qtbot.keyClick(paper.code, Qt.Key.Key_Return)
    settle()
    assert "✔ 一致" in paper.result.text() and paper.code.text() == ""
    type_text(qtbot, paper.code, "0" * 32)
    qtbot.keyClick(paper.code, Qt.Key.Key_Return)
    settle()
    assert "✘ 不匹配" in paper.result.text()
    type_text(qtbot, paper.code, "0A51-2O")
    qtbot.keyClick(paper.code, Qt.Key.Key_Return)
    settle()
    assert "第 2 组" in paper.result.text()

    receipts = dwindow.go_to("回执")
    settle()
    click_row(qtbot, receipts.table, next(r.id for r in receipts.table.model.rows() if r.unit_code == "A01"))
    dialogs.folder = str(tmp_path / "home")
    receipts.act_issue.trigger()
    settle()
    r = receipts.last
    assert r is not None and r.path.is_file()
    minisign = shutil.which("minisign") or "/usr/bin/minisign"
    assert subprocess.run([minisign, "-Vm", str(r.path), "-p", str(r.public_key)], capture_output=True).returncode == 0

    county = dwindow.go_to("全县总览")
    settle()
    assert county.table.proxy.rowCount() == 2
    county.filter.setCurrentText("确认表未收")
    assert county.table.proxy.rowCount() == 1 and "显示 1 / 共 2 条" == county.table.count_label.text()
    county.table.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    dialogs.save_file = str(tmp_path / "全县汇总.xlsx")
    county.act_export.trigger()
    settle()
    assert (tmp_path / "全县汇总.xlsx").is_file()

    recheck = dwindow.go_to("规则复核")
    settle()
    click_row(qtbot, recheck.table, recheck.table.model.rows()[0].id)
    settle()
    assert "区县方案" in recheck.detail.toPlainText()
    versions = dwindow.go_to("报送版本")
    settle()
    click_row(qtbot, versions.table, versions.table.model.rows()[0].id)
    settle()
    assert "首次报送" in versions.detail.toPlainText()
    dup = dwindow.go_to("材料雷同")
    settle()
    assert dup.tabs.tabText(0) == "相同文件（0）"


def test_registering_a_key_checks_the_fingerprint_as_typed(qtbot, dwindow):
    page = dwindow.go_to("密钥登记")
    settle()
    dialog = page.add_record()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    type_text(qtbot, dialog.school, "C03")
    type_text(qtbot, dialog.fingerprint.edit, "3F2A 91C0 0B7E 4D2I")
    assert not save.isEnabled() and "第 4 组" in dialog.fingerprint.error.full_text()
    assert "数字 1" in dialog.fingerprint.error.full_text()
    qtbot.keyClick(dialog.fingerprint.edit, Qt.Key.Key_Backspace)
    type_text(qtbot, dialog.fingerprint.edit, "1 9AC3 55E0 1F2B C4D8")
    assert dialog.fingerprint.count.text() == "✔ 8/8 组" and save.isEnabled()
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    settle()
    assert any(r.unit_code == "C03" and r.fingerprint == "3F2A-91C0-0B7E-4D21-9AC3-55E0-1F2B-C4D8"
               for r in page.table.model.rows())


def test_an_intake_can_be_cancelled(qtbot, dwindow, district_setup):
    from app.services.district.queries import list_bundles
    stick = district_setup[1]
    page = dwindow.go_to("接收报送包")
    job = page.start_ingest([stick])
    job.cancel()                           # 取消 in the progress dialog calls this
    settle()
    assert job.outcome == "cancelled" or (job.outcome == "finished" and page.last_summary.cancelled)
    assert list_bundles(dwindow.ws) == []


def test_the_school_imports_the_receipt_and_its_home_page_says_so(qtbot, window, dialogs, tmp_path):
    from app.services.district import intake, receipts
    bag = export(window.ws, tmp_path / "stick")
    with Workspace.open(tmp_path / "district") as d:
        init_district(d, name="示例区教师发展中心", code="D1")
        register.add_key(d, bag.seal.school_code, fingerprint=keys.school_key(window.ws).fingerprint)
        assert intake.ingest(d, [bag.path]).outcomes[0].outcome == "接收"
        r = receipts.issue_receipt(d, bag.seal.school_code, tmp_path / "home")
        district_fp = keys.school_key(d).fingerprint
    dialogs.open_file = str(r.path)
    window._on_import_receipt()
    settle()
    question = window._district_key_question
    type_text(qtbot, question.fingerprint.edit, district_fp)
    qtbot.mouseClick(question.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle()
    assert any("区县已接收 · " in text for text in dialogs.texts("information"))
    home = window.go_to("首页")
    home.refresh()
    settle()
    assert "区县已接收 · " in home.subtitle.text()

