"""The 项目方案 page: rules with their 依据, adjusting one in a form, and every view following the change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton

from app.services.compliance import run_check
from app.services.programmes.adjust import set_rule, show_programme
from tests.ui.conftest import click_row, settle, type_text


def test_each_rule_shows_its_source_and_the_schools_change(qtbot, window):
    page = window.go_to("项目方案")
    settle()
    keys = [r.key for r in page.table.model.rows()]
    assert {"hours.total_min", "micro.count", "school.documents"} <= set(keys)
    click_row(qtbot, page.table, "hours.total_min")
    assert "依据：" in page.detail.toPlainText() and "50" in page.detail.toPlainText()
    click_row(qtbot, page.table, "school.documents")                   # the demo's district date
    text = page.detail.toPlainText()
    assert "内置方案：" in text and "9月30日前报区教育局" in text
    assert "教务处" in page.changes.toPlainText()
    assert "已调整 1 条" in page.summary.text()


def test_adjusting_a_rule_in_the_form_changes_every_check(qtbot, window):
    before = run_check(window.api.workspace).summary["meeting_all"]
    page = window.go_to("项目方案")
    settle()
    click_row(qtbot, page.table, "hours.total_min", double=True)          # double-click opens 修改…
    dialog = page.dialog
    assert dialog.isVisible()
    field = dialog.fields["value"]
    field.selectAll()
    type_text(qtbot, field, "70")
    type_text(qtbot, dialog.note, "区教育局通知")
    qtbot.mouseClick(next(b for b in dialog.findChildren(QPushButton) if b.text() == "保存"), Qt.MouseButton.LeftButton)
    settle()
    view = show_programme(window.api.workspace)
    rule = next(r for r in view.rules if r.key == "hours.total_min")
    assert rule.value == 70 and rule.changed and view.changes[-1].note == "区教育局通知"
    assert "70" in next(r.text for r in page.table.model.rows() if r.key == "hours.total_min")
    assert run_check(window.api.workspace).summary["meeting_all"] < before      # 70 hours: fewer teachers complete
    home = window.go_to("首页")
    settle()
    assert any("/70" in f.message for f in home.findings.model.rows())


def test_a_wrong_value_in_the_form_is_refused_in_chinese(qtbot, window, dialogs):
    page = window.go_to("项目方案")
    settle()
    click_row(qtbot, page.table, "hours.practice_share", double=True)
    dialog = page.dialog
    dialog.fields["value"].setText("150%")
    dialog.accept()
    settle()
    assert any("实践类学时" in t for t in dialogs.texts())
    assert next(r for r in show_programme(window.api.workspace).rules if r.key == "hours.practice_share").value == 0.5


def _tool(table, text):
    from PySide6.QtWidgets import QToolButton
    return next(b for b in table.findChildren(QToolButton) if b.text() == text)


def test_switching_a_rule_off_and_restoring_it(qtbot, window):
    page = window.go_to("项目方案")
    settle()
    click_row(qtbot, page.table, "assessment.support")
    qtbot.mouseClick(_tool(page.table, "启用/停用"), Qt.MouseButton.LeftButton)
    settle()
    assert not any(f.code.startswith("support.") for f in run_check(window.api.workspace).findings)
    assert next(r for r in page.table.model.rows() if r.key == "assessment.support").on is False
    click_row(qtbot, page.table, "assessment.support")
    qtbot.mouseClick(_tool(page.table, "恢复此条"), Qt.MouseButton.LeftButton)
    settle()
    assert any(f.code.startswith("support.") for f in run_check(window.api.workspace).findings)


def test_a_finding_about_a_school_choice_opens_its_rule(qtbot, window):
    from app.services.school import change_programme
    change_programme(window.api.workspace, "wafangdian-2023")          # 瓦房店: the school chooses its range
    home = window.go_to("首页")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    settle()
    finding = next(f for f in home.findings.model.rows() if f.code == "choice.range")
    assert "选择微能力提升范围" in finding.basis
    click_row(qtbot, home.findings, home.findings.model.key(finding))
    settle()
    page = window.page("项目方案")
    assert window.current_title() == "项目方案" and page.table.current_key() == "micro.range"


def test_findings_carry_their_basis_on_the_home_page(qtbot, window):
    home = window.go_to("首页")
    settle()
    model = home.findings.model
    col = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Orientation.Horizontal) == "依据")
    bases = [model.index(r, col).data() for r in range(model.rowCount())]
    assert any(b for b in bases) and all(isinstance(b, str) for b in bases)


def test_teacher_form_offers_participation(qtbot, window):
    page = window.go_to("教师")
    settle()
    page.add_record()
    dialog = page.dialog
    combo = dialog.findChild(QComboBox, "participation") or dialog.field("participation")
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["按方案", "自愿参加", "不参加"]
    dialog.reject()
