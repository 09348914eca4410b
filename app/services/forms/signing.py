"""Where people sign: signature rows with date blanks, and the circle for the school's seal.

Both are drawn once per PDF as form XObjects (layout.use_form) and referenced by every page.
"""

from __future__ import annotations

import hashlib

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle

from app.services.forms.fonts import REGULAR
from app.services.forms.layout import CONTENT_W, LIGHT, use_form

STAMP_D = 42 * mm           # a school's round official seal is 42 mm across


class StampBox(Flowable):
    """A dashed circle where the school's seal goes."""

    def __init__(self, label: str = "学校公章", caption: str = "（加盖学校公章）") -> None:
        super().__init__()
        self.label, self.caption = label, caption
        self.width = STAMP_D + 4 * mm
        self.height = STAMP_D + 3 * mm

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self) -> None:
        use_form(self.canv, "Stamp", self._draw)

    def _draw(self, c) -> None:
        cx, cy, r = self.width / 2, self.height / 2, STAMP_D / 2
        c.saveState()
        c.setStrokeColor(LIGHT)
        c.setLineWidth(0.8)
        c.setDash(3, 2.5)
        c.circle(cx, cy, r)
        c.setFillColor(LIGHT)
        c.setFont(REGULAR, 10)
        c.drawCentredString(cx, cy, self.label)
        c.setFont(REGULAR, 8)
        c.drawCentredString(cx, cy - 12, self.caption)
        c.restoreState()


class SignatureLines(Flowable):
    """Rows of 「角色（签字）：______　日期：____年__月__日」, handwriting-sized."""

    ROW_H = 12.5 * mm

    def __init__(self, roles: list[str], width: float, *, dates: bool = True) -> None:
        super().__init__()
        self.roles, self.dates = roles, dates
        self.width = width
        self.height = self.ROW_H * len(roles)

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self) -> None:
        key = "Sign" + hashlib.sha1(repr((self.roles, round(self.width, 2), self.dates)).encode()).hexdigest()[:10]
        use_form(self.canv, key, self._draw)

    def _draw(self, c) -> None:
        size = 10.5
        label_w = max(stringWidth(r + "：", REGULAR, size) for r in self.roles) + 4
        date_w = 150 if self.dates else 0
        line_w = self.width - label_w - date_w - 10
        c.saveState()
        c.setLineWidth(0.6)
        for i, role in enumerate(self.roles):
            y = self.height - (i + 1) * self.ROW_H + 3 * mm
            c.setFont(REGULAR, size)
            c.drawString(0, y + 2, role + "：")
            c.line(label_w, y, label_w + line_w, y)
            if self.dates:
                x = label_w + line_w + 10
                c.drawString(x, y + 2, "日期：")
                x += stringWidth("日期：", REGULAR, size)
                for part, gap in (("年", 34), ("月", 22), ("日", 22)):
                    c.line(x, y, x + gap, y)
                    x += gap + 1
                    c.drawString(x, y + 2, part)
                    x += stringWidth(part, REGULAR, size) + 2
        c.restoreState()


STAMP_COL = STAMP_D + 10 * mm


def sign_block(roles: list[str], *, stamp: bool = True, dates: bool = True, above: list = ()) -> Table:
    """Signature rows on the left (under `above`, e.g. the result and a statement), the
    seal circle on the right beside them, kept on one page."""
    stamp_w = STAMP_COL if stamp else 0
    lines = SignatureLines(roles, CONTENT_W - stamp_w, dates=dates)
    cells = [[[*above, lines] if above else lines, StampBox() if stamp else ""]]
    t = Table(cells, colWidths=[CONTENT_W - stamp_w, stamp_w] if stamp else [CONTENT_W, 0.01],
              hAlign="LEFT")
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 10), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                           ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return t
