"""帮助 › 用户手册 opens the manual, with its headings and screenshots, inside the app."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from app.resources import manual_path
from tests.ui.conftest import settle


def test_help_menu_opens_the_manual_with_its_screenshots(window, qtbot):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("帮助"))
    manual_action = next(a for a in help_menu.actions() if a.text() == "用户手册")
    manual_action.trigger()
    manual = window._manual_window
    qtbot.waitUntil(manual.isVisible)
    text = manual.browser.toPlainText()
    for heading in ("一、安装", "二、第一次打开：设置向导", "五、交给区县", "六、区县如何核验", "七、备份与换电脑"):
        assert heading in text
    first_image = "images/manual/设置向导.png"
    assert (manual_path().parent / first_image).is_file()
    image = manual.browser.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(first_image))
    assert image is not None and not image.isNull()
    manual_action.trigger()                              # a second click raises the same window
    assert window._manual_window is manual


def test_file_menu_exports_the_public_key_for_the_district(window, dialogs, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    from app.services import keys
    target = tmp_path / "U盘" / "学校公钥.pub"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    window.act_export_key.trigger()
    settle()                                             # written in the background
    info = keys.school_key(window.api.workspace)
    assert target.read_text(encoding="utf-8") == info.pub_file_text
    shown = [text for kind, title, text in dialogs.seen if title == "公钥已导出"]
    assert shown and info.fingerprint in shown[0]
