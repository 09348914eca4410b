"""核验报送包 from the 文件 menu and from the page: several bundles, file by file, in plain words."""

from pathlib import Path

from PySide6.QtCore import Qt

from app.services.bundle.export import ExportOptions, export_bundle
from tests.ui_export.conftest import keep_shot, settle


def _export(ws, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    return export_bundle(ws, dest, ExportOptions(allow_incomplete=True)).path


def _evidence_file(bag: Path) -> Path:
    return next(p for p in sorted((bag / "data").rglob("*")) if p.is_file() and p.suffix == ".docx")


def test_menu_verify_names_the_altered_file_and_passes_the_good_one(qtbot, window, dialogs, tmp_path):
    good = _export(window.api.workspace, tmp_path / "a")
    bad = _export(window.api.workspace, tmp_path / "b")
    victim = _evidence_file(bad)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01                                 # one byte changed
    victim.write_bytes(bytes(data))

    window.act_verify.trigger()                                  # 文件 › 核验报送包…
    dialog = window.page("导出与打印").verify_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.verify_button.isEnabled()                  # nothing to verify yet
    for folder in (good, bad):
        dialogs.folder = str(folder)
        qtbot.mouseClick(dialog.add_folder_button, Qt.MouseButton.LeftButton)
    assert [r.name for r in dialog.rows()] == [good.name, bad.name]
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    settle()
    verdicts = {r.name: r.verdict for r in dialog.rows()}
    # the demo school still has problems: its bundles are 不完整报送, never plain 通过 (issue 14 item 9)
    assert verdicts == {good.name: "完整未改动 · 不完整报送", bad.name: "未通过"}
    assert "完整未改动但为不完整报送 1 个，未通过 1 个" in dialog.summary.text()
    details = dialog.details.toPlainText()                       # the failed one is selected first
    assert "未通过" in details and "被改动的文件" in details
    assert victim.name in details
    keep_shot(dialog, "verify_dialog_tampered")
    dialog.table.selectRow(0)
    assert "✔ 完整未改动 · 不完整报送：报送包完整" in dialog.details.toPlainText()
    dialog.close()
    settle()


def test_page_button_verifies_a_zip_with_a_registered_key(qtbot, window, dialogs, tmp_path):
    from app.services import keys
    ws = window.api.workspace
    dest = tmp_path / "z"
    dest.mkdir()
    bag = export_bundle(ws, dest, ExportOptions(allow_incomplete=True, as_zip=True)).path
    pub = keys.export_public(ws, tmp_path / "school.pub")
    page = window.go_to("导出与打印")
    settle()
    qtbot.mouseClick(page.verify_button, Qt.MouseButton.LeftButton)
    dialog = page.verify_dialog
    dialogs.open_files = [str(bag)]
    qtbot.mouseClick(dialog.add_zip_button, Qt.MouseButton.LeftButton)
    dialogs.open_files = [str(pub)]
    qtbot.mouseClick(dialog.key_button, Qt.MouseButton.LeftButton)
    assert dialog.key_edit.text() == str(pub)
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    settle()
    assert dialog.rows()[0].verdict == "完整未改动 · 不完整报送"
    assert "与登记的公钥一致" in dialog.details.toPlainText()
    dialog.close()
    settle()


def test_partial_folder_is_reported_as_unfinished(qtbot, window, dialogs, tmp_path):
    partial = tmp_path / "2102810001_20261123-000000.partial"
    (partial / "data").mkdir(parents=True)
    dialog = window.page("导出与打印").open_verify([str(partial)])
    settle()
    assert dialog.rows()[0].verdict == "未通过"
    assert "未完成" in dialog.details.toPlainText() or "没有完成" in dialog.details.toPlainText()
    dialog.close()
    settle()
