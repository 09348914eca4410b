"""Page furniture and building blocks shared by the four forms.

Every page carries: the school name and the form's title (header), 第 x 页 / 共 y
页 counted per form, and, when printed for a sealed bundle, the seal code, the
key fingerprint and a QR code of the full digest (footer). A form is one
"section" of the PDF; its page total is written once the form is complete, as
a PDF form XObject that every page of the form refers to (one pass, no re-layout).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from app.services.forms.compact import compress_last_page
from app.services.forms.fastflow import TextLines
from app.services.forms.fonts import BOLD, REGULAR, missing_chars, placeholder
from app.services.forms.textcache import CachedText
from app.services.seal import SealInfo

PAGE_W, PAGE_H = A4
MARGIN_X = 17 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
HEADER_H = 18 * mm          # from the top edge to the frame
FOOTER_H = 32 * mm          # from the bottom edge to the frame
QR_SIZE = 22 * mm

INK = colors.black
GREY = colors.Color(0.35, 0.35, 0.35)
LIGHT = colors.Color(0.6, 0.6, 0.6)
FILL = colors.Color(0.92, 0.92, 0.92)
FILL_SOFT = colors.Color(0.965, 0.965, 0.965)
RED = colors.Color(0.75, 0.05, 0.05)
MUTED = colors.Color(0.45, 0.45, 0.45)
RED_FILL = colors.Color(1.0, 0.94, 0.94)

EMPTY = "—"


def _style(name: str, size: float, leading: float, *, font: str = REGULAR, align=TA_LEFT,
           color=INK, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading, alignment=align,
                          textColor=color, wordWrap="CJK", splitLongWords=True, **kw)


class Styles:
    title = _style("title", 18, 24, font=BOLD, align=TA_CENTER, spaceAfter=2)
    subtitle = _style("subtitle", 10, 14, align=TA_CENTER, color=GREY, spaceAfter=8)
    h2 = _style("h2", 11.5, 16, font=BOLD, spaceBefore=9, spaceAfter=4)
    body = _style("body", 10.5, 17)
    body_indent = _style("body_indent", 10.5, 17, firstLineIndent=21)
    note = _style("note", 8.5, 12, color=GREY)
    cell = _style("cell", 9.5, 12.5)
    cell_c = _style("cell_c", 9.5, 12.5, align=TA_CENTER)
    cell_b = _style("cell_b", 9.5, 12.5, font=BOLD)
    cell_bc = _style("cell_bc", 9.5, 12.5, font=BOLD, align=TA_CENTER)
    cell_s = _style("cell_s", 8.5, 11)
    cell_sc = _style("cell_sc", 8.5, 11, align=TA_CENTER)
    big = _style("big", 15, 20, font=BOLD)
    result = _style("result", 12, 15, font=BOLD, align=TA_CENTER)
    mono = _style("mono", 9.5, 13)
    banner = _style("banner", 10.5, 15, font=BOLD, color=RED)
    banner_s = _style("banner_s", 9, 13, color=RED)
    right = _style("right", 10.5, 17, align=TA_RIGHT)


# --------------------------------------------------------------------------- text

_CONTROLS = {i: " " for i in range(32) if i != 10}
_CONTROLS[127] = " "
# invisible format characters (zero-width space, BOM, direction marks, soft hyphen) are dropped
_CONTROLS.update({cp: None for cp in (0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C,
                                      0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF)})


def tidy(text) -> str:
    """Data text for print: None → "", CR/LF → LF, tabs and other control characters
    (they arrive in imported names and file names) → spaces, invisible format characters
    removed."""
    if text is None:
        return ""
    text = str(text)
    if text.isprintable():
        return text
    return text.replace("\r\n", "\n").translate(_CONTROLS)

_width = lru_cache(maxsize=50_000)(stringWidth)


@dataclass
class Ink:
    """Turns data text into flowable text: escapes markup and replaces characters the
    font cannot draw with their code point, recording a warning for each."""

    warnings: list[str] = field(default_factory=list)
    _seen: set = field(default_factory=set)
    _fixed: dict = field(default_factory=dict)

    def fixed(self, text: str, style: ParagraphStyle) -> Paragraph:
        """A Paragraph of fixed text (a title, a heading), made once per print run and
        reused on every form: a short paragraph is re-wrapped each time it is placed."""
        key = (text, style.name)
        para = self._fixed.get(key)
        if para is None:
            para = self._fixed[key] = self.p(text, style, "表头")
        return para

    def check(self, text: str, where: str) -> tuple[str, bool]:
        """(escaped markup, had-missing-characters)."""
        text = tidy(text)
        missing = missing_chars(text)
        if not missing:
            return escape(text), False
        for ch in missing:
            key = (where, ch)
            if key not in self._seen:
                self._seen.add(key)
                self.warnings.append(f"{where}：“{text}”含字库外的生僻字（{placeholder(ch)}），"
                                     "表上以编码代替，请打印后手工补写。")
        out = []
        for ch in text:
            out.append(f'<font color="#c00000" size="7">{placeholder(ch)}</font>' if ch in missing
                       else escape(ch))
        return "".join(out), True

    def p(self, text: str, style: ParagraphStyle, where: str = "") -> Paragraph:
        markup, _ = self.check(text, where)
        return Paragraph(markup, style)

    def raw(self, markup: str, style: ParagraphStyle) -> Paragraph:
        """Markup built by the form itself (fixed text plus values from self.m())."""
        return Paragraph(markup, style)

    def m(self, text: str, where: str = "") -> str:
        return self.check(text, where)[0]

    def plain(self, text: str, font: str, size: float, width: float) -> str | None:
        """`text` unchanged when every line fits `width` as a plain table string (no wrapping,
        no markup, every character in the font): much cheaper than a Paragraph."""
        text = tidy(text)
        if missing_chars(text):
            return None
        for line in text.split("\n"):
            if _width(line, font, size) > width - 10.5:
                return None
        return text

    def cell(self, text: str, style: ParagraphStyle, width: float, where: str = "",
             empty: str = EMPTY):
        """A table cell: a plain string when it fits on one line (fast), else a Paragraph."""
        text = tidy(text)
        if not text.strip():
            text = empty
        markup, odd = self.check(text, where)
        if (not odd and "\n" not in text and markup == text
                and _width(text, style.fontName, style.fontSize) <= width - 12.5):
            return text
        return Paragraph(markup.replace("\n", "<br/>"), style)


def heading(text: str, room: float = 28 * mm, ink: Ink | None = None) -> list:
    """A section heading that is never left alone at the foot of a page (but, unlike
    keepWithNext, lets a long table start under it and continue overleaf)."""
    return [CondPageBreak(room), ink.fixed(text, Styles.h2) if ink else Paragraph(text, Styles.h2)]


def fit_size(text: str, font: str, size: float, width: float, min_size: float) -> float:
    w = stringWidth(text, font, size)
    if w <= width:
        return size
    return max(min_size, size * width / w)


def split_to_width(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than width (character wrap, for page furniture)."""
    lines, cur = [], ""
    for ch in text:
        if cur and stringWidth(cur + ch, font, size) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines or [""]


