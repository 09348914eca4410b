"""微能力: a teacher's points under the programme rule, and the school matrix."""

from app.services import choices, matrix
from app.ui.facades import Facades
from app.ui.micro.micro_page import MicroPage
from tests.ui_part2.helpers import wait_idle


def open_page(qtbot, ws, events):
    page = MicroPage(Facades(ws), events)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    wait_idle(qtbot)
    return page


def test_choose_points_until_the_rule_is_met(qtbot, small, events):
    ws, s = small
    page = open_page(qtbot, ws, events)
    page.show_teacher(s.ids["王芳"])
    wait_idle(qtbot)
    panel = page.panel
    assert panel.state().name == "王芳"
    assert not panel.save_button.isEnabled()
    panel.grid.toggle("A1")
    assert "至少选择 3 个能力点，已选 1 个" in panel.check.text()        # the refusal, before saving
    assert not panel.save_button.isEnabled()
    panel.grid.toggle("A3")
    panel.grid.toggle("A2")
    assert "能力点须覆盖至少 3 个维度" in panel.check.text()             # 3 points, only 2 dimensions
    assert not panel.save_button.isEnabled()
    panel.grid.toggle("A2")
    panel.grid.toggle("A11")
    assert "符合本校方案的选点规则" in panel.check.text()
    assert panel.save_button.isEnabled()
    panel.save_button.click()
    wait_idle(qtbot)
    assert [p.code for p in choices.current_choices(ws, s.ids["王芳"])] == ["A1", "A3", "A11"]
    assert "（已保存）" in panel.check.text() and not panel.save_button.isEnabled()
    row = page.picker.row_for(s.ids["王芳"])
    assert row.note.startswith("符合")


def test_points_outside_the_environment_are_disabled_with_the_reason(qtbot, small, events):
    ws, s = small
    page = open_page(qtbot, ws, events)
    page.show_teacher(s.ids["赵敏"])          # at a 多媒体 teaching point of a 混合 school
    wait_idle(qtbot)
    box = page.panel.grid.boxes["B2"]
    assert not box.isEnabled() and "不能选择" in box.toolTip()
    assert page.panel.grid.boxes["A2"].isEnabled()
    page.show_teacher(s.ids["王芳"])
    wait_idle(qtbot)
    assert page.panel.grid.boxes["B2"].isEnabled() and not page.panel.grid.boxes["C1"].isEnabled()
    assert "微课程设计方案" in page.panel.grid.boxes["B2"].toolTip()   # evidence items on hover


def test_dropping_a_point_with_evidence_asks_and_keeps_the_files(qtbot, small, events, dialogs, tmp_path):
    from app.services import evidence
    from tests.services_part2.school import submit_all
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A11"])
    submit_all(ws, s.ids["王芳"], "A3", tmp_path)
    page = open_page(qtbot, ws, events)
    page.show_teacher(s.ids["王芳"])
    wait_idle(qtbot)
    grid = page.panel.grid
    dialogs.answers = [False]
    grid.toggle("A3")
    assert grid.boxes["A3"].isChecked() and "提交了 2 个证据文件" in dialogs.texts("question")[-1]
    dialogs.answers = [True]
    grid.toggle("A3")
    assert not grid.boxes["A3"].isChecked()
    grid.toggle("A6")
    page.panel.save_button.click()
    wait_idle(qtbot)
    assert [p.code for p in choices.current_choices(ws, s.ids["王芳"])] == ["A1", "A6", "A11"]
    assert len([e for e in evidence.list_evidence(ws, s.ids["王芳"]) if e.point_code == "A3"]) == 2


def test_matrix_filters_counts_and_bulk_assign(qtbot, small, events, dialogs):
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A11"])
    choices.set_choices(ws, s.ids["李明"], ["A1", "B2", "B9"])
    page = open_page(qtbot, ws, events)
    page.tabs.setCurrentIndex(1)
    w = page.matrix
    assert w.proxy.rowCount() == 5
    assert w.model.counts().by_point["A1"] == 2
    col = w.model.point_column("A1")
    assert w.model.headerData(col, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal) == "A1\n2"
    w.subject_box.setCurrentIndex(w.subject_box.findData("数学"))
    assert w.proxy.rowCount() == 2 and w.model.counts().by_point["A1"] == 0
    assert "显示 2 位教师" in w.summary.text()
    w.subject_box.setCurrentIndex(0)
    qtbot.keyClicks(w.search, "t1")          # one keystroke at a time, as typed
    assert w.shown_teacher_ids() == [s.ids["王芳"]]
    w.search.clear()
    assert not w.bulk_button.isEnabled()
    w.group_box.setCurrentIndex(w.group_box.findData("语文研修组"))
    assert w.bulk_button.isEnabled() and "B2" in w.bulk_button.text()
    dialogs.answers = [True]
    w.bulk_button.click()
    wait_idle(qtbot)
    assert "新加入 1 人（王芳）" in dialogs.texts("information")[-1]
    assert "B2" in [p.code for p in choices.current_choices(ws, s.ids["王芳"])]
    qtbot.waitUntil(lambda: w.model.counts().by_point["B2"] == 2)
    m = matrix.school_matrix(ws)
    assert matrix.count(m.rows, m.points).by_point["B2"] == 2


def test_matrix_model_is_a_proper_qt_model(qtmodeltester, small):
    from app.ui.micro.school_matrix_model import SchoolMatrixModel
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A11"])
    model = SchoolMatrixModel()
    model.set_matrix(matrix.school_matrix(ws))
    qtmodeltester.check(model)
    assert model.rowCount() == 5 and model.columnCount() == 35
    row = next(r for r in range(5) if model.index(r, 0).data() == "王芳")
    assert model.index(row, model.point_column("A3")).data() == "✓"
    assert model.index(row, model.point_column("A2")).data() == ""


def test_switching_teacher_with_unsaved_ticks_asks_first(qtbot, small, events, dialogs):
    ws, s = small
    page = open_page(qtbot, ws, events)
    page.show_teacher(s.ids["王芳"])
    wait_idle(qtbot)
    page.panel.grid.toggle("A1")
    dialogs.answers = [False]                      # stay with 王芳
    page.show_teacher(s.ids["李明"])
    wait_idle(qtbot)
    assert "王芳 的选点修改还没有保存" in dialogs.texts("question")[-1]
    assert page.panel.state().name == "王芳" and page.panel.selected_codes() == ["A1"]
    assert page.picker.current_id() == s.ids["王芳"]
    dialogs.answers = [True]                       # discard and go
    page.show_teacher(s.ids["李明"])
    wait_idle(qtbot)
    assert page.panel.state().name == "李明" and choices.current_choices(ws, s.ids["王芳"]) == []
