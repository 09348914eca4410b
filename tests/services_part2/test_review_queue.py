"""The reviewer's queue: what needs a grade, 复评 after 帮扶, filters and reviewer names."""

from app.services import assessment, choices, evidence, review_queue
from tests.services_part2.school import sample_file, submit_all


def _setup(ws, s, tmp_path):
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
    choices.set_choices(ws, s.ids["张伟"], ["A1", "B2", "B9"])
    submit_all(ws, s.ids["王芳"], "A1", tmp_path)
    evidence.add_evidence(ws, s.ids["张伟"], "B2", "1", sample_file(tmp_path, "设计.docx"))


def test_queue_lists_submitted_ungraded_items(small, tmp_path):
    ws, s = small
    _setup(ws, s, tmp_path)
    q = review_queue.build_queue(ws)
    assert [(x.teacher, x.code, x.item_seq, x.stage) for x in q] == [
        ("张伟", "B2", 1, "初评"), ("王芳", "A1", 1, "初评"), ("王芳", "A1", 2, "初评")]  # groups in name order
    first = q[1]
    assert first.group == "语文研修组" and first.point_label == "A1 技术支持的学情分析"
    assert len(first.files) == 1 and first.files[0].kind == "文档" and first.round == 1
    assessment.assess(ws, s.ids["王芳"], "A1", "1", "合格", reviewer="张伟")
    q = review_queue.build_queue(ws)
    assert [(x.teacher, x.item_seq) for x in q] == [("张伟", 1), ("王芳", 2)]
    done = review_queue.build_queue(ws, include_graded=True)
    graded = [x for x in done if x.stage == "已评"]
    assert [(x.teacher, x.item_seq, x.grade, x.last_reviewer) for x in graded] == [("王芳", 1, "合格", "张伟")]


def test_failed_item_comes_back_for_reassessment_after_support(small, tmp_path):
    ws, s = small
    _setup(ws, s, tmp_path)
    wang = s.ids["王芳"]
    assessment.assess(ws, wang, "A1", "1", "合格", reviewer="张伟")
    r = assessment.assess(ws, wang, "A1", "2", "不合格", reviewer="张伟")
    assert r.point_result == "不合格"
    assert not [x for x in review_queue.build_queue(ws) if x.teacher == "王芳"]
    assessment.open_support(ws, wang, helper="张伟", point_code="A1")
    again = [x for x in review_queue.build_queue(ws) if x.teacher == "王芳"]
    assert [(x.item_seq, x.stage, x.grade, x.round) for x in again] == [(2, "复评", "不合格", 2)]
    r = assessment.assess(ws, wang, again[0].code, str(again[0].item_seq), "合格", reviewer="张伟")
    assert r.round == 2 and r.point_result == "合格"
    assert not [x for x in review_queue.build_queue(ws) if x.teacher == "王芳"]


def test_filters(small, tmp_path):
    ws, s = small
    _setup(ws, s, tmp_path)
    q = review_queue.build_queue(ws)
    assert {x.teacher for x in review_queue.filter_queue(q, reviewer="张伟")} == {"王芳"}   # 回避 own items
    assert {x.teacher for x in review_queue.filter_queue(q, group="数学研修组")} == {"张伟"}
    assert {x.item_seq for x in review_queue.filter_queue(q, point="A1")} == {1, 2}
    assert review_queue.filter_queue(q, point="C1") == []
    assessment.assess(ws, s.ids["王芳"], "A1", "1", "合格", reviewer="刘教研员")
    done = review_queue.build_queue(ws, include_graded=True)
    mine = review_queue.filter_queue(done, reviewer="张伟", stage="已评")
    assert mine == []            # graded by someone else
    theirs = review_queue.filter_queue(done, reviewer="刘教研员", stage="已评")
    assert [(x.teacher, x.item_seq) for x in theirs] == [("王芳", 1)]


def test_reviewer_names_put_the_guidance_team_first(small):
    ws, s = small
    assert review_queue.reviewer_names(ws) == ["张伟", "刘教研员", "王芳"]


def test_grade_history(small, tmp_path):
    ws, s = small
    _setup(ws, s, tmp_path)
    wang = s.ids["王芳"]
    assessment.assess(ws, wang, "A1", "2", "不合格", reviewer="张伟", comment="需重做", on_date="2026-11-01")
    assessment.open_support(ws, wang, helper="张伟")
    assessment.assess(ws, wang, "A1", "2", "优秀", reviewer="张伟", on_date="2026-12-01")
    hist = review_queue.grade_history(ws, wang)
    (rows,) = hist.values()
    assert [(g.round, g.grade, g.comment) for g in rows] == [(1, "不合格", "需重做"), (2, "优秀", "")]
    assert str(rows[0].on_date) == "2026-11-01"


def test_teacher_sheet_and_summary_follow_the_rule(small, tmp_path):
    ws, s = small
    _setup(ws, s, tmp_path)
    wang = s.ids["王芳"]
    sheet = review_queue.teacher_sheet(ws, wang)
    assert [(r.code, r.item_seq, r.state) for r in sheet.rows[:3]] == [("A1", 1, "已提交"), ("A1", 2, "已提交"),
                                                                       ("A3", 1, "缺")]
    assert sheet.point_results == {"A1": "待评", "A3": "未提交", "A6": "未提交"} and sheet.result == "未提交"
    summ = review_queue.assessment_summary(ws)
    assert summ.to_grade == 3 and summ.to_regrade == 0 and summ.active == 4
    assessment.assess(ws, wang, "A1", "1", "优秀", reviewer="张伟")
    assessment.assess(ws, wang, "A1", "2", "优秀", reviewer="张伟")
    sheet = review_queue.teacher_sheet(ws, wang)
    assert sheet.point_results["A1"] == "优秀"
    assert [(r.latest.grade, r.latest.reviewer) for r in sheet.rows[:2]] == [("优秀", "张伟")] * 2
    summ = review_queue.assessment_summary(ws)
    assert summ.to_grade == 1 and [(c.teacher, c.point_code) for c in summ.candidates] == [("王芳", "A1")]
    # a failing item: the teacher needs 帮扶 until one is opened
    choices.set_choices(ws, s.ids["李明"], ["A1", "A3", "A6"])
    evidence.add_evidence(ws, s.ids["李明"], "A1", "1", sample_file(tmp_path, "l.docx"))
    assessment.assess(ws, s.ids["李明"], "A1", "1", "不合格", reviewer="张伟")
    summ = review_queue.assessment_summary(ws)
    assert [(n.teacher, n.failed_points) for n in summ.needs_support] == [("李明", ("A1",))]
    assert summ.results == {"不合格": 1, "未提交": 2, "未选点": 1}   # 李明; 王芳 and 张伟 still miss items
    assessment.open_support(ws, s.ids["李明"], helper="张伟", point_code="A1")
    summ = review_queue.assessment_summary(ws)
    assert summ.support_open == 1 and not [n for n in summ.needs_support if n.teacher == "李明"]
    assert review_queue.teacher_sheet(ws, s.ids["李明"]).open_support.helper == "张伟"