# --------------------------------------------------------------------------- tables

GRID = 0.6


@lru_cache(maxsize=None)
def _form_cell(font_size: float) -> type[CellStyle]:
    """reportlab's cell style with the forms' defaults (font, padding, vertical centring) as
    class attributes: the same as a FONT, VALIGN and four padding commands over the whole table,
    without applying six commands to every cell of every table (5% of a print run's layout)."""
    return type("FormCell", (CellStyle,), {
        "fontname": REGULAR, "fontsize": font_size, "leading": font_size * 1.3, "valign": "MIDDLE",
        "topPadding": 2.5, "bottomPadding": 3.5, "leftPadding": 5, "rightPadding": 5})


def table(rows, widths, *, header_rows: int = 1, style_cmds=(), font_size: float = 9.5,
          zebra: bool = False) -> Table:
    """A ruled table in the forms' style; header rows repeat on every page it spans."""
    cell = _form_cell(font_size)
    ncols = max((len(r) for r in rows), default=0)
    styles = [[cell(repr((i, j))) for j in range(ncols)] for i in range(len(rows))]
    t = Table(rows, colWidths=widths, repeatRows=header_rows, hAlign="LEFT", splitByRow=1, cellStyles=styles)
    cmds = [
        ("GRID", (0, 0), (-1, -1), GRID, INK),
        ("BOX", (0, 0), (-1, -1), 1.0, INK),
    ]
    if header_rows:
        cmds += [("BACKGROUND", (0, 0), (-1, header_rows - 1), FILL),
                 ("FONT", (0, 0), (-1, header_rows - 1), BOLD, font_size, font_size * 1.3),
                 ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER")]
    if zebra:
        for r in range(header_rows + 1, len(rows), 2):
            cmds.append(("BACKGROUND", (0, r), (-1, r), FILL_SOFT))
    t.setStyle(TableStyle(cmds + list(style_cmds)))
    return t


def info_table(ink: Ink, rows: list[list[tuple[str, str]]], where: str, *, pairs: int = 2,
               label_w: float = 24 * mm) -> Table:
    """Label/value grid with `pairs` label/value pairs a row; a row of one pair spans the width."""
    vw = CONTENT_W / pairs - label_w
    widths = [label_w, vw] * pairs
    data, cmds = [], []
    for r, row in enumerate(rows):
        cells: list = []
        if len(row) == 1:
            label, value = row[0]
            cells = [label, ink.cell(value, Styles.cell, CONTENT_W - label_w, where)] + [""] * (2 * pairs - 2)
            cmds.append(("SPAN", (1, r), (-1, r)))
            cmds += [("BACKGROUND", (0, r), (0, r), FILL)]
        else:
            for c, (label, value) in enumerate(row):
                cells += [label, ink.cell(value, Styles.cell, vw, where)]
                cmds.append(("BACKGROUND", (2 * c, r), (2 * c, r), FILL))
            cells += [""] * (2 * pairs - len(cells))
        data.append(cells)
    for c in range(0, 2 * pairs, 2):
        cmds += [("ALIGN", (c, 0), (c, -1), "CENTER"), ("FONT", (c, 0), (c, -1), BOLD, 9.5, 12.4)]
    return table(data, widths, header_rows=0, style_cmds=cmds)


def banner(ink: Ink, headline: str, lines: list[str] = (), where: str = "") -> Table:
    """A red-ruled box that cannot be missed (used for 资料不完整)."""
    texts = [(tidy(headline).replace("\n", " "), Styles.banner)]
    texts += [(tidy(f"· {line}").replace("\n", " "), Styles.banner_s) for line in lines]
    if not any(missing_chars(text) for text, _st in texts):
        body = [TextLines(texts)]             # plain text: far cheaper than a Paragraph each
    else:
        body = [ink.raw(escape(headline), Styles.banner)]
        body += [ink.p(f"· {line}", Styles.banner_s, where) for line in lines]
    t = Table([[body]], colWidths=[CONTENT_W], hAlign="LEFT")
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), REGULAR, 10), ("BOX", (0, 0), (-1, -1), 1.6, RED),
                           ("BACKGROUND", (0, 0), (-1, -1), RED_FILL),
                           ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                           ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8)]))
    return t


