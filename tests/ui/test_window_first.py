"""The start shows the real main window first and opens the data after it has been painted
(app.ui.opening): nothing of the database layer, the workbook or the PDF code is loaded before that
first paint, the window painted first is the one the data then fills in, and every other way a start
can go (no school yet, a district office, a damaged database, a collection pack, another instance,
the user closing the window while it opens) still ends in the right window, with the frame gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from app import APP_NAME
from app.ui.pages import registry

ROOT = Path(__file__).resolve().parents[2]
# Not one of these may be loaded when the first window is painted.
HEAVY = ("sqlmodel", "sqlalchemy", "openpyxl", "reportlab", "python_calamine", "app.models",
         "app.services.workspace", "app.services.startup", "app.ui.controller", "app.ui.facades")


def _heavy(modules) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def _start_in_a_process(data_dir: Path, tmp_path: Path, first_on_path: Path | None = None) -> subprocess.CompletedProcess:
    """`tisheng --data-dir D` in a fresh process; what was loaded and shown at the first paint of a
    top-level window is printed as JSON (the same moment the cold-start benchmark times)."""
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(ROOT)!r})
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtWidgets import QLabel
        import app.ui.app as ui_app
        seen = {{}}

        class Look(QObject):
            def eventFilter(self, obj, event):
                if not seen and event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow():
                    seen["modules"] = sorted(sys.modules)
                    seen["class"] = type(obj).__name__
                    seen["title"] = obj.windowTitle()
                    nav = getattr(obj, "nav", None)
                    seen["nav"] = [nav.item(i).text() for i in range(nav.count())] if nav is not None else []
                    seen["labels"] = [w.text() for w in obj.findChildren(QLabel) if w.isVisibleTo(obj)]
                return False

        make = ui_app.make_application
        def make_application(*args, **kwargs):
            app = make(*args, **kwargs)
            app._look = Look(app)
            app.installEventFilter(app._look)
            return app
        ui_app.make_application = make_application
        from app.cli.main import main
        code = main(["--data-dir", {str(data_dir)!r}])
        print(json.dumps({{"code": code, "seen": seen}}))
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TISHENG_FIRST_PAINT_EXIT="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"),
               PYTHONPATH=os.pathsep.join(str(p) for p in (first_on_path, ROOT) if p is not None))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)


def test_the_main_window_is_painted_before_the_data_layer_is_loaded(school_dir, tmp_path):
    done = _start_in_a_process(school_dir, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    seen = out["seen"]
    assert out["code"] == 0 and seen, "no window was painted"
    assert _heavy(seen["modules"]) == []
    # … and what was painted is the app's main window, saying it is opening the school's data
    assert seen["class"] == "MainWindow" and seen["title"] == APP_NAME
    assert seen["nav"] == list(registry.TITLES)
    assert "正在打开学校数据…" in seen["labels"]
    assert f"数据文件夹：{school_dir.resolve()}" in seen["labels"]


def test_the_heavy_module_check_sees_a_start_that_loads_the_database_first(school_dir, tmp_path):
    """The check above can fail: the same start with SQLModel imported before the window is caught."""
    (tmp_path / "early").mkdir()
    (tmp_path / "early" / "sitecustomize.py").write_text("import sqlmodel\n", encoding="utf-8")
    done = _start_in_a_process(school_dir, tmp_path, first_on_path=tmp_path / "early")
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])["seen"]
    assert "sqlmodel" in _heavy(seen["modules"])


class Watch(QObject):
    """Inside ui_app.run(): remembers the first top-level window this run paints (and whether it was
    still opening then), calls at_first_paint(window) right after that paint (before the opening's
    own next step), and every 20 ms calls step(watch) until it returns True. A failing step, or
    one still waiting after a minute, ends the run with the error. Windows another test left on
    the screen are not this run's."""

    def __init__(self, step, at_first_paint=None) -> None:
        super().__init__()
        self.step = step
        self.at_first_paint = at_first_paint
        self.error: BaseException | None = None
        self.before = set(QApplication.topLevelWidgets())
        for w in self.before:           # another test's window left on the screen would keep the app
            if w.isVisible():           # running after this run's last window closes
                w.hide()
        self.done = self.stopped = False
        self.deadline = QDeadlineTimer(60000)
        self.first = None
        self.first_opening = None
        self.first_labels: list[str] = []
        self.log: list[str] = []
        QApplication.instance().installEventFilter(self)
        QTimer.singleShot(20, self._tick)

    def eventFilter(self, obj, event) -> bool:      # noqa: N802
        if (self.first is None and event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow()
                and obj not in self.before):
            self.first = obj
            self.first_opening = getattr(obj, "opening", None)
            self.first_labels = [w.text() for w in obj.findChildren(QLabel) if w.isVisibleTo(obj)]
            if self.at_first_paint is not None:
                QTimer.singleShot(0, lambda: self._guarded(self.at_first_paint, obj))
        return False

    def _tick(self) -> None:
        if self.stopped:
            return
        if self.deadline.hasExpired():
            self._guarded(self._give_up, None)
            return
        if not self.done:
            self.done = self._guarded(self.step, self)
        QTimer.singleShot(20, self._tick)      # and after the step: the app must end in time too

    def _give_up(self, _arg) -> bool:
        raise AssertionError(f"the start did not get there (or the app did not end) in a minute; "
                             f"done: {self.done}; first painted: {self.first!r}, "
                             f"on the screen: {[type(w).__name__ for w in self.visible()]}")

    def visible(self) -> list:
        """This run's top-level windows on the screen."""
        return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w not in self.before]

    def _guarded(self, fn, arg) -> bool:
        try:
            return fn(arg)
        except BaseException as exc:          # noqa: BLE001 - reported by _run
            self.error = exc
            QApplication.instance().exit(99)
            return True

    def stop(self) -> None:
        self.stopped = True
        QApplication.instance().removeEventFilter(self)


