"""Issue 14 item 8: the same file attached twice to one item is said, and skipped (not counted twice)."""

import shutil

from app.services import choices, evidence
from tests.services_part2.school import sample_file
from tests.ui_part2.helpers import drop_files, wait_idle
from tests.ui_part2.test_evidence_page import open_page


def test_dropping_the_same_file_again_says_so_and_adds_nothing(qtbot, small, events, dialogs, tmp_path):
    ws, s = small
    wang = s.ids["王芳"]
    choices.set_choices(ws, wang, ["A1", "A3", "A11"])
    page = open_page(qtbot, ws, events)
    page.show_teacher(wang)
    wait_idle(qtbot)
    panel = page.panel
    plan = sample_file(tmp_path / "u盘", "学情分析方案.docx")
    copy = tmp_path / "桌面" / "方案-副本.docx"                     # the same content under another name
    copy.parent.mkdir()
    shutil.copy(plan, copy)
    assert drop_files(panel.drop_zone, [plan])
    wait_idle(qtbot)
    assert panel.file_model.rowCount() == 1 and not panel.notice.isVisible()
    assert drop_files(panel.drop_zone, [plan, copy])              # both again: neither is added
    wait_idle(qtbot)
    assert panel.file_model.rowCount() == 1
    assert panel.notice.isVisible()
    text = panel.notice.text()
    assert "“学情分析方案.docx”已经提交到“学情分析方案”，没有重复添加" in text
    assert "“方案-副本.docx”已经提交到“学情分析方案”（与已提交的“学情分析方案.docx”内容相同）" in text
    assert "以上提醒不影响保存" not in text
    assert len([e for e in evidence.list_evidence(ws, wang)]) == 1


def test_the_service_refuses_a_twin_on_the_same_item_only(small, tmp_path):
    import pytest
    ws, s = small
    wang = s.ids["王芳"]
    choices.set_choices(ws, wang, ["A1", "A3", "A11"])
    f = sample_file(tmp_path, "a.docx")
    evidence.add_evidence(ws, wang, "A1", "1", f)
    with pytest.raises(evidence.DuplicateEvidenceError):
        evidence.add_evidence(ws, wang, "A1", "1", f)
    evidence.add_evidence(ws, wang, "A1", "2", f)                 # another item may use the same file
    assert len(evidence.list_evidence(ws, wang)) == 2
