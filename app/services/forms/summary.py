"""学校汇总确认表: the school's counts, rates, hours, teams, plans and courses."""

from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from app.services.forms.dto import FORM_TITLES, KIND_SUMMARY, SchoolInfo, SummaryForm
from app.services.forms.layout import (CONTENT_W, EMPTY, Ink, Styles, banner, heading, info_table, table)
from app.services.forms.signing import sign_block


def _verdict(ink: Ink, ok: bool | None):
    if ok is None:
        return EMPTY
    if ok:
        return "符合"
    return ink.raw('<font color="#c00000"><b>未达到</b></font>', Styles.cell_c)


def metrics_table(ink: Ink, s: SummaryForm, where: str):
    w = [CONTENT_W - 46 * mm - 36 * mm - 20 * mm, 46 * mm, 36 * mm, 20 * mm]
    rows = [["项目", "数值", "要求", "是否符合"]]
    for m in s.metrics:
        rows.append([ink.cell(m.label, Styles.cell, w[0], where), ink.cell(m.value, Styles.cell_c, w[1], where),
                     ink.cell(m.requirement, Styles.cell_c, w[2], where), _verdict(ink, m.ok)])
    return table(rows, w, style_cmds=[("ALIGN", (1, 1), (-1, -1), "CENTER")])


def hours_table(ink: Ink, s: SummaryForm, where: str):
    w = [CONTENT_W - 4 * 28 * mm, 28 * mm, 28 * mm, 28 * mm, 28 * mm]
    rows = [["学时类别", "每人最低", "全校合计", "人均", "达标人数"]]
    for h in s.hours:
        rows.append([ink.cell(h.category, Styles.cell, w[0], where), h.minimum or EMPTY, h.total or "0",
                     h.average or "0", h.meeting or EMPTY])
    if len(rows) == 1:
        rows.append(["（无学时记录）", EMPTY, EMPTY, EMPTY, EMPTY])
    return table(rows, w, style_cmds=[("ALIGN", (1, 1), (-1, -1), "CENTER")])


def teams_table(ink: Ink, s: SummaryForm, where: str):
    w = [44 * mm, 44 * mm, 24 * mm, 12 * mm, CONTENT_W - 124 * mm]
    rows = [["团队类别", "团队名称", "负责人", "人数", "主要职责"]]
    for t in s.teams:
        rows.append([ink.cell(t.kind, Styles.cell, w[0], where), ink.cell(t.name, Styles.cell, w[1], where),
                     ink.cell(t.leader, Styles.cell_c, w[2], where), str(t.members),
                     ink.cell(t.duty, Styles.cell_s, w[4], where)])
    if len(rows) == 1:
        rows.append([ink.raw('<font color="#c00000">尚未组建团队</font>', Styles.cell_c), "", "", "", ""])
        return table(rows, w, style_cmds=[("SPAN", (0, 1), (-1, 1))])
    return table(rows, w, style_cmds=[("ALIGN", (3, 1), (3, -1), "CENTER")])


def plans_table(ink: Ink, s: SummaryForm, where: str):
    w = [42 * mm, CONTENT_W - 42 * mm - 20 * mm - 26 * mm - 22 * mm, 20 * mm, 26 * mm, 22 * mm]
    rows = [["文件类别", "标题", "状态", "备案日期", "是否符合"]]
    for p in s.plans:
        kind = p.kind + ("（必备）" if p.required else "")
        status = p.status or ink.raw('<font color="#c00000">缺</font>', Styles.cell_c)
        rows.append([ink.cell(kind, Styles.cell, w[0], where), ink.cell(p.title, Styles.cell, w[1], where),
                     status, p.filed_on or EMPTY, _verdict(ink, p.ok)])
    if len(rows) == 1:
        rows.append(["（无）", EMPTY, EMPTY, EMPTY, EMPTY])
    return table(rows, w, style_cmds=[("ALIGN", (2, 1), (-1, -1), "CENTER")])


def courses_table(ink: Ink, s: SummaryForm, where: str):
    w = [CONTENT_W - 46 * mm - 16 * mm - 28 * mm - 20 * mm, 46 * mm, 16 * mm, 28 * mm, 20 * mm]
    rows = [["课程名称", "学期", "学时", "主讲／负责人", "状态"]]
    for c in s.courses:
        rows.append([ink.cell(c.title, Styles.cell, w[0], where), ink.cell(c.semester, Styles.cell_c, w[1], where),
                     c.hours or EMPTY, ink.cell(c.lead, Styles.cell_c, w[3], where),
                     ink.cell(c.status, Styles.cell_c, w[4], where)])
    if len(rows) == 1:
        rows.append(["（未开设校本研修课程）", EMPTY, EMPTY, EMPTY, EMPTY])
    return table(rows, w, style_cmds=[("ALIGN", (1, 1), (-1, -1), "CENTER")])


def story(s: SummaryForm, school: SchoolInfo, ink: Ink, *, printed_on: date, incomplete: bool) -> list:
    where = "学校汇总确认表"
    out: list = [Paragraph(FORM_TITLES[KIND_SUMMARY], Styles.title)]
    sub = " · ".join(x for x in (school.programme, school.school_year) if x)
    out.append(ink.p(sub or " ", Styles.subtitle, where))
    if incomplete:
        lines = list(s.problem_samples)
        if s.open_problems > len(lines):
            lines.append(f"……共 {s.open_problems} 项必须处理的问题尚未解决")
        out += [banner(ink, "注意：本报送包在资料不完整的情况下导出（不完整报送），"
                            "以下数据尚有缺项，不代表学校已达到项目要求。", lines, where), Spacer(1, 6)]
    out.append(info_table(ink, [
        [("学校名称", school.name)],
        [("学校代码", school.code), ("所属区县", school.district)],
        [("学段", school.stage), ("信息化环境", school.environment)],
        [("项目方案", school.programme)],
        [("学年", school.school_year), ("填报日期", f"{printed_on:%Y年%m月%d日}")],
    ], where))
    out += heading("一、教师参训与校本考核")
    out.append(metrics_table(ink, s, where))
    out += heading("二、学时完成情况")
    out.append(hours_table(ink, s, where))
    out += heading("三、团队建设")
    out.append(teams_table(ink, s, where))
    out += heading("四、一划两案")
    out.append(plans_table(ink, s, where))
    out += heading("五、校本研修课程")
    out.append(courses_table(ink, s, where))
    out.append(KeepTogether([
        Paragraph("六、签字确认", Styles.h2),
        Paragraph("以上数据由本校提升工程管理软件汇总生成，经学校核对无误，随报送包一并报送区县。", Styles.body_indent),
        Spacer(1, 2 * mm),
        sign_block(["校长（签字）", "项目办负责人（签字）"]),
    ]))
    return out
