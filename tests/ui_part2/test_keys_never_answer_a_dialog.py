"""Issue 14 item 2: keys typed for the grading queue never answer a dialog; changing a 不合格 asks first.

The reviewer graded an item 3 (不合格), typed N (下一项) and 2: the 帮扶 question had popped up, N
answered it 否, and 2 re-graded the failed item 合格 without anyone noticing.
"""

from PySide6.QtCore import Qt

from app.services import review_queue
from tests.ui_part2.test_assessment_page import key, open_page, school_with_evidence


def _grades(ws, teacher_id, code):
    sheet = review_queue.teacher_sheet(ws, teacher_id)
    return [r.latest.grade if r.latest else None for r in sheet.rows if r.point_code == code]


def test_n_after_a_fail_goes_to_the_next_item_and_the_digit_grades_that_one(qtbot, small, events, dialogs,
                                                                            tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    page = open_page(qtbot, ws, events)
    q = page.queue
    q.form.reviewer_box.setEditText("张伟")
    q.group_box.setCurrentIndex(q.group_box.findData("语文研修组"))
    view = q.view
    view.setFocus()
    for grade_key in (Qt.Key.Key_1, Qt.Key.Key_1, Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_2):
        key(qtbot, view, grade_key)
        key(qtbot, view, Qt.Key.Key_N)
    failed = q.current()
    assert (failed.teacher, failed.point_code, failed.item_seq) == ("王芳", "A11", 2)
    key(qtbot, view, Qt.Key.Key_3)                          # 不合格: 王芳's result turns 不合格
    assert q.last_result.teacher_result == "不合格"
    assert not dialogs.texts("question")                    # nothing is waiting for a key
    assert page.support_offer.isVisible()
    key(qtbot, view, Qt.Key.Key_N)                          # 下一项, as the help line says
    assert q.current().key != failed.key
    nxt = q.current()
    key(qtbot, view, Qt.Key.Key_2)                          # grades the next item …
    assert _grades(ws, s.ids["王芳"], "A11") == ["合格", "不合格"]   # … and the failed one stays failed
    assert q.last_result.grade == "合格" and (nxt.teacher, nxt.item_seq) == (q.current().teacher, nxt.item_seq)

    q.table.select_key(failed.key)                          # back on the failed item, a stray 2:
    dialogs.answers = [False]                               # asked first; 否 (the default) keeps it
    key(qtbot, view, Qt.Key.Key_2)
    assert dialogs.seen[-1][1] == "修改不合格的等级" and "王芳" in dialogs.seen[-1][2]
    assert _grades(ws, s.ids["王芳"], "A11") == ["合格", "不合格"]
    dialogs.answers = [True]                                # on purpose: 是
    key(qtbot, view, Qt.Key.Key_2)
    assert _grades(ws, s.ids["王芳"], "A11") == ["合格", "合格"]
    assert not page.support_offer.isVisible()               # the result is no longer 不合格


def test_the_offer_opens_the_support_dialog_with_the_failed_point(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    page = open_page(qtbot, ws, events)
    q = page.queue
    q.form.reviewer_box.setEditText("张伟")
    q.group_box.setCurrentIndex(q.group_box.findData("语文研修组"))
    key(qtbot, q.view, Qt.Key.Key_3)
    assert page.support_offer.isVisible()
    qtbot.mouseClick(page.support_offer.open_button, Qt.MouseButton.LeftButton)
    assert page.support_dialog.isVisible() and page.support_dialog.field("point").currentData() == "A1"


def test_changing_a_fail_on_the_teacher_sheet_asks_too(qtbot, small, events, dialogs, tmp_path):
    from app.services import assessment
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    wang = s.ids["王芳"]
    assessment.assess(ws, wang, "A1", "1", "不合格", reviewer="张伟")
    page = open_page(qtbot, ws, events)
    page.show_teacher(wang)
    from tests.ui_part2.helpers import wait_idle
    wait_idle(qtbot)
    t = page.by_teacher
    t.form.reviewer_box.setEditText("张伟")
    t.sheet.select_key(t.current_sheet().rows[0].item_id)
    dialogs.answers = [False]
    key(qtbot, t.sheet.view, Qt.Key.Key_1)
    assert dialogs.seen[-1][1] == "修改不合格的等级"
    assert _grades(ws, wang, "A1")[0] == "不合格"
