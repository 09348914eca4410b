"""The part-2 pages inside the real main window: the 首页 dashboard follows every step, and its
findings lead to the right tab and teacher."""

from PySide6.QtCore import Qt

from app.ui import jobs
from tests.services_part2.school import build_small_school, sample_file
from tests.ui_part2.helpers import drop_files, wait_idle


def findings(window, qtbot, code: str, teacher_id: int | None = None) -> int:
    """How many findings of this rule the 首页 dashboard shows (after it reloads)."""
    home = window.go_to("首页")
    wait_idle(qtbot)
    return sum(1 for f in home.data.findings if f.code == code and (teacher_id is None or f.teacher_id == teacher_id))


def test_dashboard_follows_choices_evidence_grades_and_support(qtbot, tmp_path, dialogs):
    from app.services.workspace import Workspace
    from app.ui.controller import AppController
    data = tmp_path / "school"
    with Workspace.open(data) as ws:
        s = build_small_school(ws)
    wang = s.ids["王芳"]
    c = AppController()
    try:
        assert c.start(data)
        w = c.window
        w.resize(1366, 768)
        w.show()
        wait_idle(qtbot)
        assert findings(w, qtbot, "micro.rule", wang) == 2          # too few points, too few dimensions

        micro = w.go_to("微能力", teacher_id=wang)
        wait_idle(qtbot)
        for code in ("A1", "A3", "A11"):
            micro.panel.grid.toggle(code)
        micro.panel.save_button.click()
        wait_idle(qtbot)
        assert findings(w, qtbot, "micro.rule", wang) == 0
        missing = findings(w, qtbot, "evidence.missing", wang)
        assert missing == 6

        ev = w.go_to("证据材料", teacher_id=wang)
        wait_idle(qtbot)
        for item in ev.panel.item_model.rows()[:2]:        # A1's two items
            ev.panel.select_item(item.item.id)
            assert drop_files(ev.panel.drop_zone, [sample_file(tmp_path / "in", f"{item.item.title}.docx")])
            wait_idle(qtbot)
        assert findings(w, qtbot, "evidence.missing", wang) == 4
        assert findings(w, qtbot, "assessment.pending", wang) == 1

        page = w.go_to("校本考核")
        wait_idle(qtbot)
        q = page.queue
        q.form.reviewer_box.setEditText("刘教研员")
        q.view.setFocus()
        qtbot.keyClick(q.view, Qt.Key.Key_2)
        wait_idle(qtbot)
        qtbot.keyClick(q.view, Qt.Key.Key_N)
        qtbot.keyClick(q.view, Qt.Key.Key_3)                 # 不合格 -> the bar offers a 帮扶: open it now
        wait_idle(qtbot)
        qtbot.mouseClick(page.support_offer.open_button, Qt.MouseButton.LeftButton)
        dlg = page.support_dialog
        dlg.field("helper").setEditText("张伟")
        dlg.save_button.click()
        wait_idle(qtbot)
        assert findings(w, qtbot, "assessment.pending", wang) == 0
        assert findings(w, qtbot, "support.open", wang) == 1

        # the finding leads to the 帮扶 tab with the record selected
        f = next(f for f in w.go_to("首页").data.findings if f.code == "support.open")
        page = w.go_to(f.page, teacher_id=f.teacher_id, record_id=f.record_id, kind=f.code)
        wait_idle(qtbot)
        assert page.tabs.tabText(page.tabs.currentIndex()) == "一对一帮扶"
        assert page.support.records.current_row().teacher_id == wang
    finally:
        jobs.cancel_all()
        jobs.wait_idle(20000)
        if c.window is not None:
            c.window.close_for_switch()
        c.close()
