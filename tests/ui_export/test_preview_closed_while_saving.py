"""Closing the 打印预览 while its 另存为 PDF is still copying: the copy is finished and whole before
the temporary PDF is deleted, and no job is left running (the app's 退出 would otherwise wait for it)."""

import time

import shiboken6

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from reportlab.pdfgen.canvas import Canvas

from app.ui import jobs
from app.ui.export import forms_preview_dialog


def _pdf(path):
    c = Canvas(str(path))
    for n in range(3):
        c.drawString(72, 720, f"page {n + 1}")
        c.showPage()
    c.save()
    return path


def _slow(real):
    def copy(src, dst, *args, **kwargs):
        time.sleep(0.3)                  # a slow USB stick: the user closes the preview meanwhile
        return real(src, dst, *args, **kwargs)
    return copy


def test_closing_the_preview_during_save_as_pdf_finishes_the_save(qtbot, dialogs, tmp_path, monkeypatch):
    monkeypatch.setattr(forms_preview_dialog, "copy_verified", _slow(forms_preview_dialog.copy_verified))
    host = QWidget()
    qtbot.addWidget(host)
    temp = _pdf(tmp_path / "preview-tmp.pdf")
    original = temp.read_bytes()
    dialog = forms_preview_dialog.FormsPreviewDialog(temp, host, title="签字确认表", temporary=True)
    dialog.show()
    dialogs.save_file = str(tmp_path / "签字表.pdf")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.save_job is not None
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)       # before the progress dialog shows (500 ms)
    saved = tmp_path / "签字表.pdf"
    assert saved.read_bytes() == original           # waited for: whole, not lost
    assert not temp.exists()                        # the temporary PDF is still deleted
    assert jobs.wait_idle(3000) and jobs.active_jobs() == []
    assert not list(tmp_path.glob("*.tmp-*"))       # copied through a temporary name, renamed
    assert not any("失败" in text or "错误" in text for text in dialogs.texts())


def test_a_job_whose_window_closed_ends_without_its_callbacks(qtbot, dialogs):
    """The class: a job that outlives the widget it reports to leaves the active list, and its
    callbacks (which would touch deleted widgets) are skipped, whatever the outcome."""
    ran = []
    for outcome in ("finished", "failed"):
        host = QWidget()
        host.show()

        def work(ctx, outcome=outcome):
            time.sleep(0.2)
            if outcome == "failed":
                raise RuntimeError("boom")
            return 1

        job = jobs.run_with_progress(host, work, title="慢操作", touches_db=False,
                                     on_done=lambda r: ran.append(("done", r)),
                                     on_failed=lambda e: ran.append(("failed", e)))
        host.deleteLater()                           # its window closes before the job ends
        qtbot.waitUntil(lambda: not shiboken6.isValid(host), timeout=1000)
        assert job.outcome is None
        qtbot.waitUntil(lambda: job.outcome is not None, timeout=5000)
        assert job.outcome == outcome
        assert job not in jobs.active_jobs()
    assert ran == []
    assert jobs.wait_idle(2000)
