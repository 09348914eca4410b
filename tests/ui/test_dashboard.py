"""首页: the numbers match the compliance report, and a finding's click lands on its record."""

from PySide6.QtCore import Qt

from app.services.compliance import run_check
from app.ui.widgets.table_model import RowTableModel
from tests.ui.conftest import choose, click_row, settle


def _click_finding(qtbot, page, predicate):
    view = page.findings.view
    for i in range(page.findings.proxy.rowCount()):
        index = page.findings.proxy.index(i, 1)
        finding = index.data(RowTableModel.ROW_ROLE)
        if predicate(finding):
            view.scrollTo(index)
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
            settle()
            return finding
    raise AssertionError("no such finding on the dashboard")


def test_dashboard_numbers_match_the_check(qtbot, window):
    page = window.go_to("首页")
    settle()
    report = run_check(window.api.workspace)
    s = report.summary
    assert page.card_pass.value.text() == f"{s['meeting_all']} / {s['active']}"
    assert page.card_exempt.value.text() == str(s["exempt"])
    assert page.card_findings.value.text() == str(len(report.blocking))
    assert page.findings.model.rowCount() == len(report.findings)
    dims = dict((b.label, b.value) for b in page.micro_chart.groups()[0][1])
    assert dims == s["micro_by_dimension"]
    envs = dict((b.label, b.value) for b in page.env_chart.groups()[0][1])
    assert envs == s["micro_by_environment"]
    total = next(b for b in page.hours_chart.groups()[0][1] if b.label.startswith("总学时"))
    assert total.text == f"{total.value}/{s['active']} 人" and total.value < s["active"]
    assert "校本应用考核方案" in page.plans_text.text() and "已过期" in page.plans_text.text()
    choose(qtbot, page.finding_filter, "教师个人")
    assert all(f.teacher_id is not None for f in page.findings.visible_rows())


def test_clicking_a_teacher_finding_opens_that_teachers_hours(qtbot, window):
    page = window.go_to("首页")
    settle()
    finding = _click_finding(qtbot, page, lambda f: f.code == "hours.total")
    assert window.current_title() == "学时与活动"
    hours_page = window.current_page()
    assert hours_page.tabs.currentWidget() is hours_page.records
    assert hours_page.records.teacher_filter.currentData() == finding.teacher_id
    assert hours_page.records.totals.text().startswith(finding.teacher_name)
    assert {h.teacher_id for h in hours_page.records.table.visible_rows()} == {finding.teacher_id}


def test_clicking_a_plan_finding_selects_the_plan(qtbot, window):
    page = window.go_to("首页")
    settle()
    finding = _click_finding(qtbot, page, lambda f: f.code == "plans.status")
    assert window.current_title() == "方案与计划"
    plan = window.current_page().table.current_row()
    assert plan is not None and plan.id == finding.record_id and plan.kind == "校本应用考核方案"


def test_dashboard_follows_changes_made_elsewhere(qtbot, window):
    page = window.go_to("首页")
    settle()
    before = page.findings.model.rowCount()
    from app.services import plans
    plan = next(p for p in plans.list_plans(window.api.workspace) if p.kind == "校本应用考核方案")
    plans_page = window.go_to("方案与计划")
    settle()
    click_row(qtbot, plans_page.table, plan.id, double=True)          # double-click opens the form
    assert plans_page.dialog is not None and plans_page.dialog.isVisible()
    choose(qtbot, plans_page.dialog.field("status"), "已备案")
    qtbot.mouseClick(plans_page.dialog.save_button, Qt.MouseButton.LeftButton)
    settle()
    window.go_to("首页")
    settle()
    assert page.findings.model.rowCount() < before
    assert not any(f.code == "plans.status" for f in page.findings.model.rows())