def _run(folder, monkeypatch, step, **kw) -> tuple[int, Watch]:
    from app.ui import app as ui_app
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    watch = Watch(step, kw.pop("at_first_paint", None))
    try:
        code = ui_app.run(folder, **kw)
    finally:
        watch.stop()
    if watch.error is not None:
        raise watch.error
    return code, watch


def _gone(widget) -> bool:
    import shiboken6
    return not shiboken6.isValid(widget) or not widget.isVisible()


def _idle() -> bool:
    from app.ui import jobs
    return not jobs.active_jobs()


def test_the_frame_painted_first_is_the_window_the_data_fills_in(qtbot, school_dir, monkeypatch):
    from app.services.school import get_school
    from app.services.workspace import Workspace
    with Workspace.open(school_dir) as ws:
        school = get_school(ws)
    seen = {}

    def step(watch) -> bool:
        window = watch.first
        if window is None or window.opening or not _idle() or window.school is None:
            return False
        seen.update(title=window.windowTitle(), page=window.current_title(), visible=watch.visible(),
                    built=list(window.built_pages()), actions=window.act_backup.isEnabled())
        window.close()                         # the user closes it: the app ends
        return True

    code, watch = _run(school_dir, monkeypatch, step)
    assert code == 0
    assert watch.first_opening is True and "正在打开学校数据…" in watch.first_labels
    assert seen["visible"] == [watch.first]            # the same window, filled in; nothing else shown
    assert seen["title"] == f"{school.name} — {APP_NAME}"
    assert seen["page"] == "首页" and seen["built"] == ["首页"] and seen["actions"]
    assert not (school_dir / ".running").exists()      # the folder was let go


