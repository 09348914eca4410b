"""Writing cells the safe way: text stays text, widths fit Chinese, pages print.

Every user-supplied string goes through `put()`: a value starting with = + - @
(or a tab/CR) is stored as a string cell with Excel's quote-prefix style, so
Excel shows the original text and never evaluates it (OWASP ASVS 1.2.10); and text that
looks like an OOXML escape (`_x0041_`) is escaped so Excel shows it as typed (ooxml_text.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import app.services.excel.xl  # noqa: F401,I001 (openpyxl as this app loads it, before any openpyxl import)
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.services.excel.cell_rules import (FORMULA_TRIGGERS, TEXT_FORMAT, clean_text,  # noqa: F401 (re-exported)
                                           looks_like_formula, save_workbook, text_width)
from app.services.excel.ooxml_text import escape_literal
from app.services.excel.plain import format_plain  # noqa: F401 (used from here too)


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
TITLE_FONT = Font(bold=True, size=14)
ERROR_FILL = PatternFill("solid", fgColor="FF9999")     # the red of the error workbook
WARN_FILL = PatternFill("solid", fgColor="FFE699")
GOOD_FONT = Font(color="006100")
PLAIN_FONT = Font()
BAD_FONT = Font(color="C00000", bold=True)
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center")


def put(cell: Cell, value: Any, *, text: bool = False) -> Cell:
    """Store a value; strings are always string cells (never formulas).

    `text=True` stores numbers as their text too (ID and phone columns).
    """
    if value is None:
        cell.value = None
        return cell
    if isinstance(value, bool):
        value = "是" if value else "否"
    if text and not isinstance(value, str):
        value = format_plain(value)
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = escape_literal(value)           # openpyxl stores `_x0041_` as it is
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
    if text:
        cell.number_format = TEXT_FORMAT
    return cell


def fit_widths(ws: Worksheet, *, min_width: int = 6, max_width: int = 40,
               sample_rows: int = 300, fixed: dict[int, float] | None = None) -> None:
    """Set each column's width from its header and the first rows."""
    widths: dict[int, int] = {}
    for r, row in enumerate(ws.iter_rows(values_only=True), 1):
        if r > sample_rows:
            break
        for c, value in enumerate(row, 1):
            if value is not None:
                widths[c] = max(widths.get(c, 0), text_width(format_plain(value)))
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = max(min_width, min(max_width, w + 2))
    for c, w in (fixed or {}).items():
        ws.column_dimensions[get_column_letter(c)].width = w


def write_header(ws: Worksheet, row: int, labels: Iterable[str], *,
                 required: Iterable[str] = ()) -> None:
    required = set(required)
    for c, label in enumerate(labels, 1):
        cell = put(ws.cell(row=row, column=c), label)
        cell.font = REQUIRED_FONT if label in required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTER


def print_setup(ws: Worksheet, *, header_row: int = 1, landscape: bool | None = None,
                columns: int | None = None) -> None:
    """A4, fit to one page wide, header rows repeated, frozen and filtered."""
    ncols = columns or ws.max_column or 1
    last = get_column_letter(ncols)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    if ws.max_row >= header_row:
        ws.auto_filter.ref = f"A{header_row}:{last}{max(ws.max_row, header_row)}"
    ws.print_title_rows = f"1:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if landscape is None:
        total = sum((ws.column_dimensions[get_column_letter(c)].width or 9)
                    for c in range(1, ncols + 1))
        landscape = total > 95
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
