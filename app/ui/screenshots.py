"""`tisheng gui --screenshot DIR`: render every page of the open school at 1366×768, then exit.

Used for the documentation. The user's window settings are not touched (a
throw-away settings file is used), and each page is captured only after its
background loads have finished.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from app.ui import jobs
from app.ui.pages import registry
from app.ui.settings import Settings

log = logging.getLogger(__name__)
SIZE = (1366, 768)


def _settle() -> None:
    app = QApplication.instance()
    for _ in range(3):
        app.processEvents()
        jobs.wait_idle(120000)
    app.processEvents()


def grab(widget: QWidget, path: Path) -> Path:
    _settle()
    widget.grab().save(str(path))
    return path


def _wizard_shot(ws, path: Path) -> Path:
    """The wizard's programme page (presets with their numbers), filled as a user would."""
    from app.ui.wizard.setup_wizard import SetupWizard
    wizard = SetupWizard(ws)
    wizard.resize(900, 640)
    wizard.show()
    wizard.next()
    wizard.school_page.name.setText("示例市实验小学")
    wizard.school_page.code.setText("2102810001")
    wizard.next()
    wizard.environment_page.buttons["混合"].setChecked(True)
    wizard.next()
    grab(wizard, path)
    wizard.hide()
    wizard.deleteLater()
    return path


def take_screenshots(controller, data_dir, out_dir: Path, *, demo: bool = False) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="tisheng-shots-")
    controller.settings = Settings(QSettings(str(Path(scratch) / "ui.ini"), QSettings.Format.IniFormat))
    if not controller.start(data_dir, demo=demo):
        return 1
    _settle()
    window = controller.window
    if window is None:
        if controller.wizard is not None:
            controller.wizard.resize(*SIZE)
            grab(controller.wizard, out_dir / "设置向导.png")
        sys.stderr.write("数据文件夹中还没有学校，只截取了设置向导。可加 --demo 使用示例学校。\n")
        controller.close()
        return 0
    window.resize(*SIZE)
    window.show()
    saved = []
    for title in registry.TITLES:
        window.go_to(title)
        saved.append(grab(window, out_dir / f"{title}.png"))
    from app.ui.wizard.setup_wizard import SetupWizard
    saved.append(_wizard_shot(controller.ws, out_dir / "设置向导.png"))
    for path in saved:
        print(path)
    window.close_for_switch()
    controller.close()
    return 0