# --------------------------------------------------------------------------- QR


def qr_runs(payload: str) -> tuple[int, list[tuple[int, int, int]]]:
    """(modules per side incl. quiet zone, [(row, col, run length)] of dark modules)."""
    import segno
    qr = segno.make(payload, error="m", micro=False, boost_error=False)
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=2)]
    runs = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(rows), runs


def draw_qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    n, runs = qr_runs(payload)
    m = size / n
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(INK)
    p = c.beginPath()
    for row, col, length in runs:
        p.rect(x + col * m, y + size - (row + 1) * m, length * m, m)
    c.drawPath(p, stroke=0, fill=1)
    c.restoreState()


class QRFlowable(Flowable):
    def __init__(self, payload: str, size: float, caption: str = "") -> None:
        super().__init__()
        self.payload, self.size, self.caption = payload, size, caption
        self.width, self.height = size, size + (12 if caption else 0)

    def wrap(self, aw, ah):
        return self.width, self.height

    def draw(self) -> None:
        draw_qr(self.canv, self.payload, 0, self.height - self.size, self.size)
        if self.caption:
            self.canv.setFont(REGULAR, 7.5)
            self.canv.setFillColor(GREY)
            self.canv.drawCentredString(self.size / 2, 1, self.caption)


# --------------------------------------------------------------------------- sections and pages


@dataclass
class Section:
    """One form inside the PDF: its pages are numbered 第 x 页 / 共 y 页 on their own."""
    idx: int
    kind: str
    title: str
    who: str = ""                   # the teacher, for 个人
    pages: int = 0
    first_page: int = 0             # 1-based page of the whole PDF


