"""The teaching point's collecting window: files dropped in, a big copy with progress and a working 取消,
hours and 送教下乡, point choices checked live, 完成采集 – everything through the job runner."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.services.packs.create import create_pack
from app.services.packs.folder import PackFolder
from app.services.progress import Progress
from app.ui.pack.pack_window import PackWindow
from tests.packs.helpers import POINT
from tests.reliability.helpers import write_file
from tests.ui.conftest import settle


@pytest.fixture
def pack(central, usb) -> PackFolder:
    return PackFolder.open(create_pack(central, usb, point=POINT).path)


@pytest.fixture
def win(pack, qtbot):
    w = PackWindow(pack)
    qtbot.addWidget(w)
    w.show()
    settle()
    yield w
    settle()


def _drop(widget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


def test_the_window_lists_only_the_packs_teachers_and_what_they_lack(win, tmp_path):
    assert [r.teacher.name for r in win.teachers.visible_rows()] == ["教师一", "教师丁", "教师丂"]
    assert win.missing.model.rowCount() == len(win.state.missing()) > 0
    assert "东山教学点" in win.windowTitle()
    win.grab().save(str(tmp_path / "采集窗口.png"))


def test_files_dropped_on_an_item_are_saved_to_the_stick(win, pack, tmp_path):
    win.teachers.select_key(1)
    entry = next(e for e in win.state.teacher(1).items if e.missing)
    assert win.evidence.items.select_key(entry.item.id)
    doc = write_file(tmp_path, "学情分析报告.docx", b"report" * 100)
    _drop(win.evidence.drop, [doc])
    settle()
    [change] = pack.read_changes()
    assert change.data["item"] == entry.item.id and change.data["file"].name == "学情分析报告.docx"
    row = next(e for e in win.state.teacher(1).items if e.item.id == entry.item.id)
    assert not row.missing and win.evidence.files.model.rowCount() == 1


def test_a_big_copy_shows_progress_and_cancel_leaves_nothing(win, pack, tmp_path, monkeypatch, dialogs, qtbot):
    video = tmp_path / "课堂实录.mp4"
    video.write_bytes(os.urandom(3 * 1024 * 1024))
    reached, gate = threading.Event(), threading.Event()
    real = Progress.report

    def report(self, done, total, text="", *, force=False):      # hold the worker at its first report
        if threading.current_thread() is not threading.main_thread() and not reached.is_set():
            reached.set()
            gate.wait(20)
        return real(self, done, total, text, force=force)

    monkeypatch.setattr(Progress, "report", report)
    win.teachers.select_key(1)
    win.evidence.items.select_key(next(e for e in win.state.teacher(1).items if e.missing).item.id)
    win.evidence.attach_requested.emit(win.evidence.current_item().item.id, [video], None)
    job = win.last_job
    assert reached.wait(20)
    assert job.dialog is not None and job.title == "添加证据文件"
    qtbot.waitUntil(job.dialog.isVisible, timeout=5000)             # a long copy shows its progress dialog
    job.dialog.grab().save(str(tmp_path / "复制进度.png"))
    job.dialog.cancel_button.click()                               # the user presses 取消
    gate.set()
    settle()
    assert job.outcome == "cancelled"
    assert pack.read_changes() == []
    leftovers = [p for p in pack.files_dir.rglob("*") if p.is_file()]
    assert leftovers == []


def test_hours_and_a_送教下乡_activity(win, pack, qtbot, tmp_path):
    win.teachers.select_key(1)
    win.tabs.setCurrentWidget(win.hours)
    win.hours.act_hours.trigger()
    dialog = win.dialog
    dialog.field("hours").setText("6")
    dialog.field("note").setText("网络研修平台")
    dialog._on_save_clicked()
    settle()
    assert not dialog.isVisible()
    win.hours.act_activity.trigger()
    dialog = win.dialog
    assert dialog.field("kind").currentText() == "送教下乡"
    dialog.field("title").setText("送教下乡：数学示范课")
    dialog.field("hours").setText("3")
    dialog.picker.set_checked([1, 2, 3])
    dialog.files.add_paths([str(write_file(tmp_path, "签到表.jpg", b"\xff\xd8" * 100))])
    dialog._on_save_clicked()
    settle()
    kinds = [c.kind for c in pack.read_changes()]
    assert kinds == ["hours_add", "activity_add"]
    assert win.hours.activities.model.rowCount() == 1
    assert sum(h.hours for h in win.state.teacher(3).hours if h.origin.startswith("培训活动（")) == 3


def test_point_choices_are_checked_live_and_saved_only_when_they_keep_the_rule(win, pack, dialogs):
    win.teachers.select_key(3)
    win.tabs.setCurrentWidget(win.choices)
    grid = win.choices.grid
    grid.toggle("A6")                                              # 2 points left: breaks the count
    settle()
    assert "至少选择 3 个" in win.choices.problems.text() and not win.choices.save_button.isEnabled()
    grid.toggle("A5")
    settle()
    assert win.choices.save_button.isEnabled()
    win.choices.save_button.click()
    settle()
    assert [c.data["codes"] for c in pack.read_changes()] == [["A1", "A3", "A5"]]
    assert win.state.teacher(3).choices == ("A1", "A3", "A5")


def test_finish_seals_the_return_and_says_so(win, pack, dialogs):
    dialogs.answers = [True]
    win.by_edit.setText("王老师")
    win.finish_button.click()
    settle()
    assert any("已完成采集（第 1 次）" in t for t in dialogs.texts("information"))
    assert "已完成采集（第 1 次）" in win.status.text()
    from app.services.packs import layout as L
    assert [seq for seq, _ in L.return_bags(pack.root)] == [1]


def test_a_pack_on_the_stick_opens_instead_of_the_wizard_only_without_a_school(pack, central_dir, tmp_path,
                                                                             monkeypatch):
    from app.ui.pack import launch
    monkeypatch.setattr(launch, "mounted_roots", lambda: [str(pack.root.parent)])
    monkeypatch.setattr(launch, "removable", lambda roots: roots)
    assert launch.pack_at_start(tmp_path / "空的数据文件夹" / "tisheng.sqlite3") == pack.root
    assert launch.pack_at_start(central_dir / "tisheng.sqlite3") is None


def test_pack_open_on_the_command_line_opens_the_window_without_a_data_folder(pack, tmp_path, monkeypatch, qtbot):
    from PySide6.QtWidgets import QApplication

    from app.cli.main import main
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    assert main(["--data-dir", str(tmp_path / "没有学校"), "pack", "open", str(pack.root)]) == 0
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, PackWindow) and w.isVisible()]
    assert [w.pack.root for w in windows] == [pack.root]
    settle()
    assert not (tmp_path / "没有学校" / "tisheng.sqlite3").exists()
    for w in windows:
        w.close()
    assert main(["--data-dir", str(tmp_path / "没有学校"), "pack", "open", str(tmp_path)]) == 2   # not a pack
