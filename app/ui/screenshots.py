"""`tisheng gui --screenshot DIR [--size WxH] [--scale F]`: every page and every add/edit dialog, then exit.

For the documentation and for checking by eye what a school's screen shows: a
1024×600 netbook (`--size 1024x600`), a projector PC (`--size 1280x720`),
Windows at 150 % (`--size 1920x1080 --scale 1.5`). The window is drawn off
screen on a virtual screen of that size, the maximised window's room is given
to the window, and each page and dialog is captured after its background
loads have finished. `布局检查.json` beside the pictures lists, per picture,
whatever does not fit (a button off the screen, a clipped page, a main table
that scrolls sideways); the same problems are printed.

Nothing is written to the user's settings: a throw-away settings file lives in
a scratch folder that is removed at the end, with the virtual screen's file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app.ui import jobs
from app.ui.pages import registry

log = logging.getLogger(__name__)
DEFAULT_SIZE = (1366, 768)
REPORT_NAME = "布局检查.json"
WIDE_ENOUGH = 1280          # at this logical width and above, no main table may scroll sideways


def parse_size(text: str) -> tuple[int, int]:
    """'1024x600' (or 1024×600) → (1024, 600)."""
    w, _, h = text.lower().replace("×", "x").partition("x")
    try:
        size = (int(w), int(h))
    except ValueError:
        raise ValueError(f"屏幕尺寸应写成 宽x高，如 1024x600，而不是“{text}”。") from None
    if min(size) < 200 or max(size) > 10000:
        raise ValueError(f"屏幕尺寸 {text} 不合理。")
    return size


def prepare_platform(size: tuple[int, int] | None, scale: float | None) -> Path:
    """Before the QApplication exists: an off-screen virtual screen of `size`, scaled by `scale`.

    Returns the scratch folder (screen file, throw-away settings); remove it with `cleanup()`.
    """
    scratch = Path(tempfile.mkdtemp(prefix="tisheng-shots-"))
    width, height = size or DEFAULT_SIZE
    screen = {"screens": [{"name": "screen0", "x": 0, "y": 0, "width": width, "height": height,
                           "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
    (scratch / "screen.json").write_text(json.dumps(screen), encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={scratch / 'screen.json'}"
    if scale:
        os.environ["QT_SCALE_FACTOR"] = f"{scale:g}"
    return scratch


def scratch_settings(scratch: Path):
    """Settings in the scratch folder, for the controller and for every `Settings()` made meanwhile."""
    from app.ui import settings
    settings.redirect(str(scratch / "ui.ini"))
    return settings.Settings()


def cleanup(scratch: Path) -> None:
    from app.ui import settings
    settings.redirect(None)
    shutil.rmtree(scratch, ignore_errors=True)


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


@dataclass
class Shot:
    name: str
    kind: str                       # 页面 / 对话框
    file: str
    size: tuple[int, int]
    problems: list[str] = field(default_factory=list)


# ---- the dialogs, each opened the way its button does it


def _select_first(table) -> None:
    if table.current_row() is None and table.proxy.rowCount():
        table.select_key(table.model.key(table.proxy.index(0, 0).data(table.model.ROW_ROLE)))


def _teams(w, what: str) -> None:
    page = w.go_to("团队")
    if what in ("group", "edit_group"):
        page.tabs.setCurrentIndex(1)
        if what == "edit_group":
            _select_first(page.groups)
            page._edit_group()
        else:
            page._add_group()
        return
    page.tabs.setCurrentIndex(0)
    if what == "member":
        _select_first(page.teams)
        page._add_member()
    else:
        page._add_team()


def _teacher(w, edit: bool) -> None:
    page = w.go_to("教师")
    if edit:
        _select_first(page.table)
        page.edit_record()
    else:
        page.add_record()


def _hours(w, tab: str) -> None:
    page = w.go_to("学时与活动")
    target = getattr(page, tab)
    page.tabs.setCurrentWidget(target)
    target.add_record()


def _programme(w, key: str) -> None:
    page = w.go_to("项目方案")
    from app.ui.jobs import wait_idle
    wait_idle()
    page.table.select_key(key)
    page.edit_record()


def _support(w) -> None:
    page = w.go_to("校本考核")
    s = page.summary
    if s is not None and s.teachers:
        t = s.teachers[0]
        page.open_support_dialog(t.teacher_id, t.name)


DIALOGS: tuple[tuple[str, str, Callable], ...] = (
    ("学校信息", "新增教学点", lambda w: w.go_to("学校信息").add_record()),
    ("学校信息", "更换项目方案", lambda w: w.go_to("学校信息")._on_change_clicked()),
    ("学校信息", "生成采集包", lambda w: w.go_to("学校信息").create_pack()),
    ("学校信息", "合并采集包", lambda w: w.go_to("学校信息").merge_pack()),
    ("团队", "新建团队", lambda w: _teams(w, "team")),
    ("团队", "添加成员", lambda w: _teams(w, "member")),
    ("团队", "新建研修组", lambda w: _teams(w, "group")),
    ("团队", "修改研修组", lambda w: _teams(w, "edit_group")),
    ("教师", "新增教师", lambda w: _teacher(w, False)),
    ("教师", "修改教师", lambda w: _teacher(w, True)),
    ("学时与活动", "录入学时", lambda w: _hours(w, "records")),
    ("学时与活动", "登记培训活动", lambda w: _hours(w, "activities")),
    ("学时与活动", "登记校本研修课程", lambda w: _hours(w, "courses")),
    ("方案与计划", "上传方案或计划", lambda w: w.go_to("方案与计划").add_record()),
    ("项目方案", "修改规则", lambda w: _programme(w, "hours.categories")),
    ("项目方案", "修改规则（单项）", lambda w: _programme(w, "hours.total_min")),
    ("校本考核", "建立帮扶", _support),
    ("导出与打印", "核验报送包", lambda w: w.go_to("导出与打印").open_verify()),
    ("导出与打印", "预览签字确认表", lambda w: w.go_to("导出与打印")._on_preview_clicked()),
    ("文件", "导入教师名单", lambda w: w._on_import("roster")),
    ("文件", "导入学时", lambda w: w._on_import("hours")),
    ("文件", "备份与恢复", lambda w: w._on_backups()),
    ("帮助", "用户手册", lambda w: w._on_manual()),
)


def _open_windows() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}


def _new_window(before: set[int]) -> QWidget | None:
    found = [w for w in QApplication.topLevelWidgets()
             if w.isVisible() and id(w) not in before and isinstance(w, QDialog) and not isinstance(w, QMessageBox)]
    return found[-1] if found else None


def _dismiss_message_boxes() -> None:
    """A question or notice a dialog raises on the way must not stop the run (nobody is there to answer)."""
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        log.warning("screenshot: dismissed %s: %s", box.windowTitle(), box.text())
        box.reject()


def shoot_dialogs(window, out_dir: Path, dialogs=DIALOGS) -> list[Shot]:
    from app.ui.layout_check import dialog_problems
    shots = []
    watchdog = QTimer()
    watchdog.setInterval(200)
    watchdog.timeout.connect(_dismiss_message_boxes)
    watchdog.start()
    try:
        for where, name, opener in dialogs:
            before = _open_windows()
            try:
                opener(window)
            except Exception:                          # noqa: BLE001 - one dialog must not stop the rest
                log.exception("screenshot: could not open %s › %s", where, name)
                continue
            _settle()
            dialog = _new_window(before)
            if dialog is None:
                log.warning("screenshot: %s › %s did not open a dialog", where, name)
                continue
            dialog.activateWindow()              # as on screen: the focused field shows its ring
            path = grab(dialog, out_dir / f"{where}-{name}.png")
            shots.append(Shot(f"{where} › {name}", "对话框", path.name, (dialog.width(), dialog.height()),
                              dialog_problems(dialog)))
            dialog.reject() if isinstance(dialog, QDialog) else dialog.close()
            _settle()
    finally:
        watchdog.stop()
    return shots


def shoot_pages(window, out_dir: Path, titles=None, prefix: str = "") -> list[Shot]:
    from app.ui.layout_check import page_problems
    from app.ui.widgets.screen_fit import available_rect
    wide = available_rect(window).width() >= WIDE_ENOUGH
    shots = []
    for title in titles or registry.TITLES:
        page = window.go_to(title)
        path = grab(window, out_dir / f"{prefix}{title}.png")
        shots.append(Shot(title, "页面", path.name, (window.width(), window.height()),
                          page_problems(page, table_must_fit=wide)))
    return shots


def shoot_wizard(ws, settings, out_dir: Path) -> list[Shot]:
    """The wizard's school page and its programme page (presets with their numbers), filled as a user would."""
    from app.ui.layout_check import dialog_problems
    from app.ui.wizard.setup_wizard import SetupWizard
    wizard = SetupWizard(ws, settings=settings)
    wizard.show()
    shots = []
    wizard.next()
    wizard.school_page.name.setText("示例市实验小学")
    wizard.school_page.code.setText("2102810001")
    wizard.school_page.district.setText("大连市瓦房店市")
    path = grab(wizard, out_dir / "设置向导-学校信息.png")
    shots.append(Shot("设置向导 › 学校信息", "对话框", path.name, (wizard.width(), wizard.height()),
                      dialog_problems(wizard)))
    wizard.next()
    wizard.environment_page.buttons["混合"].setChecked(True)
    wizard.next()
    path = grab(wizard, out_dir / "设置向导.png")
    shots.append(Shot("设置向导 › 项目方案", "对话框", path.name, (wizard.width(), wizard.height()),
                      dialog_problems(wizard)))
    wizard.hide()
    wizard.deleteLater()
    return shots


