"""Plain-text flowables for the forms' most repeated text, without Paragraph's cost.

A reportlab Paragraph parses its text as markup, splits it into one fragment per
Chinese character and merges them back when it draws: right for mixed styles,
heavy for a line of one style, and a 1,000-teacher print run has ~12,000 of them.
These draw the same text with canvas.drawString:

* TextLines: lines of one style each, wrapped exactly as the Paragraph would wrap
  them (our 避头尾 splitter, typeset.word_split), e.g. the 资料不完整 banner;
* RichLine: one line of coloured/bold runs that fits its cell, e.g. a failing
  能力点's heading row.

Callers fall back to a Paragraph when the text needs what these do not do
(characters outside the font, a run that does not fit on one line).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from app.services.forms.typeset import word_split


class TextLines(Flowable):
    """Paragraphs of plain text, one style each, drawn line by line."""

    def __init__(self, items: Sequence[tuple[str, ParagraphStyle]]) -> None:
        super().__init__()
        self.items = list(items)
        self._lines: list[tuple[str, ParagraphStyle, float]] = []
        self._for_width: float | None = None

    def wrap(self, aw, ah):
        if self._for_width != aw:
            self._lines = []
            for text, st in self.items:
                for extra, line in word_split(text, [aw], st.fontName, st.fontSize):
                    self._lines.append((line, st, extra))
            self._for_width = aw
        self.width = aw
        self.height = sum(st.leading for _l, st, _e in self._lines)
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        y = self.height
        for line, st, extra in self._lines:
            c.setFont(st.fontName, st.fontSize)
            c.setFillColor(st.textColor)
            base = y - st.fontSize
            if st.alignment == TA_CENTER:
                c.drawString(extra / 2, base, line)
            elif st.alignment == TA_RIGHT:
                c.drawString(extra, base, line)
            else:
                c.drawString(0, base, line)
            y -= st.leading


class RichLine(Flowable):
    """One line of runs (text, font, size, colour) side by side, vertically on one baseline."""

    def __init__(self, runs: Sequence[tuple[str, str, float, object]], leading: float) -> None:
        super().__init__()
        self.runs = list(runs)
        self.leading = leading
        self.text_width = sum(stringWidth(t, f, s) for t, f, s, _c in self.runs)

    def fits(self, width: float) -> bool:
        return self.text_width <= width

    def wrap(self, aw, ah):
        self.width, self.height = aw, self.leading
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        size = max(s for _t, _f, s, _c in self.runs)
        x, base = 0.0, self.height - size
        for text, font, sz, colour in self.runs:
            c.setFont(font, sz)
            c.setFillColor(colour)
            c.drawString(x, base, text)
            x += stringWidth(text, font, sz)
