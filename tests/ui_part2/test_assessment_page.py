"""校本考核: grading by keyboard and by teacher, results by the rule, 帮扶 opened and closed, excellent cases,
and the dashboard's numbers after each step."""

from PySide6.QtCore import Qt

from app.services import assessment, choices, review_queue
from app.ui.assessment.assessment_page import CASES, QUEUE, SUPPORT, TEACHER, AssessmentPage
from app.ui.facades import Facades
from tests.services_part2.school import submit_all
from tests.ui_part2.helpers import wait_idle


def school_with_evidence(ws, s, tmp_path):
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A11"])
    choices.set_choices(ws, s.ids["李明"], ["A1", "A3", "A11"])
    for name in ("王芳", "李明"):
        for code in ("A1", "A3", "A11"):
            submit_all(ws, s.ids[name], code, tmp_path)


def open_page(qtbot, ws, events):
    page = AssessmentPage(Facades(ws), events)
    qtbot.addWidget(page)
    page.resize(1366, 800)
    page.show()
    wait_idle(qtbot)
    return page


def key(qtbot, widget, k):
    qtbot.keyClick(widget, k)
    wait_idle(qtbot)


def test_keyboard_queue_grades_points_to_excellent_pass_and_fail(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    page = open_page(qtbot, ws, events)
    q = page.queue
    assert page.dashboard.value("to_grade") == 12 and page.dashboard.value("unfinished") == 4
    q.form.reviewer_box.setEditText("张伟")
    assert q.model.rowCount() == 12                        # 张伟 grades others' evidence only
    q.group_box.setCurrentIndex(q.group_box.findData("语文研修组"))
    view = q.view
    view.setFocus()
    first = q.current()
    assert (first.teacher, first.point_code, first.item_seq) == ("王芳", "A1", 1)
    key(qtbot, view, Qt.Key.Key_O)                         # O opens the file with the system viewer
    assert dialogs.opened and dialogs.opened[-1].endswith(".docx")
    # 王芳: A1 优秀+优秀 -> 优秀; A3 优秀+合格 -> 合格; A11 合格+不合格 -> 不合格
    results = []
    q.graded.connect(lambda item, r: results.append((item.point_code, item.item_seq, r.grade, r.point_result)))
    for grade_key in (Qt.Key.Key_1, Qt.Key.Key_1, Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_2):
        key(qtbot, view, grade_key)
        key(qtbot, view, Qt.Key.Key_N)
    assert results == [("A1", 1, "优秀", "待评"), ("A1", 2, "优秀", "优秀"), ("A3", 1, "优秀", "待评"),
                       ("A3", 2, "合格", "合格"), ("A11", 1, "合格", "待评")]
    assert page.dashboard.value("to_grade") == 7
    key(qtbot, view, Qt.Key.Key_3)                          # 不合格: a 帮扶 is offered on a bar, not asked
    assert q.last_result.point_result == "不合格" and q.last_result.teacher_result == "不合格"
    assert page.support_offer.isVisible() and "王芳" in page.support_offer.text.text()
    assert not dialogs.texts("question")
    sheet = review_queue.teacher_sheet(ws, s.ids["王芳"])
    assert sheet.point_results == {"A1": "优秀", "A3": "合格", "A11": "不合格"}
    wait_idle(qtbot)
    assert page.dashboard.value("fail") == 1 and page.dashboard.value("to_grade") == 6
    assert "1 人待建帮扶" in page.dashboard.note("fail")
    stages = [x.stage for x in q.model.rows()]
    assert stages.count("已评") == 6 and stages.count("初评") == 6   # graded rows stay, marked 已评
    key(qtbot, view, Qt.Key.Key_Return)                     # Enter: next waiting item (李明's)
    assert q.current().teacher == "李明"


def test_support_opened_and_closed_and_a_case_marked(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    wang, li = s.ids["王芳"], s.ids["李明"]
    for code in ("A1", "A3", "A11"):
        for seq in ("1", "2"):
            assessment.assess(ws, li, code, seq, "优秀", reviewer="张伟")
            assessment.assess(ws, wang, code, seq, "不合格" if (code, seq) == ("A11", "2") else "合格",
                              reviewer="张伟")
    page = open_page(qtbot, ws, events)
    d = page.dashboard
    assert (d.value("excellent"), d.value("pass"), d.value("fail"), d.value("support_open")) == (1, 0, 1, 0)

    # 帮扶: from the list of teachers who need one
    page.tabs.setCurrentIndex(SUPPORT)
    sup = page.support
    assert [n.teacher for n in sup.needs.model.rows()] == ["王芳"]
    sup.needs.select_key(wang)
    sup.open_button.click()
    dlg = page.support_dialog
    assert dlg.field("point").currentData() == "A11"
    dlg.save_button.click()
    assert "请填写帮扶人" in dlg.error_text("helper")
    dlg.field("helper").setEditText("张伟")
    dlg.field("plan").setPlainText("重新设计评价量规")
    dlg.save_button.click()
    wait_idle(qtbot)
    assert d.value("support_open") == 1 and not sup.needs.model.rows()
    assert [r.helper for r in sup.records.model.rows()] == ["张伟"]

    # 复评 in the queue: only the failed item comes back, in round 2
    page.tabs.setCurrentIndex(QUEUE)
    page.queue.form.reviewer_box.setEditText("张伟")
    page.queue.reload()
    wait_idle(qtbot)
    assert d.value("to_regrade") == 1
    again = page.queue.current()
    assert (again.teacher, again.point_code, again.item_seq, again.stage, again.round) == ("王芳", "A11", 2, "复评", 2)
    key(qtbot, page.queue.view, Qt.Key.Key_2)
    assert page.queue.last_result.point_result == "合格" and page.queue.last_result.round == 2
    wait_idle(qtbot)
    assert d.value("to_regrade") == 0 and d.value("support_open") == 1    # still open until closed

    # close it: the result follows from the re-graded items
    page.tabs.setCurrentIndex(SUPPORT)
    sup.records.select_key(sup.records.model.rows()[0].id)
    sup.close_button.click()
    wait_idle(qtbot)
    close = sup.dialog
    assert "合格" in close.intro.text()
    close.save_button.click()
    wait_idle(qtbot)
    assert d.value("support_open") == 0 and d.value("fail") == 0 and d.value("pass") == 1
    assert sup.records.model.rows()[0].new_result == "合格"

    # an excellent case: 李明's points are all 优秀
    page.tabs.setCurrentIndex(CASES)
    c = page.cases
    assert {(x.teacher, x.point_code) for x in c.candidates.model.rows()} == {("李明", "A1"), ("李明", "A3"),
                                                                             ("李明", "A11")}
    assert d.value("cases") == 0 and "本校方案未规定比例" in c.share.text()
    c.candidates.select_key((li, "A3"))
    c.mark_button.click()
    wait_idle(qtbot)
    assert d.value("cases") == 1 and [x.point_code for x in c.cases.model.rows()] == ["A3"]
    assert "25.0%" in c.share.text()                   # 1 of 4 taking part
    c.cases.select_key(c.cases.model.rows()[0].id)
    dialogs.answers = [True]
    c.unmark_button.click()
    wait_idle(qtbot)
    assert d.value("cases") == 0


def test_grading_by_teacher_with_a_personal_item_and_the_case_target(qtbot, ws, events, dialogs, tmp_path):
    from app.services import evidence
    from tests.services_part2.school import build_small_school, sample_file
    s = build_small_school(ws, programme="wafangdian-2023")      # 3 points + a 指导案 per teacher; cases ≥ 3%
    school_with_evidence(ws, s, tmp_path)
    li = s.ids["李明"]
    evidence.add_evidence(ws, li, "个人", "1", sample_file(tmp_path, "指导案.docx"))
    evidence.add_evidence(ws, li, "个人", "2", sample_file(tmp_path, "个人研修计划.docx"))
    page = open_page(qtbot, ws, events)
    assert "目标 ≥3%" in page.dashboard.note("cases")
    page.show_teacher(li)
    wait_idle(qtbot)
    assert page.tabs.currentIndex() == TEACHER
    t = page.by_teacher
    sheet = t.current_sheet()
    assert sheet.name == "李明" and [r.code for r in sheet.rows][-1] == "个人"
    t.form.reviewer_box.setEditText("刘教研员")
    assert page.queue.form.reviewer() == "刘教研员"                 # one reviewer across the tabs
    for _ in range(len(sheet.rows)):
        t.grade(t.form.scale()[0])
        wait_idle(qtbot)
        t._next_row()
    sheet = t.current_sheet()
    assert sheet.result == "优秀" and set(sheet.point_results.values()) == {"优秀"}
    assert "个人考核结果：<b style='color:#1b7f3b'>优秀</b>" in t.results.text()
    t.sheet.select_key(sheet.rows[0].item_id)
    assert t.case_button.isEnabled()
    t.case_button.click()
    wait_idle(qtbot)
    assert page.dashboard.value("cases") == 1
    page.tabs.setCurrentIndex(CASES)
    assert "方案要求不低于 3%，已达到" in page.cases.share.text()


def test_the_programmes_own_scale(qtbot, ws, events, dialogs, tmp_path):
    from app.services.programmes.adjust import set_rule
    from tests.services_part2.school import build_small_school
    s = build_small_school(ws)
    set_rule(ws, "grading.scale", {"scale": ["优秀", "良好", "合格", "不合格"], "pass": ["优秀", "良好", "合格"],
                                   "excellent": "优秀", "fail": "不合格"}, by="教务处")
    school_with_evidence(ws, s, tmp_path)
    page = open_page(qtbot, ws, events)
    q = page.queue
    assert list(q.form.buttons) == ["优秀", "良好", "合格", "不合格"]
    assert "4 不合格" in q.keys_help.text()
    q.form.reviewer_box.setEditText("刘教研员")
    key(qtbot, q.view, Qt.Key.Key_2)
    key(qtbot, q.view, Qt.Key.Key_N)
    key(qtbot, q.view, Qt.Key.Key_1)
    assert q.last_result.point_result == "良好"                  # the worst grade of the point's items
    key(qtbot, q.view, Qt.Key.Key_N)
    key(qtbot, q.view, Qt.Key.Key_4)
    assert q.last_result.grade == "不合格" and page.support_offer.isVisible()


def test_digits_typed_in_the_comment_are_text_not_grades(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    page = open_page(qtbot, ws, events)
    q = page.queue
    assert [q.form.reviewer_box.itemText(i) for i in range(q.form.reviewer_box.count())] == ["张伟", "刘教研员", "王芳"]
    q.form.reviewer_box.setEditText("刘教研员")
    before = q.current()
    qtbot.keyClicks(q.form.comment, "3 items ok")
    wait_idle(qtbot)
    assert q.form.comment.text() == "3 items ok" and q.current().stage == "初评"
    qtbot.keyClick(q.form.comment, Qt.Key.Key_Return)          # back to the list
    key(qtbot, q.view, Qt.Key.Key_1)
    graded = review_queue.teacher_sheet(ws, before.teacher_id).rows[0].latest
    assert (graded.grade, graded.comment, graded.reviewer) == ("优秀", "3 items ok", "刘教研员")
    assert q.form.comment.text() == ""


def test_grading_needs_a_reviewer(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    school_with_evidence(ws, s, tmp_path)
    page = open_page(qtbot, ws, events)
    key(qtbot, page.queue.view, Qt.Key.Key_1)
    assert "请先在“评定人”中选择或填写评定人" in dialogs.texts("warning")[-1]
    assert page.dashboard.value("to_grade") == 12
