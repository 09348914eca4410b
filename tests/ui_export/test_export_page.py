"""导出与打印 as a user drives it: choose a folder, see size and findings, export, cancel, the seal code."""

import threading

from PySide6.QtCore import Qt

from app.services import faults
from app.services.bundle.verify import verify_path
from tests.ui_export.conftest import keep_shot, pdf_text, settle


def _page(window):
    page = window.go_to("导出与打印")
    settle()
    return page


def _choose_folder(qtbot, page, dialogs, folder):
    folder.mkdir(exist_ok=True)
    dialogs.folder = str(folder)
    qtbot.mouseClick(page.bundle.folder_button, Qt.MouseButton.LeftButton)
    settle()


def test_page_is_real_and_menu_offers_verify(window):
    from app.ui.export.export_page import ExportPage
    page = _page(window)
    assert isinstance(page, ExportPage)
    file_menu = window.menuBar().actions()[0].menu()
    assert "核验报送包…" in [a.text() for a in file_menu.actions()]


def test_choose_folder_shows_size_room_and_blocking_findings(qtbot, window, dialogs, tmp_path):
    page = _page(window)
    b = page.bundle
    assert "报送包约" in b.estimate.text()                      # size shown before any target
    assert not b.export_button.isEnabled()
    _choose_folder(qtbot, page, dialogs, tmp_path / "stick")
    assert str(tmp_path / "stick") in b.target.text()
    assert "可用空间" in b.estimate.text()
    # the demo school has blocking findings: listed, export refused until 不完整报送 is ticked
    assert b.findings.isVisible() and "必须处理的问题" in b.findings.toPlainText()
    assert "蒋勇" in b.findings.toPlainText()
    assert b.allow_incomplete.isEnabled() and not b.export_button.isEnabled()
    assert "不完整报送" in b.export_reason.text()
    b.allow_incomplete.setChecked(True)
    assert b.export_button.isEnabled()
    # un-masking shows its warning
    assert not b.unmask_warning.isVisible()
    b.mask.setChecked(False)
    assert b.unmask_warning.isVisible() and "完整的身份证号" in b.unmask_warning.text()
    keep_shot(window, "export_page_folder_chosen")


def test_export_to_folder_seals_a_valid_bag_and_shows_its_seal(qtbot, window, dialogs, tmp_path):
    page = _page(window)
    b = page.bundle
    stick = tmp_path / "stick"
    _choose_folder(qtbot, page, dialogs, stick)
    b.allow_incomplete.setChecked(True)
    dialogs.answers = [True]                                   # 确定导出不完整报送
    qtbot.mouseClick(b.export_button, Qt.MouseButton.LeftButton)
    settle()
    bags = [p for p in stick.iterdir()]
    assert len(bags) == 1 and bags[0].is_dir() and not bags[0].name.endswith(".partial")
    report = verify_path(bags[0])
    assert report.ok, report.errors
    assert b.result_card.isVisible()
    assert b.seal_code.text() == report.seal_code
    assert b.seal_code.font().pixelSize() >= 24                # large enough to compare with the paper
    assert "不完整报送" in b.result_notes.text()
    keep_shot(window, "export_page_done")
    # 打印签字确认表…: the bag's own PDF, whose pages carry the same seal code
    opened = []
    from app.ui.export import forms_actions
    forms_actions.preview_sealed_forms(page, window.api.workspace, b.result, b.sealed_pdf(), on_open=opened.append)
    settle()
    assert opened and opened[0].pdf == bags[0] / "签字确认表.pdf"
    assert report.seal_code in pdf_text(opened[0].pdf).replace(" ", "")
    opened[0].close()
    settle()
    assert (bags[0] / "签字确认表.pdf").exists()               # not a temporary: never deleted


def test_export_cli_verify_agrees(qtbot, window, dialogs, tmp_path):
    """`tisheng verify` on what the page exported: exit 0 and the same seal code."""
    import os
    import subprocess
    import sys
    page = _page(window)
    _choose_folder(qtbot, page, dialogs, tmp_path / "stick")
    page.bundle.allow_incomplete.setChecked(True)
    dialogs.answers = [True]
    page.bundle.start_export()
    settle()
    bag = page.bundle.result.path
    env = dict(os.environ, PYTHONPATH=str(os.getcwd()))
    run = subprocess.run([sys.executable, "-m", "app.cli.main", "verify", str(bag)], capture_output=True,
                         text=True, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert page.bundle.seal_code.text() in run.stdout


def test_cancel_midway_leaves_no_final_named_folder_and_export_again_works(qtbot, window, dialogs, tmp_path):
    page = _page(window)
    b = page.bundle
    stick = tmp_path / "stick"
    _choose_folder(qtbot, page, dialogs, stick)
    b.allow_incomplete.setChecked(True)
    reached, release = threading.Event(), threading.Event()

    def hold() -> None:                   # the worker waits here until the user has pressed 取消
        reached.set()
        release.wait(20)

    faults.inject("export.tagfiles", hold)
    try:
        dialogs.answers = [True]
        qtbot.mouseClick(b.export_button, Qt.MouseButton.LeftButton)
        job = b.export_job
        assert job is not None and not b.export_button.isEnabled()
        qtbot.waitUntil(reached.is_set, timeout=60000)
        qtbot.waitUntil(lambda: job.dialog is not None and job.dialog.isVisible(), timeout=5000)
        qtbot.mouseClick(job.dialog.cancel_button, Qt.MouseButton.LeftButton)
        release.set()
        settle()
    finally:
        faults.clear()
        release.set()
    assert job.outcome == "cancelled"
    assert [p.name for p in stick.iterdir() if not p.name.endswith(".partial")] == []
    assert not b.result_card.isVisible()
    assert "已取消导出" in window.statusBar().currentMessage()
    assert b.export_button.isEnabled()
    # and exporting again works
    dialogs.answers = [True]
    qtbot.mouseClick(b.export_button, Qt.MouseButton.LeftButton)
    settle()
    finals = [p for p in stick.iterdir() if not p.name.endswith(".partial")]
    assert len(finals) == 1 and verify_path(finals[0]).ok


def test_export_as_zip_then_print_regenerates_sealed_forms(qtbot, window, dialogs, tmp_path):
    page = _page(window)
    b = page.bundle
    _choose_folder(qtbot, page, dialogs, tmp_path / "stick")
    b.as_zip.setChecked(True)
    settle()
    b.allow_incomplete.setChecked(True)
    dialogs.answers = [True]
    b.start_export()
    settle()
    assert b.result.as_zip and b.result.path.suffix == ".zip"
    assert verify_path(b.result.path).ok
    assert b.sealed_pdf() is None
    qtbot.mouseClick(b.print_sealed_button, Qt.MouseButton.LeftButton)
    settle()
    dialog = next(w for w in page.findChildren(object) if type(w).__name__ == "FormsPreviewDialog")
    assert b.result.seal.seal_code in pdf_text(dialog.pdf).replace(" ", "")
    dialog.close()
    settle()
