"""Issue 14 item 3: the queue says why an item is not in it (回避, another reviewer), and the reviewer
can take a 复评 over.

After 帮扶 and a replaced file the 复评 showed only when the reviewer was set back to the one who
failed the item; anyone else saw "已全部评定" while the card said "1 待复评".
"""

from PySide6.QtCore import Qt

from app.services import assessment, review_queue
from tests.ui_part2.helpers import wait_idle
from tests.ui_part2.test_assessment_page import key, open_page, school_with_evidence


def _failed_and_supported(ws, s):
    wang, li = s.ids["王芳"], s.ids["李明"]
    for code in ("A1", "A3", "A11"):
        for seq in ("1", "2"):
            assessment.assess(ws, li, code, seq, "优秀", reviewer="张伟")
            assessment.assess(ws, wang, code, seq, "不合格" if (code, seq) == ("A11", "2") else "合格",
                              reviewer="张伟")
    assessment.open_support(ws, wang, helper="张伟", point_code="A11")


def test_another_reviewer_is_told_and_takes_the_regrade_over(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    _failed_and_supported(ws, s)
    page = open_page(qtbot, ws, events)
    assert page.dashboard.value("to_regrade") == 1
    q = page.queue
    q.form.reviewer_box.setEditText("刘教研员")
    wait_idle(qtbot)
    assert q.model.rowCount() == 0
    assert q.hidden_note.isVisible()
    note = q.hidden_note.text()
    assert "1 项上次由其他评定人评定" in note and "张伟" in note and "复评" in note
    assert "张伟" in q.title.text()                          # not just "没有待评的证据"
    assert q.take_over_button.isVisible()
    qtbot.mouseClick(q.take_over_button, Qt.MouseButton.LeftButton)
    item = q.current()
    assert (item.teacher, item.point_code, item.item_seq, item.stage) == ("王芳", "A11", 2, "复评")
    assert not q.hidden_note.isVisible()
    key(qtbot, q.view, Qt.Key.Key_2)
    assert q.last_result.round == 2 and q.last_result.point_result == "合格"
    wait_idle(qtbot)
    assert page.dashboard.value("to_regrade") == 0
    hist = review_queue.grade_history(ws, s.ids["王芳"])
    assert [g.reviewer for g in hist[item.item_id]] == ["张伟", "刘教研员"]


def test_own_evidence_is_explained_as_avoidance(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    page = open_page(qtbot, ws, events)
    q = page.queue
    q.form.reviewer_box.setEditText("王芳")
    wait_idle(qtbot)
    assert {x.teacher for x in q.model.rows()} == {"李明"}
    assert "6 项是您本人的证据（回避" in q.hidden_note.text()
    assert not q.take_over_button.isVisible()               # one's own evidence cannot be taken over

