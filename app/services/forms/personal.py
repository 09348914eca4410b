"""教师个人签字确认表: one per teacher."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from app.services.forms.dto import FORM_TITLES, KIND_PERSONAL, SchoolInfo, TeacherForm
from app.services.forms.fastflow import RichLine
from app.services.forms.fonts import missing_chars
from app.services.forms.layout import (BOLD, CONTENT_W, EMPTY, FILL_SOFT, MUTED, RED, REGULAR, Ink,
                                       INK, Styles, banner, heading, info_table, table, tidy)
from app.services.forms.signing import STAMP_COL, sign_block

FILES_PER_ROW = 6          # a row never grows taller than a page: long file lists continue

FAILING = {"不合格", "未提交", "待评", "未选点"}
GREY_TEXT = colors.HexColor("#555555")
RED_TEXT = colors.HexColor("#c00000")


def points_table(ink: Ink, t: TeacherForm, where: str):
    w = [10 * mm, 44 * mm, CONTENT_W - 10 * mm - 44 * mm - 17 * mm - 22 * mm, 17 * mm, 22 * mm]
    rows = [["序号", "考核材料", "提交的文件", "等级", "评审人"]]
    cmds, heads = [], []
    for block in t.points:
        r = len(rows)
        result = block.result or "未评"
        bad = result in FAILING
        name = f"{block.code}　{block.name}" if block.code else (block.name or "个人考核材料")
        dim = f"　　维度：{block.dimension}" if block.dimension else ""
        head = None if bad else ink.plain(f"{name}{dim}　　能力点结果：{result}", BOLD, 9.5, CONTENT_W)
        if head is None and bad:
            head = _failing_head(ink, name, dim, result)
        if head is None:
            colour = "#c00000" if bad else "#000000"
            head = ink.raw(f"<b>{ink.m(name, where)}</b>"
                           + (f'<font color="#555555">{ink.m(dim)}</font>' if dim else "")
                           + f'　　<font color="#555555">能力点结果：</font>'
                             f'<font color="{colour}"><b>{ink.m(result)}</b></font>', Styles.cell)
        else:
            cmds.append(("FONT", (0, r), (0, r), BOLD, 9.5, 12.4))
        heads.append(r)
        rows.append([head, "", "", "", ""])
        cmds += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), FILL_SOFT)]
        if not block.items:
            rows.append(["", "（该能力点没有规定的考核材料）", "", "", ""])
            cmds += [("SPAN", (1, r + 1), (-1, r + 1)), ("TEXTCOLOR", (1, r + 1), (1, r + 1), MUTED)]
        for seq, item in enumerate(block.items, 1):
            files = [tidy(f).replace("\n", " ") for f in item.files]
            chunks = [files[i:i + FILES_PER_ROW] for i in range(0, len(files), FILES_PER_ROW)] or [[]]
            for n, chunk in enumerate(chunks):
                r = len(rows)
                first = n == 0
                if chunk:
                    lines = [f"{i + 1 + n * FILES_PER_ROW}. {f}" for i, f in enumerate(chunk)]
                    files_cell = ink.plain("\n".join(lines), REGULAR, 8.5, w[2])
                    if files_cell is None:
                        files_cell = ink.raw("<br/>".join(ink.m(x, where) for x in lines), Styles.cell_s)
                    else:
                        cmds.append(("FONT", (2, r), (2, r), REGULAR, 8.5, 11))
                else:
                    files_cell = "（未提交）"
                    cmds += [("TEXTCOLOR", (2, r), (2, r), RED), ("FONT", (2, r), (2, r), REGULAR, 8.5, 11)]
                label = item.label if first else f"{item.label}（续，共 {len(files)} 个文件）"
                grade = (item.grade + ("（复评）" if item.round > 1 else "")) if item.grade else "未评"
                if first:
                    if not item.grade:
                        cmds.append(("TEXTCOLOR", (3, r), (3, r), MUTED))
                    elif item.grade in FAILING:
                        cmds += [("TEXTCOLOR", (3, r), (3, r), RED), ("FONT", (3, r), (3, r), BOLD, 9.5, 12.4)]
                rows.append([str(seq) if first else "",
                             ink.cell(label, Styles.cell, w[1], where),
                             files_cell,
                             ink.cell(grade, Styles.cell_c, w[3], where) if first else "",
                             ink.cell(item.reviewer, Styles.cell_c, w[4], where, empty="") if first else ""])
    if len(rows) == 1:
        rows.append(["免修，不参加本次校本考核" if t.exempt_reason else "尚未选择能力点", "", "", "", ""])
        cmds += [("SPAN", (0, 1), (-1, 1)), ("TEXTCOLOR", (0, 1), (0, 1), MUTED)]
    cmds += [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (3, 1), (4, -1), "CENTER")]
    cmds += [("ALIGN", (0, r), (-1, r), "LEFT") for r in heads]
    return table(rows, w, style_cmds=cmds)


def _failing_head(ink: Ink, name: str, dim: str, result: str) -> RichLine | None:
    """The heading row of a failing point, drawn directly when it fits one line (the
    same look as its markup: name bold, dimension and label grey, result bold red)."""
    name, dim, result = tidy(name), tidy(dim), tidy(result)
    if "\n" in name + dim + result or missing_chars(name + dim + result):
        return None
    runs = [(name, BOLD, 9.5, INK)]
    if dim:
        runs.append((dim, REGULAR, 9.5, GREY_TEXT))
    runs += [("　　能力点结果：", REGULAR, 9.5, GREY_TEXT), (result, BOLD, 9.5, RED_TEXT)]
    line = RichLine(runs, Styles.cell.leading)
    return line if line.fits(CONTENT_W - 10.5) else None


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
            verdict = "未达标"
            r = len(rows)
            cmds += [("TEXTCOLOR", (3, r), (3, r), RED), ("FONT", (3, r), (3, r), BOLD, 9.5, 12.4)]
        rows.append([ink.cell(line.label, Styles.cell, w[0], where),
                     line.required or EMPTY, line.done or "0", verdict])
    if len(rows) == 1:
        rows.append(["（无学时记录）", EMPTY, EMPTY, EMPTY])
    cmds.append(("ALIGN", (1, 1), (-1, -1), "CENTER"))
    return table(rows, w, style_cmds=cmds)


def result_table(ink: Ink, t: TeacherForm, where: str, width: float = CONTENT_W):
    lw = 19 * mm
    vw = (width - 3 * lw) / 3
    w = [lw, vw] * 3
    result = t.result or "未评"
    colour = "#c00000" if result in FAILING else "#000000"
    rows = [["考核结果", ink.cell(result, Styles.result, vw, where),
             "总学时", f"{t.hours_total:g} 学时",
             "优秀案例", ink.cell("；".join(t.excellent_cases), Styles.cell, vw, where, empty="无")]]
    cmds = [("BACKGROUND", (c, 0), (c, 0), FILL_SOFT) for c in (0, 2, 4)]
    cmds += [("FONT", (c, 0), (c, 0), BOLD, 9.5, 12.4) for c in (0, 2, 4)]
    cmds += [("BACKGROUND", (0, 1), (0, -1), FILL_SOFT), ("FONT", (0, 1), (0, -1), BOLD, 9.5, 12.4)]
    cmds += [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("FONT", (1, 0), (1, 0), BOLD, 12, 15)]
    if colour != "#000000":
        cmds.append(("TEXTCOLOR", (1, 0), (1, 0), RED))
    note = t.result_note or (f"免修：{t.exempt_reason}" if t.exempt_reason else "")
    if note:
        rows.append(["说明", ink.cell(note, Styles.cell, width - lw, where), "", "", "", ""])
        cmds += [("SPAN", (1, 1), (-1, 1)), ("ALIGN", (1, 1), (-1, 1), "LEFT")]
    return table(rows, w, header_rows=0, style_cmds=cmds)


def story(t: TeacherForm, school: SchoolInfo, ink: Ink, *, incomplete: bool) -> list:
    where = f"教师 {t.name}"
    out: list = [ink.fixed(FORM_TITLES[KIND_PERSONAL], Styles.title)]
    sub = " · ".join(x for x in (school.programme, school.school_year) if x)
    out.append(ink.fixed(sub or " ", Styles.subtitle))
    if incomplete:
        if t.problems:
            more = [f"……另有 {len(t.problems) - 8} 项"] if len(t.problems) > 8 else []
            out.append(banner(ink, "注意：本表随“资料不完整”的报送包导出，该教师尚有以下缺项，不代表已达到项目要求。",
                              list(t.problems[:8]) + more, where))
        else:
            out.append(banner(ink, "注意：本表随“资料不完整”的报送包导出（学校仍有未完成事项）；"
                                   "该教师个人的各项要求未发现缺项。"))
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
    out += heading("一、所选能力点与考核材料", ink=ink)
    out.append(points_table(ink, t, where))
    left = CONTENT_W - STAMP_COL
    # The signatures confirm the tables above them: the hours table and the signature block are
    # kept on one page, so a long list of points never leaves the signatures alone on the last page.
    out.append(KeepTogether([
        *heading("二、学时完成情况", ink=ink),
        hours_table(ink, t, where),
        ink.fixed("三、考核结果与签字确认", Styles.h2),
        sign_block(["教师本人（签字）", "考核人（签字）", "校长（签字）"], above=[
            result_table(ink, t, where, left - 4 * mm),
            Spacer(1, 2 * mm),
            ink.fixed("本人已核对以上信息，确认所填内容及提交的考核材料真实、完整。", Styles.body),
        ]),
    ]))
    return out
