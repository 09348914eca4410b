"""采集包使用说明: one A4 page in Chinese for whoever collects at the teaching point.

Printed by the central school with the pack (window: 生成采集包… › 打印说明页; command line:
`tisheng pack create … --sheet 文件.pdf`). Written with reportlab and the forms' embedded CJK
font, so it prints the same on any PC. It holds no personal data beyond names and 工号.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from app.services.fileio import fsync_dir, os_errors, replace_with_retry
from app.services.packs.state import PackState

TITLE = "教学点证据采集说明"
MAX_ROWS = 10

STEPS = (
    ("准备", "教学点的电脑（Windows 10/11，64 位）安装“提升工程2.0 整校推进助手”，与中心校用同一个安装程序。"
           "不需要设置学校，也不需要联网。"),
    ("打开", "插入本U盘，打开软件：软件发现U盘上的采集包，就只为下表中的教师打开一个“采集”窗口。"
           "若没有自动打开，可在命令提示符中运行 tisheng-cli pack open，后面写U盘上采集包文件夹的位置。"),
    ("证据材料", "在左侧选一位教师，在“证据材料”中选一个项目，把文件拖进虚线框（或点击它选择文件）。"
               "大的课堂视频会显示复制进度，进度走完之前请不要拔U盘。要换掉学校已有的文件，选中它后点“替换…”。"),
    ("学时与活动", "“学时与活动”中登记学时，或登记一次培训活动（送教下乡、研讨交流、公开课等），"
                "勾选参加的教师，可附签到表、照片。活动的学时记给每位参加的教师。"),
    ("能力点", "“能力点”中勾选要改的能力点。软件按本校项目方案检查个数、维度和信息化环境，不符合规定的不能保存。"),
    ("还缺什么", "“还缺什么”列出每位教师还缺的证据、学时和能力点问题，做完一项就少一项。"),
    ("完成采集", "全部做完后点“完成采集”，看到“已完成采集”的提示后再安全弹出U盘，交回中心校。"
               "之后又有新材料，可以继续添加，再点一次“完成采集”。"),
)

NOTES = ("所有内容都通过软件添加。请不要直接改动、移动或删除U盘上采集包文件夹中的文件，否则中心校合并时会因校验不符而拒收。",
         "每添加一项都会立即保存到U盘。复制中途拔出U盘，已保存的内容不会丢失，重新插入后再添加一次即可。",
         "U盘上没有完整的身份证号（已打码）。请妥善保管U盘，用完交回中心校。")


def story(state: PackState, ink) -> list:
    from app.services.forms.layout import CONTENT_W, Styles, _style, info_table, table
    doc = state.document
    where = "采集包说明"
    step_style = _style("pack_step", 10, 15.5, leftIndent=16, firstLineIndent=-16, spaceAfter=2.5)
    small = _style("pack_small", 9, 13.5, leftIndent=10, firstLineIndent=-10, spaceAfter=1)
    out: list = [Paragraph(TITLE, Styles.title),
                 ink.p(f"{doc.school_name} · {doc.scope_kind}“{doc.scope_name}”", Styles.subtitle, where)]
    out.append(info_table(ink, [[("采集包编号", doc.pack_id[:8].upper()), ("生成时间", f"{doc.issued_at:%Y-%m-%d %H:%M}")],
                                [("项目方案", doc.rules.name)],
                                [("交回时间", "______年____月____日前"), ("中心校联系人", "__________________")]], where))
    out.append(Spacer(1, 3 * mm))
    for n, (head, text) in enumerate(STEPS, 1):
        out.append(ink.raw(f"<b>{n}. {head}</b>　{ink.m(text, where)}", step_style))
    out.append(Spacer(1, 2 * mm))
    rows = [["姓名", "工号", "能力点", "发包时尚缺"]]
    shown = state.teachers[:MAX_ROWS]
    for t in shown:
        rows.append([ink.cell(t.teacher.name, Styles.cell_s, 30 * mm, where),
                     ink.cell(t.teacher.staff_no, Styles.cell_s, 24 * mm, where),
                     ink.cell("免修/不作要求" if t.exempt else ("、".join(t.choices) or "尚未选择"), Styles.cell_s,
                              CONTENT_W - 84 * mm, where),
                     f"{t.todo} 项" if not t.exempt else "—"])
    if len(state.teachers) > MAX_ROWS:
        rows.append([f"……共 {len(state.teachers)} 位教师，其余见软件", "", "", ""])
    out.append(table(rows, [30 * mm, 24 * mm, CONTENT_W - 84 * mm, 30 * mm], font_size=9,
                     style_cmds=[("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1))]
                     if len(state.teachers) > MAX_ROWS else ()))
    out.append(Spacer(1, 2.5 * mm))
    out.append(Paragraph("<b>请注意</b>", Styles.body))
    out += [ink.raw(f"· {ink.m(n, where)}", small) for n in NOTES]
    out.append(Spacer(1, 5 * mm))
    out.append(table([["", "教学点签名", "中心校签名", "日期"],
                      ["收到U盘", "", "", "______年____月____日"],
                      ["交回U盘", "", "", "______年____月____日"]],
                     [24 * mm, (CONTENT_W - 74 * mm) / 2, (CONTENT_W - 74 * mm) / 2, 50 * mm], font_size=9.5,
                     style_cmds=[("TOPPADDING", (0, 1), (-1, -1), 9), ("BOTTOMPADDING", (0, 1), (-1, -1), 9)]))
    return out


def write_sheet(state: PackState, dest: str | os.PathLike) -> Path:
    """Write the sheet to `dest` (through a temporary name); returns the path."""
    from app.services.forms.fonts import register_fonts
    from app.services.forms.layout import Ink
    register_fonts()
    dest = Path(dest)
    tmp = dest.with_name(f"{dest.name}.tmp-{uuid.uuid4().hex[:8]}")
    ink = Ink()
    with os_errors(dest, "保存说明页"):
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            pdf = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=17 * mm, rightMargin=17 * mm,
                                    topMargin=14 * mm, bottomMargin=12 * mm, title=TITLE,
                                    author=state.document.school_name)
            pdf.build(story(state, ink))
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            replace_with_retry(tmp, dest)
            fsync_dir(dest.parent)
        finally:
            tmp.unlink(missing_ok=True)
    return dest