def shoot_pack_scene(window, out_dir: Path) -> list[Shot]:
    """The teaching point's collecting window and a merge preview (app.ui.pack.pack_shots)."""
    from app.ui.layout_check import dialog_problems
    from app.ui.pack.pack_shots import shoot_packs

    def shot(name: str, widget, path: Path, kind: str) -> Shot:   # the window too: all of it on the screen
        return Shot(name, kind, path.name, (widget.width(), widget.height()), dialog_problems(widget))

    return shoot_packs(window, out_dir, grab, shot)


def take_screenshots(controller, data_dir, out_dir: Path, *, demo: bool = False) -> int:
    """Capture into out_dir; the controller must already use throw-away settings (see app.ui.app.run)."""
    from app.ui.widgets.screen_fit import available_rect, available_size
    out_dir.mkdir(parents=True, exist_ok=True)
    if not controller.start(data_dir, demo=demo):
        return 1
    _settle()
    window = controller.window
    if window is None:
        if controller.wizard is not None:
            grab(controller.wizard, out_dir / "设置向导.png")
        sys.stderr.write("数据文件夹中还没有学校，只截取了设置向导。可加 --demo 使用示例学校。\n")
        controller.close()
        return 0
    window.move(available_rect(window).topLeft())
    window.resize(available_size(window))          # a maximised window: the screen less the title bar
    window.show()
    from app.ui.district import screenshots as district_shots
    if district_shots.is_district_window(window):
        shots = district_shots.shoot(window, out_dir)
    else:
        shots = shoot_pages(window, out_dir)
        shots += shoot_dialogs(window, out_dir)
        shots += shoot_pack_scene(window, out_dir)
    shots += shoot_wizard(controller.ws, controller.settings, out_dir)
    shots += district_shots.shoot_wizard_district_page(controller.ws, controller.settings, out_dir)
    report = {"screen": list(available_rect(window).size().toTuple()),
              "window": [window.width(), window.height()],
              "shots": [asdict(s) for s in shots]}
    (out_dir / REPORT_NAME).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    for s in shots:
        print(out_dir / s.file)
        for problem in s.problems:
            sys.stderr.write(f"{s.name}：{problem}\n")
    window.close_for_switch()
    controller.close()
    return 0