class SectionStart(Flowable):
    """Zero-size marker at the top of each form: later page furniture belongs to it."""

    def __init__(self, section: Section) -> None:
        super().__init__()
        self.section = section
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self) -> None:
        c = self.canv
        c._tisheng_section = self.section
        key = f"form{self.section.idx}"
        c.bookmarkPage(key)
        c.addOutlineEntry(self.section.title + (f" · {self.section.who}" if self.section.who else ""),
                          key, level=0)


@dataclass
class PageContext:
    school: str
    printed_on: date
    seal: SealInfo | None
    sections: list[Section] = field(default_factory=list)
    page_no: int = 0
    # Printing for a bundle whose seal is not known yet: `seal` holds what is (fingerprint,
    # bag name, allow_incomplete), every page references the "Seal" form XObject, and
    # `seal_later()` (which may wait) supplies the real seal when the file is saved.
    seal_later: Callable[[], SealInfo] | None = None

    @property
    def incomplete(self) -> bool:
        return bool(self.seal and self.seal.allow_incomplete)


class FormCanvas(CachedText):
    """Starts in our font (no stray Helvetica), writes the per-form page totals at the end;
    a string drawn again reuses its operators (textcache.py)."""

    def __init__(self, *args, context: PageContext, **kw) -> None:
        kw["initialFontName"] = REGULAR
        kw["initialFontSize"] = 10
        kw["initialLeading"] = 12
        super().__init__(*args, **kw)
        self._ctx = context
        self._tisheng_section: Section | None = None
        self.setAuthor(context.school)
        self.setCreator("提升工程2.0 整校推进助手")
        self.setProducer("提升工程2.0 整校推进助手 (reportlab)")

    def showPage(self) -> None:
        super().showPage()
        compress_last_page(self._doc)

    def save(self) -> None:
        for sec in self._ctx.sections:
            self.beginForm(f"TotPg{sec.idx}")
            self.setFont(REGULAR, 9)
            self.setFillColor(INK)
            self.drawString(0, 0, f"共 {sec.pages} 页")
            self.endForm()
        later = self._ctx.seal_later
        if later is not None:
            seal = later()
            self._ctx.seal, self._ctx.seal_later = seal, None
            self.setSubject(seal.seal_code)
            self.beginForm("Seal")
            _seal_static(seal)(self)
            self.endForm()
        super().save()


def use_form(c: Canvas, name: str, draw, x: float = 0, y: float = 0) -> None:
    """Draw `draw(c)` once into a PDF form XObject named `name` and place it at (x, y).

    Whatever is the same on many pages (the seal block, the school header, the signature
    lines, the seal circle) is stored once in the file and referenced from every page:
    smaller PDFs and much less work for a 1,000-teacher print run."""
    defined = getattr(c, "_tisheng_forms", None)
    if defined is None:
        defined = c._tisheng_forms = set()
    if name not in defined:
        c.beginForm(name)
        draw(c)
        c.endForm()
        defined.add(name)
    c.saveState()
    c.translate(x, y)
    c.doForm(name)
    c.restoreState()


HEADER_TOP = PAGE_H - 9 * mm
RULE_Y = FOOTER_H - 2.5 * mm


def _header_static(ctx: PageContext):
    """School name (one or two lines, never cut), the 资料不完整 tag, the rule."""
    def draw(c: Canvas) -> None:
        top = HEADER_TOP
        left_w = CONTENT_W * 0.56 - (30 * mm if ctx.incomplete else 4 * mm)
        size = fit_size(ctx.school, BOLD, 10, left_w, 7.5)
        lines = split_to_width(ctx.school, BOLD, size, left_w)
        if len(lines) > 2:                     # a very long name: smaller still, wrapped
            size = 7
            lines = split_to_width(ctx.school, BOLD, size, left_w)
        c.setFillColor(INK)
        c.setFont(BOLD, size)
        y = top + (size + 1.5) * (len(lines) - 1) / 2
        for line in lines:
            c.drawString(MARGIN_X, y, line)
            y -= size + 1.5
        if ctx.incomplete:
            tag = "资料不完整"
            w = stringWidth(tag, BOLD, 9) + 10
            x = MARGIN_X + left_w + 4 * mm
            c.setFillColor(RED)
            c.roundRect(x, top - 3.5, w, 14, 2, stroke=0, fill=1)
            c.setFillColor(colors.white)
            c.setFont(BOLD, 9)
            c.drawString(x + 5, top, tag)
        c.setStrokeColor(INK)
        c.setLineWidth(0.8)
        c.line(MARGIN_X, PAGE_H - 13.5 * mm, PAGE_W - MARGIN_X, PAGE_H - 13.5 * mm)
        c.setLineWidth(0.5)
        c.line(MARGIN_X, RULE_Y, PAGE_W - MARGIN_X, RULE_Y)
        c.setFont(REGULAR, 7.5)
        c.setFillColor(GREY)
        c.drawRightString(PAGE_W - MARGIN_X, RULE_Y - 9 * mm - 11, f"打印日期：{ctx.printed_on:%Y年%m月%d日}")
    return draw


