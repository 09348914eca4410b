"""教师个人签字确认表: one per teacher."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from app.services.forms.dto import FORM_TITLES, KIND_PERSONAL, SchoolInfo, TeacherForm
from app.services.forms.layout import (BOLD, CONTENT_W, EMPTY, FILL_SOFT, Ink, Styles, banner, heading,
                                       info_table, sign_block, table)

FILES_PER_ROW = 6          # a row never grows taller than a page: long file lists continue

FAILING = {"不合格", "未提交", "待评", "未选点"}


def _grade_cell(ink: Ink, grade: str, width: float):
    if not grade:
        return ink.raw('<font color="#777777">未评</font>', Styles.cell_c)
    if grade in FAILING:
        return ink.raw(f'<font color="#c00000">{ink.m(grade)}</font>', Styles.cell_bc)
    return ink.cell(grade, Styles.cell_c, width)


def points_table(ink: Ink, t: TeacherForm, where: str):
    w = [10 * mm, 44 * mm, CONTENT_W - 10 * mm - 44 * mm - 17 * mm - 22 * mm, 17 * mm, 22 * mm]
    rows = [["序号", "考核材料", "提交的文件", "等级", "评审人"]]
    cmds = []
    for block in t.points:
        r = len(rows)
        if block.code:
            head = f"<b>{ink.m(block.code)}　{ink.m(block.name, where)}</b>"
            if block.dimension:
                head += f'　　<font color="#555555">维度：{ink.m(block.dimension)}</font>'
        else:
            head = f"<b>{ink.m(block.name or '个人考核材料', where)}</b>"
        result = block.result or "未评"
        colour = "#c00000" if result in FAILING else "#000000"
        head += f'　　<font color="#555555">能力点结果：</font><font color="{colour}"><b>{ink.m(result)}</b></font>'
        rows.append([ink.raw(head, Styles.cell), "", "", "", ""])
        cmds += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), FILL_SOFT)]
        if not block.items:
            rows.append(["", ink.raw('<font color="#777777">（该能力点没有规定的考核材料）</font>',
                                     Styles.cell), "", "", ""])
            cmds.append(("SPAN", (1, len(rows) - 1), (-1, len(rows) - 1)))
        for seq, item in enumerate(block.items, 1):
            files = list(item.files)
            chunks = [files[i:i + FILES_PER_ROW] for i in range(0, len(files), FILES_PER_ROW)] or [[]]
            for n, chunk in enumerate(chunks):
                if chunk:
                    listing = "<br/>".join(f"{i + 1 + n * FILES_PER_ROW}. {ink.m(f, where)}"
                                           for i, f in enumerate(chunk))
                    files_cell = ink.raw(listing, Styles.cell_s)
                else:
                    files_cell = ink.raw('<font color="#c00000">（未提交）</font>', Styles.cell_s)
                first = n == 0
                label = item.label if first else f"{item.label}（续，共 {len(files)} 个文件）"
                grade = item.grade + ("（复评）" if item.round > 1 and item.grade else "")
                rows.append([str(seq) if first else "",
                             ink.cell(label, Styles.cell, w[1], where),
                             files_cell,
                             _grade_cell(ink, grade, w[3]) if first else "",
                             ink.cell(item.reviewer, Styles.cell_c, w[4], where, empty="")
                             if first else ""])
    if len(rows) == 1:
        msg = "免修，不参加本次校本考核" if t.exempt_reason else "尚未选择能力点"
        rows.append([ink.raw(f'<font color="#777777">{msg}</font>', Styles.cell_c), "", "", "", ""])
        cmds.append(("SPAN", (0, 1), (-1, 1)))
    cmds += [("ALIGN", (0, 1), (0, -1), "CENTER")]
    return table(rows, w, style_cmds=cmds)


def hours_table(ink: Ink, t: TeacherForm, where: str):
    w = [CONTENT_W - 3 * 30 * mm, 30 * mm, 30 * mm, 30 * mm]
    rows = [["项目", "要求", "已完成", "是否达标"]]
    cmds = []
    for line in t.hours:
        if line.ok is None:
            verdict = EMPTY
        elif line.ok:
            verdict = "达标"
        else:
            verdict = ink.raw('<font color="#c00000"><b>未达标</b></font>', Styles.cell_c)
        rows.append([ink.cell(line.label, Styles.cell, w[0], where),
                     line.required or EMPTY, line.done or "0", verdict])
    if len(rows) == 1:
        rows.append(["没有学时要求", EMPTY, EMPTY, EMPTY])
    cmds.append(("ALIGN", (1, 1), (-1, -1), "CENTER"))
    return table(rows, w, style_cmds=cmds)


def result_table(ink: Ink, t: TeacherForm, where: str):
    lw = 22 * mm
    vw = (CONTENT_W - 3 * lw) / 3
    w = [lw, vw] * 3
    result = t.result or "未评"
    colour = "#c00000" if result in FAILING else "#000000"
    rows = [["考核结果", ink.raw(f'<font color="{colour}"><b>{ink.m(result)}</b></font>', Styles.result),
             "总学时", f"{t.hours_total:g} 学时",
             "优秀案例", ink.cell("；".join(t.excellent_cases), Styles.cell, vw, where, empty="无")]]
    cmds = [("BACKGROUND", (c, 0), (c, 0), FILL_SOFT) for c in (0, 2, 4)]
    cmds += [("FONT", (c, 0), (c, 0), BOLD, 9.5, 12.4) for c in (0, 2, 4)]
    cmds += [("BACKGROUND", (0, 1), (0, -1), FILL_SOFT), ("FONT", (0, 1), (0, -1), BOLD, 9.5, 12.4)]
    cmds += [("ALIGN", (0, 0), (-1, -1), "CENTER")]
    note = t.result_note or (f"免修：{t.exempt_reason}" if t.exempt_reason else "")
    if note:
        rows.append(["说明", ink.cell(note, Styles.cell, CONTENT_W - lw, where), "", "", "", ""])
        cmds += [("SPAN", (1, 1), (-1, 1)), ("ALIGN", (1, 1), (-1, 1), "LEFT")]
    return table(rows, w, header_rows=0, style_cmds=cmds)


def story(t: TeacherForm, school: SchoolInfo, ink: Ink, *, incomplete: bool) -> list:
    where = f"教师 {t.name}"
    out: list = [Paragraph(FORM_TITLES[KIND_PERSONAL], Styles.title)]
    sub = " · ".join(x for x in (school.programme, school.school_year) if x)
    out.append(ink.p(sub or " ", Styles.subtitle, where))
    if incomplete:
        more = [f"……另有 {len(t.problems) - 8} 项"] if len(t.problems) > 8 else []
        out.append(banner(ink, "注意：本表随“资料不完整”的报送包导出，以下内容尚有缺项，不代表该教师已达到项目要求。",
                          list(t.problems[:8]) + more, where))
        out.append(Spacer(1, 5))
    status = "　".join(x for x in (t.status, t.exempt_reason) if x)
    rows = [[("学校", school.name)],
            [("姓名", t.name), ("性别", t.gender), ("工号", t.staff_no)],
            [("身份证号", t.id_masked), ("任教学科", t.subject), ("学段", t.stage)],
            [("研修组", t.group), ("教学点", t.teaching_point),
             ("编制/职称", " / ".join(x for x in (t.staff_type, t.title) if x))]]
    if t.exempt_reason or (t.status and t.status != "在岗"):
        rows.append([("状态", status)])
    out.append(info_table(ink, rows, where, pairs=3, label_w=18 * mm))
    out += heading("一、所选能力点与考核材料")
    out.append(points_table(ink, t, where))
    out += heading("二、学时完成情况")
    out.append(hours_table(ink, t, where))
    out.append(KeepTogether([
        Paragraph("三、考核结果与签字确认", Styles.h2),
        result_table(ink, t, where),
        Spacer(1, 2 * mm),
        Paragraph("本人已核对以上信息，确认所填内容及提交的考核材料真实、完整。", Styles.body_indent),
        sign_block(["教师本人（签字）", "考核人（签字）", "校长（签字）"]),
    ]))
    return out
