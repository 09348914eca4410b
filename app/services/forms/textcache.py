"""The text operators of strings drawn again and again, kept per document.

A 1,000-teacher print run draws ~100,000 strings into table cells (labels, grades, 达标,
学时 figures…), of which more than nine in ten were drawn before in the same font and size.
reportlab builds each one's operators afresh: a text object, the font's subset mapping
character by character, escaping, the Tf and Tj operators — a fifth of the layout time.

CachedText keeps, per (font, size, leading, text), what reportlab wrote between the text
position and the end of the text object, and the string's width; a string drawn again gets
the same bytes with only its position new. The first drawing of every string is reportlab's
own, and is kept only when its code has the exact shape expected (BT, position, …, T* ET),
so the page content is byte for byte what stock reportlab writes (tests/forms/test_stock_equivalence.py).
The subset mapping the cache skips is fixed once a character has been seen, and a cache
belongs to one canvas, i.e. one document.
"""

from __future__ import annotations

from reportlab.lib import rl_accel
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

# (rl_accel.fp_str looked up at each call: speed.py may have put its memoised one there)
# strings kept per document: the repeated ones come early (every form's labels), and
# the cache stays a few MB in the layout process whatever the school's size
MAX_ENTRIES = 16_384

_LEFT, _CENTRED, _RIGHT = 0, 1, 2
_STOCK = (Canvas.drawString, Canvas.drawCentredString, Canvas.drawRightString)


class CachedText(Canvas):
    """A Canvas whose drawString, drawCentredString and drawRightString reuse the operators
    of a string already drawn in the same font, size and leading (plain calls only: any
    of the optional arguments goes to reportlab as it is)."""

    text_cache_size = MAX_ENTRIES

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self._text_ops: dict[tuple[str, float, float, str], tuple[str, float]] = {}

    def drawString(self, x, y, text, *args, **kw):
        self._draw_text(_LEFT, x, y, text, args, kw)

    def drawCentredString(self, x, y, text, *args, **kw):
        self._draw_text(_CENTRED, x, y, text, args, kw)

    def drawRightString(self, x, y, text, *args, **kw):
        self._draw_text(_RIGHT, x, y, text, args, kw)

    def _draw_text(self, align: int, x, y, text, args, kw) -> None:
        if args or kw or text.__class__ is not str:
            _STOCK[align](self, x, y, text, *args, **kw)
            return
        key = (self._fontname, self._fontsize, self._leading, text)
        known = self._text_ops.get(key)
        if known is None:
            self._learn(align, x, y, text, key)
            return
        body, width = known
        if align == _CENTRED:
            x = x - 0.5 * width
        elif align == _RIGHT:
            x = x - width
        self._code.append(f"BT 1 0 0 1 {rl_accel.fp_str(x, y)} Tm {body}")

    def _learn(self, align: int, x, y, text: str, key) -> None:
        """Draw the stock way, and keep the code if it is BT, the position, the text, ET."""
        before = len(self._code)
        _STOCK[align](self, x, y, text)
        if len(self._text_ops) >= self.text_cache_size or len(self._code) != before + 1:
            return
        width = stringWidth(text, self._fontname, self._fontsize)
        at = x if align == _LEFT else x - 0.5 * width if align == _CENTRED else x - width
        head = f"BT 1 0 0 1 {rl_accel.fp_str(at, y)} Tm "
        code = self._code[-1]
        if code.startswith(head) and code.endswith(" T* ET"):
            self._text_ops[key] = (code[len(head):], width)
