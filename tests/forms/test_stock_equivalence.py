"""The layout's shortcuts give what stock reportlab gives: strings drawn again reuse their operators
(forms/textcache.py) and the pages stay byte for byte the same; the tables' cells start in the
forms' style (layout.table) with the styles the commands would have given them."""

from __future__ import annotations

import io
import re
import zlib

from reportlab.pdfgen.canvas import Canvas

from app.services.forms import textcache
from app.services.forms.fonts import BOLD, REGULAR, register_fonts
from app.services.forms.layout import FormCanvas
from app.services.forms.render import render
from app.services.forms.textcache import CachedText
from tests.forms.samples import SEAL, SEAL_INCOMPLETE, demo_set, stress_set

FACES = ((REGULAR, 9.5, 12.4), (BOLD, 9.5, 12.4), (REGULAR, 12, 15), (REGULAR, 9.5, 20), (REGULAR, 9.5, 12.4))
STRINGS = ["达标", "未达标", "教师本人（签字）", "12.5 学时", "(括号) \\ 反斜杠", "A1 技术支持的学情分析", "",
           "达标", "12.5 学时", "生僻字𠀀", "达标"]


def _draw_all(c: Canvas) -> list[str]:
    for font, size, leading in FACES:
        c.setFont(font, size, leading=leading)
        for i, text in enumerate(STRINGS):
            x, y = 40 + 7.25 * i, 700 - 13.5 * i
            c.drawString(x, y, text)
            c.drawCentredString(x + 100, y, text)
            c.drawRightString(x + 300, y, text)
        c.drawString(10, 10, "达标", charSpace=1)          # optional arguments: stock path
        c.drawCentredString(10, 20, "达标", mode=0)
        c.drawString(10, 30, b"bytes")
    return list(c._code)


def test_operators_are_those_of_stock_reportlab():
    register_fonts()
    stock = _draw_all(Canvas(io.BytesIO()))
    cached = CachedText(io.BytesIO())
    assert _draw_all(cached) == stock
    # the repeats came from the cache: one entry per (font, size, leading, text)
    distinct = {(face, t) for face in FACES for t in STRINGS}
    assert len(cached._text_ops) == len(distinct)


def test_the_cache_is_bounded(monkeypatch):
    register_fonts()
    monkeypatch.setattr(CachedText, "text_cache_size", 50)
    c = CachedText(io.BytesIO())
    c.setFont(REGULAR, 10)
    for i in range(200):
        c.drawString(10, 10, f"第 {i} 行")
    assert len(c._text_ops) == 50
    plain = Canvas(io.BytesIO())
    plain.setFont(REGULAR, 10)
    for i in range(200):
        plain.drawString(10, 10, f"第 {i} 行")
    assert c._code == plain._code


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            out.append(m.group(1))
    return out


def test_a_print_run_is_the_same_with_and_without_the_cache(monkeypatch):
    learned, drawn = [], []
    real_learn, real_draw = CachedText._learn, CachedText._draw_text

    def learn(self, *a):
        learned.append(a[-1])
        return real_learn(self, *a)

    def draw(self, *a):
        drawn.append(1)
        return real_draw(self, *a)

    monkeypatch.setattr(CachedText, "_learn", learn)
    monkeypatch.setattr(CachedText, "_draw_text", draw)
    runs = {}
    for size in (textcache.MAX_ENTRIES, 0):
        monkeypatch.setattr(FormCanvas, "text_cache_size", size)
        for name, forms, seal in (("demo", demo_set(12), SEAL), ("stress", stress_set(), SEAL_INCOMPLETE)):
            out = io.BytesIO()
            render(forms, out, seal=seal)
            runs[size, name] = _streams(out.getvalue())
        if size:
            assert len(drawn) > 3 * len(learned) > 0          # most strings were drawn from the cache
            learned.clear()
            drawn.clear()
    for name in ("demo", "stress"):
        on, off = runs[textcache.MAX_ENTRIES, name], runs[0, name]
        assert len(on) == len(off) > 10
        assert on == off
    assert len(learned) == len(drawn)                          # cache off: every string the stock way


def test_form_tables_start_in_the_forms_cell_style():
    """layout.table's cells carry the forms' defaults as their class (no six commands per cell):
    every cell ends up with the style the commands gave it, under the table's own commands too."""
    from reportlab.platypus import Table, TableStyle

    from app.services.forms.layout import GRID, INK, RED, table

    rows = [["序号", "项目", "结果"], ["1", "网络研修", "达标"], ["2", "实践应用", "未达标"], ["合计", "", ""]]
    widths = [30, 120, 60]
    extra = [("FONT", (2, 2), (2, 2), BOLD, 9.5, 12.4), ("TEXTCOLOR", (2, 2), (2, 2), RED),
             ("ALIGN", (0, 1), (0, -1), "CENTER"), ("VALIGN", (1, 3), (1, 3), "TOP"),
             ("LEFTPADDING", (0, 3), (-1, 3), 9), ("SPAN", (0, 3), (-1, 3))]
    for size, header_rows in ((9.5, 1), (8.5, 0)):
        ours = table(rows, widths, header_rows=header_rows, style_cmds=extra, font_size=size)
        stock = Table(rows, colWidths=widths, repeatRows=header_rows, hAlign="LEFT", splitByRow=1)
        cmds = [("FONT", (0, 0), (-1, -1), REGULAR, size, size * 1.3), ("GRID", (0, 0), (-1, -1), GRID, INK),
                ("BOX", (0, 0), (-1, -1), 1.0, INK), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5)]
        if header_rows:
            from app.services.forms.layout import FILL
            cmds += [("BACKGROUND", (0, 0), (-1, 0), FILL), ("FONT", (0, 0), (-1, 0), BOLD, size, size * 1.3),
                     ("ALIGN", (0, 0), (-1, 0), "CENTER")]
        stock.setStyle(TableStyle(cmds + extra))
        names = ("fontname", "fontsize", "leading", "leftPadding", "rightPadding", "topPadding", "bottomPadding",
                 "firstLineIndent", "color", "alignment", "background", "valign", "href", "destination")
        for r, (ours_row, stock_row) in enumerate(zip(ours._cellStyles, stock._cellStyles)):
            for c, (a, b) in enumerate(zip(ours_row, stock_row)):
                assert [getattr(a, n) for n in names] == [getattr(b, n) for n in names], (size, r, c)
        assert len(ours._cellStyles) == len(stock._cellStyles) == len(rows)
        assert ours._linecmds == stock._linecmds and ours._bkgrndcmds == stock._bkgrndcmds
        assert ours._spanCmds == stock._spanCmds
