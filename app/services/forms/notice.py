"""校本考核结果公示表: one row per teacher, for the notice board."""

from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.services.forms.dto import NoticeForm, SchoolInfo
from app.services.forms.layout import REGULAR, CONTENT_W, Ink, Styles, table
from app.services.forms.signing import StampBox

TITLE = "校本考核结果公示"


def period_text(start: date | None, end: date | None) -> str:
    if start and end:
        days = (end - start).days + 1
        return f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}（共{days}天）".replace("年0", "年").replace("月0", "月")
    return "______年____月____日至______年____月____日"


def rows_table(ink: Ink, n: NoticeForm, pass_grades: tuple[str, ...]):
    w = [10 * mm, 19 * mm, 23 * mm, 33 * mm, 0.0, 12 * mm, 17 * mm, 30 * mm]
    w[4] = CONTENT_W - sum(w)
    rows = [["序号", "姓名", "学科", "研修组", "能力点", "学时", "考核结果", "备注"]]
    cmds = []
    for i, r in enumerate(n.rows, 1):
        where = f"公示表 第{i}行"
        result = r.result or "—"
        if result in pass_grades or result in ("免修", "—"):
            res_cell = ink.cell(result, Styles.cell_sc, w[6], where)
        else:
            res_cell = ink.raw(f'<font color="#c00000"><b>{ink.m(result)}</b></font>', Styles.cell_sc)
        rows.append([str(i), ink.cell(r.name, Styles.cell_s, w[1], where),
                     ink.cell(r.subject, Styles.cell_sc, w[2], where),
                     ink.cell(r.group, Styles.cell_s, w[3], where),
                     ink.cell(r.points, Styles.cell_s, w[4], where),
                     ink.cell(r.hours, Styles.cell_sc, w[5], where),
                     res_cell, ink.cell(r.note, Styles.cell_s, w[7], where, empty="")])
    if len(rows) == 1:
        rows.append(["", "（没有需要公示的教师）", "", "", "", "", "", ""])
        cmds.append(("SPAN", (1, 1), (-1, 1)))
    cmds += [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (5, 1), (6, -1), "CENTER"),
             ("TOPPADDING", (0, 1), (-1, -1), 2), ("BOTTOMPADDING", (0, 1), (-1, -1), 2.5)]
    return table(rows, w, style_cmds=cmds, font_size=8.5, zebra=True)


def story(n: NoticeForm, school: SchoolInfo, ink: Ink, *, programme: str,
          pass_grades: tuple[str, ...], incomplete: bool) -> list:
    where = "公示表"
    out: list = [Paragraph(TITLE, Styles.title), ink.p(school.name, Styles.subtitle, where)]
    count = len(n.rows)
    basis = f"《{ink.m(programme)}》及本校校本应用考核方案" if programme else "本校校本应用考核方案"
    intro = (f"根据{basis}，经学校考核小组评审，现将本校 {count} 名教师信息技术应用能力提升工程2.0"
             f"校本考核结果予以公示。公示期：{period_text(n.period_start, n.period_end)}。")
    out.append(ink.raw(intro, Styles.body_indent))
    if incomplete:
        out.append(ink.raw('<font color="#c00000"><b>（本表随“资料不完整”的报送包导出，部分教师的考核尚未完成。）</b></font>',
                           Styles.body))
    out.append(Spacer(1, 3 * mm))
    out.append(rows_table(ink, n, pass_grades))
    out.append(Spacer(1, 3 * mm))
    contact = school.contact_phone
    tail = ("公示期间，如对公示结果有异议，请以书面形式或当面向学校提升工程项目办反映"
            + (f"，联系电话：{ink.m(contact)}" if contact else "") + "。反映情况应实事求是，署真实姓名。")
    sign = Table([[[Spacer(1, 10 * mm), ink.p(f"{school.name}（盖章）", Styles.right, where),
                    Paragraph("______年____月____日", Styles.right)], StampBox()]],
                 colWidths=[CONTENT_W - 52 * mm, 52 * mm], hAlign="LEFT")
    sign.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 10), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    out.append(KeepTogether([ink.raw(tail, Styles.body_indent), Spacer(1, 2 * mm), sign]))
    return out
