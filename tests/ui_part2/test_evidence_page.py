"""证据材料: required items with their state, attaching by drop and dialog, open, replace, remove, missing list."""

from pathlib import Path

from openpyxl import load_workbook

from app.services import choices, evidence
from app.ui import jobs
from app.ui.evidence.evidence_page import EvidencePage
from app.ui.facades import Facades
from tests.services_part2.school import sample_file
from tests.ui_part2.helpers import drop_files, wait_idle


def open_page(qtbot, ws, events):
    page = EvidencePage(Facades(ws), events)
    qtbot.addWidget(page)
    page.resize(1300, 760)
    page.show()
    wait_idle(qtbot)
    return page


def states(panel):
    return [(i.code, i.item.seq, i.state, i.files) for i in panel.item_model.rows()]


def test_drop_two_files_then_open_replace_remove(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    wang = s.ids["王芳"]
    choices.set_choices(ws, wang, ["B2", "A1", "A11"])
    page = open_page(qtbot, ws, events)
    assert page.picker.row_for(wang).note == "缺 6 项"
    page.show_teacher(wang)
    wait_idle(qtbot)
    panel = page.panel
    assert states(panel)[:2] == [("A1", 1, "缺", 0), ("A1", 2, "缺", 0)]
    assert panel.current_item().item.title == "学情分析方案"       # the first missing item is ready
    b2_video = next(i for i in panel.item_model.rows() if i.item.title == "微课视频")
    assert panel.select_item(b2_video.item.id)
    big = sample_file(tmp_path / "from-explorer", "微课.mp4", 20000)
    odd = sample_file(tmp_path / "from-explorer", "微课说明.docx", 3000)     # not a 视频: warned, still saved
    assert not drop_files(panel.drop_zone, [tmp_path / "from-explorer"])      # a folder is refused
    assert drop_files(panel.drop_zone, [big, odd])
    copying = jobs.active_jobs()                  # the copy runs as a background job with a progress dialog
    assert len(copying) == 1 and copying[0].dialog is not None and copying[0].touches_db
    wait_idle(qtbot)
    rows = {r.original_name: r for r in evidence.list_evidence(ws, wang)}
    assert set(rows) == {"微课.mp4", "微课说明.docx"}
    assert panel.current_item().item.title == "微课视频" and panel.current_item().state == "已提交"
    assert panel.file_model.rowCount() == 2
    assert panel.notice.isVisible() and "微课说明.docx" in panel.notice.text() and "类型" in panel.notice.text()
    assert page.picker.row_for(wang).note == "缺 5 项"
    names = {panel.file_model.index(r, 0).data(): panel.file_model.index(r, 2).data() for r in range(2)}
    assert names["微课.mp4"].endswith("KB") and panel.file_model.index(0, 1).data() in ("视频", "文档")

    # open: a read-only copy with the original name goes to the system viewer
    panel.file_view.selectRow(0)
    chosen = panel.selected_file()
    panel.open_button.click()
    wait_idle(qtbot)
    assert Path(dialogs.opened[-1]).name == chosen.original_name
    assert Path(dialogs.opened[-1]).read_bytes() == ws.store.path_for(chosen.sha256).read_bytes()

    # replace the wrong-type file, then remove the video (asks first)
    row = next(r for r in range(2) if panel.file_model.index(r, 0).data() == "微课说明.docx")
    panel.file_view.selectRow(panel.file_proxy.mapFromSource(panel.file_model.index(row, 0)).row())
    dialogs.open_files = [str(sample_file(tmp_path, "微课2.mp4", 5000))]
    panel.replace_button.click()
    wait_idle(qtbot)
    assert {r.original_name for r in evidence.list_evidence(ws, wang)} == {"微课.mp4", "微课2.mp4"}
    old_sha = rows["微课.mp4"].sha256
    row = next(r for r in range(2) if panel.file_model.index(r, 0).data() == "微课.mp4")
    panel.file_view.selectRow(panel.file_proxy.mapFromSource(panel.file_model.index(row, 0)).row())
    dialogs.answers = [False]
    panel.remove_button.click()
    assert len(evidence.list_evidence(ws, wang)) == 2
    dialogs.answers = [True]
    panel.remove_button.click()
    wait_idle(qtbot)
    assert [r.original_name for r in evidence.list_evidence(ws, wang)] == ["微课2.mp4"]
    assert not ws.store.has(old_sha)


def test_add_by_dialog_and_drop_on_a_row(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    wang = s.ids["王芳"]
    choices.set_choices(ws, wang, ["A1", "A3", "A6"])
    page = open_page(qtbot, ws, events)
    page.show_teacher(wang)
    wait_idle(qtbot)
    panel = page.panel
    dialogs.open_files = [str(sample_file(tmp_path, "方案.docx")), str(sample_file(tmp_path, "附表.xlsx"))]
    panel.add_button.click()
    wait_idle(qtbot)
    assert states(panel)[0] == ("A1", 1, "已提交", 2)
    view = panel.item_view
    target = next(r for r in range(panel.item_proxy.rowCount())
                  if panel.item_proxy.index(r, 1).data() == "2. 设计与制作说明")
    pos = view.visualRect(panel.item_proxy.index(target, 1)).center()
    assert drop_files(view.viewport(), [sample_file(tmp_path, "说明.docx")], pos)
    wait_idle(qtbot)
    assert ("A3", 2, "已提交", 1) in states(panel)


def test_missing_list_sorts_filters_and_exports(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
    choices.set_choices(ws, s.ids["张伟"], ["A1", "B2", "B9"])
    evidence.add_evidence(ws, s.ids["王芳"], "A1", "1", sample_file(tmp_path, "a.docx"))
    page = open_page(qtbot, ws, events)
    page.tabs.setCurrentIndex(1)
    w = page.missing
    shown = w.shown_rows()
    assert len(shown) == 6 + 6 + 2            # 王芳 6 items, 张伟 6, 李明 and 赵敏 have not chosen
    assert "共 14 项缺交，涉及 4 位教师" in w.count_label.text()
    w.view.sortByColumn(4, __import__("PySide6.QtCore").QtCore.Qt.SortOrder.AscendingOrder)   # by point
    codes = [r.point_code for r in w.shown_rows()]
    assert codes[:2] == ["", ""] and codes[2:4] == ["A1", "A1"]
    w.view.sortByColumn(0, __import__("PySide6.QtCore").QtCore.Qt.SortOrder.AscendingOrder)   # by teacher
    teachers = [r.teacher for r in w.shown_rows()]
    assert teachers == sorted(teachers)
    w.group_box.setCurrentIndex(w.group_box.findData("数学研修组"))
    assert {r.teacher for r in w.shown_rows()} == {"张伟", "赵敏"}
    dialogs.save_file = str(tmp_path / "缺交清单")
    w.export_button.click()
    wait_idle(qtbot)
    wb = load_workbook(tmp_path / "缺交清单.xlsx")
    sheet = wb.active
    assert sheet.max_row == 1 + 7 and {sheet.cell(r, 2).value for r in range(2, 9)} == {"张伟", "赵敏"}
    assert all(c.data_type == "s" for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None)
    assert "缺交清单.xlsx" in dialogs.texts("information")[-1]
    w.view.activated.emit(w.proxy.index(0, 0))             # a double-click, as the platform reports it
    wait_idle(qtbot)
    assert page.tabs.currentIndex() == 0 and page.panel.current() is not None
