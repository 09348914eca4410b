"""备份与恢复, one window per data folder, and the damaged-database offer, driven like a user."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from app.services import teachers
from app.services.backup import retention
from app.services.backup import snapshot as snapshots
from app.ui import single_instance
from app.ui.backup.backup_dialog import BackupDialog
from app.ui.backup.backup_table_model import BackupTableModel, Col
from tests.excel.helpers import make_id
from tests.ui.conftest import settle

ROOT = Path(__file__).resolve().parents[2]


def _open_dialog(window) -> BackupDialog:
    window.act_backups.trigger()
    found = [d for d in window.findChildren(BackupDialog) if d.isVisible()]
    assert found, "备份与恢复 did not open"
    settle()
    return found[-1]


def _teacher_names(window) -> set[str]:
    page = window.go_to("教师")
    page.ensure_loaded()
    settle()
    return {item.row.name for item in page.table.model.rows()}


def test_backup_now_lists_the_new_backup_with_date_size_and_check(qtbot, window):
    assert window.act_backups.text() == "备份与恢复…"
    dialog = _open_dialog(window)
    before = dialog.model.rowCount()
    dialog.backup_button.click()
    settle()
    assert dialog.model.rowCount() == before + 1
    newest = dialog.selected()
    assert newest is not None and newest.reason == "manual" and newest.path.is_file()
    row = dialog.view.selectionModel().selectedRows()[0].row()
    cells = [dialog.proxy.index(row, c).data() for c in Col]
    assert cells[Col.WHEN].startswith(f"{newest.created:%Y-%m-%d %H:%M}")
    assert cells[Col.KIND] == "手动备份" and ("KB" in cells[Col.SIZE] or "MB" in cells[Col.SIZE])
    assert cells[Col.CHECK] == "完好"                                   # checked in the background
    assert f"共 {before + 1} 份" in dialog.folder_label.text()


def test_restore_with_one_confirmation_reverts_the_data(qtbot, controller, window, dialogs):
    dialog = _open_dialog(window)
    dialog.backup_button.click()
    settle()
    good = dialog.selected()
    dialog.close()
    teachers.add_teacher(window.api.workspace, name="新来的老师", id_number=make_id(777))
    window.events.emit("teachers")
    assert "新来的老师" in _teacher_names(window)

    dialog = _open_dialog(window)
    assert dialog.select_path(good.path)
    dialogs.answers = [True]
    dialog.restore_button.click()
    settle()
    kind, title, text = [s for s in dialogs.seen if s[0] == "question"][-1]
    assert "恢复前会先自动备份当前的数据" in text and f"{good.created:%Y-%m-%d %H:%M}" in text
    new_window = controller.window
    assert new_window is not window and new_window.isVisible()          # the window was rebuilt
    assert "新来的老师" not in _teacher_names(new_window)
    assert any("恢复完成" == t for _k, t, _x in dialogs.seen)
    assert any(b.reason == "before-restore" for b in retention.list_backups(new_window.api.workspace))
    # the folder is still ours: a second writer is refused
    from app.services.instance_lock import is_locked
    assert is_locked(new_window.api.workspace.paths)


def test_declining_the_confirmation_changes_nothing(qtbot, window, dialogs):
    dialog = _open_dialog(window)
    dialog.backup_button.click()
    settle()
    teachers.add_teacher(window.api.workspace, name="留下的老师", id_number=make_id(778))
    dialogs.answers = [False]
    dialog.restore_button.click()
    settle()
    assert dialog.isVisible() and "留下的老师" in {t.name for t in teachers.list_teachers(window.api.workspace)}


def test_full_backup_to_a_folder(qtbot, window, dialogs, tmp_path):
    dialog = _open_dialog(window)
    dialogs.folder = str(tmp_path / "U盘")
    (tmp_path / "U盘").mkdir()
    dialog.full_button.click()
    settle()
    made = list((tmp_path / "U盘").glob("tisheng-full-*"))
    assert len(made) == 1 and (made[0] / "bagit.txt").is_file() and (made[0] / "data" / "tisheng.sqlite3").is_file()
    assert "完整备份已写入" in dialogs.texts("information")[-1]


def test_second_instance_brings_the_first_forward(qtbot, controller, window, school_dir, monkeypatch):
    raised = []
    monkeypatch.setattr(single_instance, "bring_forward", lambda w: raised.append(w))
    from app.ui.controller import AppController
    second = AppController()
    try:
        assert second.start(school_dir)                    # keeps running only to quit at once …
        assert second.handed_over and second.window is None and second.ws is None
        with qtbot.waitSignal(second.gave_up, timeout=5000):      # … which the app turns into exit 0
            pass
        qtbot.waitUntil(lambda: raised == [window], timeout=5000)
    finally:
        second.close()


def test_second_instance_in_another_process_exits_0(qtbot, controller, window, school_dir, monkeypatch):
    raised = []
    monkeypatch.setattr(single_instance, "bring_forward", lambda w: raised.append(w))
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from app.ui.app import run
        sys.exit(run({str(school_dir)!r}))
    """)
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60000)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read().decode("utf-8", "replace")
    qtbot.waitUntil(lambda: raised == [window], timeout=5000)


def test_damaged_database_offers_the_newest_good_backup(qtbot, controller, school_dir, dialogs, monkeypatch):
    from app.services.workspace import Workspace
    with Workspace.open(school_dir) as ws:
        good = snapshots.snapshot(ws.paths, "auto")
        teachers.add_teacher(ws, name="备份后才来的老师", id_number=make_id(779))
    db = school_dir / "tisheng.sqlite3"
    data = bytearray(db.read_bytes())
    for off in range(2 * 4096, min(len(data), 5 * 4096)):
        data[off] = 0x5A
    db.write_bytes(bytes(data))
    damaged = db.read_bytes()

    assert not controller.start(school_dir)                     # 退出: nothing opened, nothing changed
    _kind, title, text = dialogs.seen[-1]
    assert title == "数据文件已损坏"
    created, _reason = snapshots.parse_backup_name(good.name)
    assert f"{created:%Y年%m月%d日 %H:%M}" in text and "之后所做的更改会缺失" in text
    assert "damaged 文件夹" in text and db.read_bytes() == damaged

    import app.ui.backup.damaged_dialog as damaged_dialog
    monkeypatch.setattr(damaged_dialog, "ask_restore_damaged", lambda parent, exc: True)
    assert controller.start(school_dir)
    qtbot.waitUntil(lambda: controller.window is not None, timeout=30000)
    settle()
    assert "备份后才来的老师" not in _teacher_names(controller.window)
    assert [p.read_bytes() == damaged for p in (school_dir / "damaged").glob("*.sqlite3")] == [True]
    assert "已从备份恢复" in [t for _k, t, _x in dialogs.seen]


def test_backup_table_model_passes_the_model_tester(qtmodeltester, school_dir):
    from app.services.workspace import Workspace
    with Workspace.open(school_dir) as ws:
        snapshots.snapshot(ws.paths, "manual")
        model = BackupTableModel()
        model.set_rows(retention.list_backups(ws))
        model.set_checked(retention.list_backups(ws, check=True))
    qtmodeltester.check(model)
    assert model.index(0, Col.CHECK).data() == "完好"
