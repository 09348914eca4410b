"""The Job runner (results on the UI thread, cancel that rolls back, one DB lane) and error display."""

import logging
import threading

from PySide6.QtCore import QThread, Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from app.errors import AppError, ValidationError
from app.services import teachers
from app.ui import errors, jobs
from tests.ui.conftest import settle


def test_result_arrives_on_the_ui_thread(qtbot):
    seen = []
    job = jobs.run_in_background(None, lambda ctx: QThread.currentThread(), on_done=lambda worker: seen.append(
        (worker, QThread.currentThread())))
    settle()
    worker, callback_thread = seen[0]
    assert job.outcome == "finished"
    assert callback_thread is QApplication.instance().thread()
    assert worker is not callback_thread


def test_cancel_rolls_back_a_database_write(qtbot, window):
    """A job that adds teachers in one transaction; cancelled half way, none remain."""
    ws = window.api.workspace
    before = len(teachers.list_teachers(ws))
    halfway = threading.Event()

    def work(ctx):
        from app.models import Teacher        # a stand-in for an import service's transaction
        with ws.sessions() as s:
            for i in range(10000):
                ctx.report(i, 10000, f"正在写入第 {i} 位")
                s.add(Teacher(name=f"临时{i}"))
                s.flush()
                if i == 50:
                    halfway.set()
            s.commit()

    cancelled = []
    job = jobs.run_with_progress(window, work, title="批量写入", on_cancelled=lambda: cancelled.append(True),
                                 min_duration_ms=0)
    assert halfway.wait(20)
    qtbot.waitUntil(lambda: job.dialog.isVisible())
    qtbot.mouseClick(job.dialog.cancel_button, Qt.MouseButton.LeftButton)
    settle()
    assert cancelled == [True] and job.outcome == "cancelled"
    assert len(teachers.list_teachers(ws)) == before
    assert window.isEnabled()


def test_database_jobs_run_one_at_a_time(qtbot):
    release = threading.Event()
    started = []

    def first(ctx):
        started.append("first")
        assert release.wait(20)
        return "first"

    def second(ctx):
        started.append("second")
        return "second"

    jobs.run_in_background(None, first)
    j2 = jobs.run_in_background(None, second)
    qtbot.waitUntil(lambda: started == ["first"])
    QThread.msleep(50)
    QApplication.processEvents()
    assert started == ["first"] and j2.outcome is None        # queued behind the first
    release.set()
    settle()
    assert started == ["first", "second"] and j2.outcome == "finished"


def test_app_error_in_a_job_is_a_chinese_message(qtbot, dialogs):
    def work(ctx):
        raise ValidationError("学时 300 超过单条记录上限 100，请检查是否多输了位数。", field="hours")
    jobs.run_with_progress(None, work, title="导入学时")
    settle()
    assert dialogs.seen[-1] == ("warning", "无法完成操作", "学时 300 超过单条记录上限 100，请检查是否多输了位数。")


def test_unexpected_error_is_logged_and_shown_politely(qtbot, dialogs, tmp_path):
    log_path = errors.setup_logging(tmp_path / "logs")

    def work(ctx):
        return {}["missing"]
    jobs.run_in_background(None, work)
    settle()
    kind, title, text = dialogs.seen[-1]
    assert kind == "critical" and str(log_path) in text
    assert "Traceback" not in text and "KeyError" not in text
    for h in logging.getLogger().handlers:
        h.flush()
    logged = log_path.read_text(encoding="utf-8")
    assert "Traceback" in logged and "KeyError: 'missing'" in logged


def test_excepthook_logs_and_shows(qtbot, dialogs, tmp_path):
    log_path = errors.setup_logging(tmp_path / "logs")
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as exc:
        errors._excepthook(type(exc), exc, exc.__traceback__)
    assert dialogs.seen[-1][0] == "critical" and str(log_path) in dialogs.seen[-1][2]
    for h in logging.getLogger().handlers:
        h.flush()
    assert "boom in a slot" in log_path.read_text(encoding="utf-8")
    errors._excepthook(AppError, AppError("请先选择教师。"), None)
    assert dialogs.seen[-1] == ("warning", "无法完成操作", "请先选择教师。")


def test_progress_dialog_reports_and_closes(qtbot):
    w = QMainWindow()
    qtbot.addWidget(w)
    gate = threading.Event()

    def work(ctx):
        ctx.report(3, 10, "第 3 步")
        assert gate.wait(20)
        return 42

    got = []
    job = jobs.run_with_progress(w, work, title="测试", on_done=got.append, min_duration_ms=0)
    qtbot.waitUntil(lambda: job.dialog.bar.maximum() == 10)
    assert job.dialog.isVisible() and job.dialog.bar.value() == 3 and job.dialog.label.text() == "第 3 步"
    gate.set()
    settle()
    assert got == [42] and job.dialog is None and job.outcome == "finished"


def test_a_delayed_job_cancelled_before_it_starts_never_runs(qtbot):
    """`delay_ms` (the 教师 page's hours load waits for the window's first paint): a job cancelled
    while it waits, or while queued behind another, is reported cancelled and its work never runs."""
    ran = []
    job = jobs.run_in_background(None, lambda ctx: ran.append(True), delay_ms=50)
    assert job in jobs.active_jobs()              # counts as active while it waits
    job.cancel()
    assert jobs.wait_idle(5000)
    assert job.outcome == "cancelled" and ran == []
    later = jobs.run_in_background(None, lambda ctx: ran.append("later"), delay_ms=20)
    assert jobs.wait_idle(5000)
    assert later.outcome == "finished" and ran == ["later"]