def test_a_page_chosen_while_the_data_opens_is_the_one_shown(qtbot, school_dir, monkeypatch):
    seen = {}

    def choose(window) -> None:
        seen["opening"] = window.opening and not window.act_backup.isEnabled()
        window.page_actions[registry.TITLES.index("教师")].trigger()     # Ctrl+4 while it opens

    def step(watch) -> bool:
        window = watch.first
        if window is None or window.opening or not _idle():
            return False
        seen.update(page=window.current_title(), built=list(window.built_pages()))
        window.close()
        return True

    code, _watch = _run(school_dir, monkeypatch, step, at_first_paint=choose)
    assert code == 0 and seen["opening"]
    assert seen["page"] == "教师" and seen["built"] == ["教师"]


def test_closing_the_window_while_it_opens_quits(qtbot, school_dir, monkeypatch):
    code, watch = _run(school_dir, monkeypatch, lambda watch: True, at_first_paint=lambda window: window.close())
    assert code == 0 and watch.first_opening is True
    assert watch.visible() == [] and watch.first.api is None
    assert not (school_dir / ".running").exists()


def test_a_folder_without_a_school_shows_the_wizard_and_the_frame_goes(qtbot, tmp_path, monkeypatch, dialogs):
    from app.ui.wizard.setup_wizard import SetupWizard
    seen = {}

    def step(watch) -> bool:
        wizards = [w for w in watch.visible() if isinstance(w, SetupWizard)]
        if not wizards:
            return False
        seen["visible"] = watch.visible()
        dialogs.answers = [True]               # 退出设置向导并关闭软件吗？ 是
        wizards[0].reject()
        return True

    code, watch = _run(tmp_path / "新学校", monkeypatch, step)
    assert code == 0 and watch.first_opening is True
    assert len(seen["visible"]) == 1 and isinstance(seen["visible"][0], SetupWizard)
    assert _gone(watch.first)


def test_a_district_folder_opens_the_district_window_and_the_frame_goes(qtbot, tmp_path, monkeypatch):
    from app.services.district.office import init_district
    from app.services.workspace import Workspace
    from app.ui.district.district_window import DistrictWindow
    with Workspace.open(tmp_path / "district") as ws:
        init_district(ws, name="示例区教师发展中心", code="D1")
    seen = {}

    def step(watch) -> bool:
        districts = [w for w in watch.visible() if isinstance(w, DistrictWindow)]
        if not districts or not _idle():
            return False
        seen["visible"] = watch.visible()
        districts[0].close()
        return True

    code, watch = _run(tmp_path / "district", monkeypatch, step)
    assert code == 0 and watch.first_opening is True
    assert len(seen["visible"]) == 1 and isinstance(seen["visible"][0], DistrictWindow)
    assert _gone(watch.first)


def test_a_damaged_database_is_offered_its_backup_over_the_frame(qtbot, school_dir, monkeypatch, dialogs):
    import app.ui.backup.damaged_dialog as damaged_dialog
    from app.services.backup import snapshot as snapshots
    from app.services.workspace import Workspace
    with Workspace.open(school_dir) as ws:
        snapshots.snapshot(ws.paths, "auto")
    db = school_dir / "tisheng.sqlite3"
    data = bytearray(db.read_bytes())
    for off in range(2 * 4096, min(len(data), 5 * 4096)):
        data[off] = 0x5A
    db.write_bytes(bytes(data))
    asked = []
    monkeypatch.setattr(damaged_dialog, "ask_restore_damaged", lambda parent, exc: asked.append(parent) or True)
    seen = {}

    def step(watch) -> bool:
        window = watch.first
        if window is None or window.opening or not _idle() or window.school is None:
            return False
        seen["visible"] = watch.visible()
        window.close()
        return True

    code, watch = _run(school_dir, monkeypatch, step)
    assert code == 0
    assert asked == [watch.first]                      # the question sat over the frame …
    assert seen["visible"] == [watch.first]            # … which became the window on the restored data
    assert "已从备份恢复" in [title for _kind, title, _text in dialogs.seen]


