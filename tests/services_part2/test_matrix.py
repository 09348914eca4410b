"""The whole-school matrix: rows, counts, filters and the group's common point."""

import pytest

from app.errors import NotFoundError, ValidationError
from app.services import choices, matrix, teams


def test_rows_follow_choices_and_the_rule(small):
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
    m = matrix.school_matrix(ws)
    assert len(m.points) == 30
    rows = {r.name: r for r in m.rows}
    assert rows["王芳"].codes == {"A1", "A3", "A6"}
    assert rows["王芳"].status == "符合" and rows["王芳"].group == "语文研修组"
    assert rows["李明"].status == "未选点" and rows["李明"].problems    # the rule says what is missing
    assert rows["刘洋"].status == "免修" and rows["刘洋"].group == matrix.NO_GROUP
    assert rows["赵敏"].environment == "多媒体"
    assert m.subjects == ("数学", "英语", "语文")
    assert {g.name: g.common_point for g in m.groups} == {"语文研修组": "B2", "数学研修组": "B1"}


def test_counts_per_point_and_dimension(small):
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
    choices.set_choices(ws, s.ids["张伟"], ["A1", "B2", "B9"])
    m = matrix.school_matrix(ws)
    c = matrix.count(m.rows, m.points)
    assert c.teachers == 5
    assert c.by_point["A1"] == 2 and c.by_point["B2"] == 1 and c.by_point["C1"] == 0
    assert c.by_dimension == {"学情分析": 2, "教学设计": 2, "学法指导": 1, "学业评价": 1}
    assert c.by_status == {"符合": 2, "未选点": 2, "免修": 1}
    only = [m.rows[i] for i in matrix.filter_rows(m.rows, subject="数学")]
    assert matrix.count(only, m.points).by_point["A1"] == 1


def test_filters_by_subject_group_and_text(small):
    ws, s = small
    m = matrix.school_matrix(ws)
    names = lambda idx: sorted(m.rows[i].name for i in idx)  # noqa: E731
    assert names(matrix.filter_rows(m.rows, subject="语文")) == ["李明", "王芳"]
    assert names(matrix.filter_rows(m.rows, group="数学研修组")) == ["张伟", "赵敏"]
    assert names(matrix.filter_rows(m.rows, group=matrix.NO_GROUP)) == ["刘洋"]
    assert names(matrix.filter_rows(m.rows, text="t3")) == ["张伟"]
    assert names(matrix.filter_rows(m.rows, subject="语文", text="王")) == ["王芳"]
    assert len(matrix.filter_rows(m.rows)) == 5


def test_assign_common_point_reports_each_refusal(small):
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
    choices.set_choices(ws, s.ids["李明"], ["A1", "B2", "B9"])
    r = matrix.assign_common_point(ws, s.groups["语文研修组"])
    assert r.point == "B2" and r.added == ("王芳",) and r.already == ("李明",) and not r.refused
    assert [p.code for p in choices.current_choices(ws, s.ids["王芳"])] == ["A1", "A3", "A6", "B2"]
    # 数学: 张伟 has no other points yet (too few), 赵敏 teaches at a 多媒体 point (B1 is outside)
    choices.set_choices(ws, s.ids["赵敏"], ["A1", "A3", "A6"])
    r = matrix.assign_common_point(ws, s.groups["数学研修组"])
    assert r.added == ()
    refused = dict(r.refused)
    assert "至少选择 3 个能力点" in refused["张伟"]
    assert "不能选择" in refused["赵敏"] and "多媒体" in refused["赵敏"]
    assert [p.code for p in choices.current_choices(ws, s.ids["赵敏"])] == ["A1", "A3", "A6"]   # untouched
    text = r.summary()
    assert "未能加入 2 人" in text and "张伟" in text


def test_assign_needs_a_group_with_a_point(small):
    ws, s = small
    g = teams.save_group(ws, None, name="综合组", member_ids=[s.ids["刘洋"]])
    with pytest.raises(ValidationError, match="还没有设置共同能力点"):
        matrix.assign_common_point(ws, g.id)
    with pytest.raises(NotFoundError):
        matrix.assign_common_point(ws, 9999)
    teams.save_group(ws, g.id, name="综合组", common_point="A1", member_ids=[s.ids["刘洋"]])
    r = matrix.assign_common_point(ws, g.id)
    assert r.skipped == ("刘洋",) and not r.added


def test_teacher_choice_state_runs_the_programme_rule(small, tmp_path):
    from tests.services_part2.school import submit_all
    ws, s = small
    choices.set_choices(ws, s.ids["王芳"], ["A1", "A3", "A6"])
    submit_all(ws, s.ids["王芳"], "A1", tmp_path)
    st = matrix.teacher_choice_state(ws, s.ids["王芳"])
    assert st.chosen == ("A1", "A3", "A6") and st.files_by_point == {"A1": 2}
    assert st.problems(["A1", "A3", "A6"]) == []
    assert st.problems(["A1"]) == choices.check_selection(ws, s.ids["王芳"], ["A1"]).problems   # one rule
    zhao = matrix.teacher_choice_state(ws, s.ids["赵敏"])
    assert zhao.environment == "多媒体"
    assert any("不能选择" in p for p in zhao.problems(["A1", "A3", "B2"]))
    assert "至少选择 3 个能力点" in matrix.rule_summary(st.micro, "混合")
    assert "多媒体、混合" in matrix.rule_summary(st.micro, "混合")
    items = matrix.evidence_items_by_point(ws)
    assert len(items) == 30 and [i.title for i in items["B2"]] == ["微课程设计方案", "微课视频"]
    with pytest.raises(NotFoundError):
        matrix.teacher_choice_state(ws, 9999)