def _seal_static(seal: SealInfo):
    """QR code, seal code, fingerprint and bag name: identical on every page."""
    def draw(c: Canvas) -> None:
        qr_y = RULE_Y - 2 * mm - QR_SIZE
        draw_qr(c, seal.qr_payload(), MARGIN_X, qr_y, QR_SIZE)
        tx = MARGIN_X + QR_SIZE + 3 * mm
        c.setFillColor(INK)
        c.setFont(BOLD, 9.5)
        c.drawString(tx, qr_y + QR_SIZE - 10, f"封存码：{seal.seal_code}")
        c.setFont(REGULAR, 9)
        c.drawString(tx, qr_y + QR_SIZE - 23, f"密钥指纹：{seal.fingerprint}")
        c.setFont(REGULAR, 7.5)
        c.setFillColor(GREY)
        if seal.bag_name:
            c.drawString(tx, qr_y + QR_SIZE - 35, f"报送包：{seal.bag_name}")
        c.drawString(tx, qr_y + 1, "扫码或输入封存码，与报送包核验结果比对")
        if seal.allow_incomplete:
            c.setFillColor(RED)
            c.setFont(BOLD, 8.5)
            c.drawRightString(PAGE_W - MARGIN_X, qr_y + QR_SIZE - 10, "资料不完整时导出")
    return draw


def _unsealed_note(c: Canvas) -> None:
    c.setFont(REGULAR, 7.5)
    c.setFillColor(GREY)
    c.drawString(MARGIN_X, RULE_Y - 9 * mm, "本表未随报送包封存，仅供校内核对；报送区县时请打印报送包内的签字确认表。")


def _furniture(c: FormCanvas, doc) -> None:
    """Header and footer of one page; runs when the page's content is complete."""
    ctx: PageContext = c._ctx
    sec: Section | None = c._tisheng_section
    ctx.page_no += 1
    if sec is None:
        return
    sec.pages += 1
    if sec.pages == 1:
        sec.first_page = ctx.page_no
    use_form(c, "Hdr", _header_static(ctx))
    if ctx.seal is not None and ctx.seal_later is not None:
        c.saveState()                          # the seal's form XObject is written by save()
        c.doForm("Seal")
        c.restoreState()
    elif ctx.seal is not None:
        use_form(c, "Seal", _seal_static(ctx.seal))
    elif sec.kind != "公示":
        use_form(c, "Unsealed", _unsealed_note)
    c.saveState()
    # the form's title (and the teacher) top right
    right_text = sec.title + (f" · {sec.who}" if sec.who else "")
    rsize = fit_size(right_text, REGULAR, 9, CONTENT_W * 0.42, 6.5)
    c.setFont(REGULAR, rsize)
    c.setFillColor(GREY)
    c.drawRightString(PAGE_W - MARGIN_X, HEADER_TOP, right_text)
    # 第 x 页 / 共 y 页: y is a form XObject written when the form is complete
    right_x = PAGE_W - MARGIN_X
    mid = RULE_Y - 9 * mm
    num_w = stringWidth("共 999 页", REGULAR, 9)
    c.setFillColor(INK)
    c.setFont(REGULAR, 9)
    c.drawRightString(right_x - num_w, mid, f"第 {sec.pages} 页 / ")
    c.translate(right_x - num_w, mid)
    c.doForm(f"TotPg{sec.idx}")
    c.restoreState()
