"""Baseline: stock reportlab lays out the same pages as tables, in a fresh process.

    python bench/baselines/forms_reportlab.py PAGES.json REGULAR.ttf BOLD.ttf OUT.pdf

PAGES.json holds, for each page of the form being compared, its lines of text, each split into
its cells (from `pdftotext -layout` of that form). Every page becomes a bold title and one
gridded table of those rows (short cells as strings, longer ones as CJK-wrapping paragraphs) with a header and footer line, in
the same TrueType fonts, embedded as subsets; a page that would run over is cut at its end (one layout pass, no shrinking). Stock reportlab as
installed: nothing of the project is imported or patched in.
"""

import json
import sys

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepInFrame, PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle
from xml.sax.saxutils import escape


def _cell(text: str, style: ParagraphStyle):
    """Short text as a plain string (drawn as is); longer text as a paragraph, which wraps."""
    return text if len(text) <= 12 else Paragraph(escape(text), style)


def main() -> int:
    pages_file, regular, bold, out = sys.argv[1:5]
    pdfmetrics.registerFont(TTFont("BaseSans", regular))
    pdfmetrics.registerFont(TTFont("BaseSans-Bold", bold))
    with open(pages_file, encoding="utf-8") as fh:
        pages = json.load(fh)
    cell = ParagraphStyle("cell", fontName="BaseSans", fontSize=8.5, leading=11, wordWrap="CJK")
    title = ParagraphStyle("title", fontName="BaseSans-Bold", fontSize=15, leading=20, alignment=1, spaceAfter=6)
    width, height = A4[0] - 30 * mm, A4[1] - 36 * mm
    story = []
    for i, rows in enumerate(pages):
        if not rows:
            rows = [[""]]
        cols = max(len(r) for r in rows)
        data = [[_cell(c, cell) for c in r] + [""] * (cols - len(r)) for r in rows[1:] or rows]
        table = Table(data, colWidths=[width / cols] * cols, repeatRows=0)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("FONTNAME", (0, 0), (-1, -1), "BaseSans")]))
        head = Paragraph(escape(" ".join(rows[0])), title)
        story.append(KeepInFrame(width, height, [head, table], mode="truncate"))
        if i < len(pages) - 1:
            story.append(PageBreak())

    def decorate(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("BaseSans", 8)
        canvas.drawString(15 * mm, A4[1] - 12 * mm, "签字确认表")
        canvas.drawRightString(A4[0] - 15 * mm, 12 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm).build(story, onFirstPage=decorate, onLaterPages=decorate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
