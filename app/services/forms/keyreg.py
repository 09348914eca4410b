"""密钥登记表: the school's key fingerprint and public key, for the district's register."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.services.forms.dto import FORM_TITLES, KIND_KEY, KeyForm, SchoolInfo
from app.services.forms.layout import (BOLD, REGULAR, fit_size, CONTENT_W, FILL_SOFT, Ink, QRFlowable, Styles, _style,
                                       info_table, table)
from app.services.forms.signing import sign_block



def _fit(style, text: str, width: float):
    size = fit_size(text, style.fontName, style.fontSize, width, 7)
    return _style(style.name + "_fit", size, size * 1.35, font=style.fontName)


def _fp_style(text: str, width: float):
    size = fit_size(text, BOLD, 15, width, 9)
    return _style("fp", size, size * 1.35, font=BOLD)


def key_payload(school: SchoolInfo, k: KeyForm) -> str:
    return f"TSK1;S={school.code};K={k.fingerprint.replace('-', '')};P={k.public_key_b64}"


def story(k: KeyForm, school: SchoolInfo, ink: Ink) -> list:
    where = "密钥登记表"
    out: list = [Paragraph(FORM_TITLES[KIND_KEY], Styles.title),
                 ink.p(school.name, Styles.subtitle, where)]
    out.append(Paragraph(
        "本表用于区县项目办登记本校报送包的签名公钥。区县核验报送包时，以本表登记的“密钥指纹”为准，"
        "不以报送包内附带的公钥文件为准。学校更换密钥后，须重新填报本表。", Styles.body_indent))
    out.append(Spacer(1, 3 * mm))
    out.append(info_table(ink, [[("学校名称", school.name)],
                                [("学校代码", school.code), ("所属区县", school.district)]], where))
    qr = QRFlowable(key_payload(school, k), 34 * mm, "指纹与公钥二维码")
    lw = 24 * mm
    vw = CONTENT_W - lw - 40 * mm
    pub = "<br/>".join(escape(line) for line in (k.pub_file_text or "").splitlines()) or "—"
    rows = [
        ["密钥指纹", Paragraph(escape(k.fingerprint), _fp_style(k.fingerprint, vw - 10)), qr],
        ["公钥", Paragraph(escape(k.public_key_b64), _fit(Styles.mono, k.public_key_b64, vw - 10)), ""],
        ["密钥编号", k.key_id_hex or "—", ""],
        ["生成时间", k.created_at or "—", ""],
        ["公钥文件\n(school.pub)", Paragraph(pub, Styles.cell_s), ""],
    ]
    cmds = [("SPAN", (2, 0), (2, -1)), ("BACKGROUND", (0, 0), (0, -1), FILL_SOFT),
            ("FONT", (0, 0), (0, -1), BOLD, 9.5, 12.4), ("ALIGN", (0, 0), (0, -1), "CENTER"),
            ("ALIGN", (2, 0), (2, -1), "CENTER"), ("TOPPADDING", (0, 0), (-1, 0), 7),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 8)]
    out.append(Spacer(1, 3 * mm))
    out.append(table(rows, [lw, vw, 40 * mm], header_rows=0, style_cmds=cmds))
    out.append(Spacer(1, 1.5 * mm))
    out.append(Paragraph("核对方法：在本软件“核验报送包”中查看的密钥指纹，或用 minisign 公钥计算的指纹，"
                         "应与上表完全一致（共 32 位，每 4 位一组）。", Styles.note))
    out.append(KeepTogether([
        Paragraph("学校确认", Styles.h2),
        Paragraph("以上为本校提升工程报送包的签名公钥。私钥仅保存在本校电脑中，未向任何人提供。", Styles.body_indent),
        Spacer(1, 2 * mm),
        sign_block(["校长（签字）", "经办人（签字）"]),
    ]))
    reg = Table([["区县登记（由区县项目办填写）", "", ""],
                 ["登记人（签字）：", "登记日期：", "登记编号："]],
                colWidths=[CONTENT_W / 3] * 3, rowHeights=[None, 14 * mm], hAlign="LEFT")
    reg.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0)), ("FONT", (0, 0), (-1, 0), BOLD, 10, 13),
                             ("FONT", (0, 1), (-1, 1), REGULAR, 10, 13),
                             ("BACKGROUND", (0, 0), (-1, 0), FILL_SOFT), ("BOX", (0, 0), (-1, -1), 1, "black"),
                             ("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 1), (-1, 1), "TOP"),
                             ("TOPPADDING", (0, 0), (-1, -1), 4), ("LEFTPADDING", (0, 0), (-1, -1), 5)]))
    out.append(KeepTogether([Spacer(1, 5 * mm), reg]))
    return out