def test_a_pack_on_a_stick_opens_instead_of_the_main_window(qtbot, tmp_path, monkeypatch):
    from app.ui.pack import launch
    opened = []

    def open_pack_window(path):
        window = QMainWindow()
        window.setWindowTitle("采集包")
        window.show()
        opened.append((path, window))
        return window

    monkeypatch.setattr(launch, "pack_at_start", lambda db: tmp_path / "U盘" / "采集包")
    monkeypatch.setattr(launch, "open_pack_window", open_pack_window)
    seen = {}

    def step(watch) -> bool:
        if not opened:
            return False
        seen["visible"] = watch.visible()
        opened[0][1].close()                   # the last window: the app ends
        return True

    code, watch = _run(tmp_path / "教学点", monkeypatch, step)
    assert code == 0 and [path for path, _w in opened] == [tmp_path / "U盘" / "采集包"]
    assert seen["visible"] == [opened[0][1]] and _gone(watch.first)


def test_a_second_start_on_an_open_folder_shows_no_window(qtbot, controller, window, school_dir, tmp_path,
                                                          monkeypatch):
    """The first instance has the folder: the second hands over before painting anything."""
    from app.ui import single_instance
    raised = []
    monkeypatch.setattr(single_instance, "bring_forward", lambda w: raised.append(w))
    proc = subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(school_dir)], cwd=ROOT,
                            env=dict(os.environ, QT_QPA_PLATFORM="offscreen", TISHENG_FIRST_PAINT_EXIT="1",
                                     XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60000)
    finally:
        if proc.poll() is None:
            proc.kill()
    out, err = proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    assert "first-paint" not in out                    # no window of its own, not even for a moment
    qtbot.waitUntil(lambda: raised == [window], timeout=5000)


def test_the_in_use_marker_is_the_one_the_start_up_checks_write():
    from app.services import startup
    from app.ui import app as ui_app
    assert ui_app.RUNNING_MARKER == startup.RUNNING_MARKER


def _slow_checks(monkeypatch, seconds: float) -> dict:
    """startup.open_checked, slowed (a big database's integrity_check), noting its thread and time."""
    import threading
    import time

    from app.services import startup
    real, seen = startup.open_checked, {"on_gui_thread": [], "running": None}

    def open_checked(*args, **kwargs):
        seen["on_gui_thread"].append(threading.current_thread() is threading.main_thread())
        start = time.monotonic()
        seen["running"] = (start, None)
        time.sleep(seconds)
        try:
            return real(*args, **kwargs)
        finally:
            seen["running"] = (start, time.monotonic())

    monkeypatch.setattr(startup, "open_checked", open_checked)
    return seen


def test_the_start_up_checks_run_off_the_gui_thread(qtbot, school_dir, monkeypatch):
    """quick_check, the weekly integrity_check, a migration: the painted frame keeps answering meanwhile."""
    import time
    checks = _slow_checks(monkeypatch, 0.6)
    ticks = []

    def step(watch) -> bool:
        ticks.append(time.monotonic())          # the GUI thread is free: its 20 ms timer runs
        window = watch.first
        if window is None or window.opening or not _idle() or window.school is None:
            return False
        window.close()
        return True

    code, watch = _run(school_dir, monkeypatch, step)
    assert code == 0 and watch.first_opening is True
    assert checks["on_gui_thread"] == [False]
    start, end = checks["running"]
    assert sum(start < t < end for t in ticks) >= 5             # ~30 turns of the loop while it checked
    assert not (school_dir / ".running").exists()


def test_closing_the_window_while_the_checks_run_lets_the_folder_go(qtbot, school_dir, monkeypatch):
    from app.services.instance_lock import is_locked
    from app.paths import data_paths
    checks = _slow_checks(monkeypatch, 0.5)

    def step(watch) -> bool:
        if checks["running"] is None:
            return False
        watch.first.close()                     # while the job opens the folder
        return True

    code, watch = _run(school_dir, monkeypatch, step)
    assert code == 0 and watch.first_opening is True and watch.first.api is None
    assert checks["running"][1] is not None     # the checks ended (the exit waited for them)…
    assert not (school_dir / ".running").exists() and not is_locked(data_paths(school_dir))   # …and let go
