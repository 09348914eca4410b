"""Writing a workbook with XlsxWriter the safe way, as cells.py does with openpyxl.

Text stays text: every string goes in through write_string (XlsxWriter's write() would turn
"=…" into a formula and "http://…" into a link), cleaned as cell_rules.clean_text cleans it, with
Excel's quote-prefix style where it starts like a formula. Widths fit Chinese by cells.fit_widths'
rule, from the first rows as they are written; pages print as cells.print_setup sets them up.
Rows and columns are numbered from 1 here, as in openpyxl.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from app.errors import StorageError
from app.services.excel.cell_rules import TEXT_FORMAT, clean_text, looks_like_formula, text_width
from app.services.excel.plain import format_plain
from app.services.fileio import describe_os_error, os_errors


def style(**props: Any) -> tuple:
    """XlsxWriter format properties as a hashable style (formats are made once per combination)."""
    return tuple(props.items())


# The styles of cells.py (HEADER_FONT + HEADER_FILL + BORDER + CENTER, GOOD_FONT, ...) as
# XlsxWriter format properties (tests/excel/test_report_xlsxwriter.py checks they agree).
TITLE = style(bold=True, font_size=14)
HEADER = style(bold=True, pattern=1, bg_color="#DDEBF7", border=1, border_color="#A6A6A6",
               align="center", valign="vcenter")
GOOD = style(font_color="#006100")
BAD = style(font_color="#C00000", bold=True)
GREY = style(font_color="#808080")
CENTER = style(align="center", valign="vcenter")
WRAP = style(text_wrap=True, valign="top")
QUOTE = style(quote_prefix=True)                  # Excel shows "=…" as typed, never evaluates it
TEXT = style(num_format=TEXT_FORMAT)
DATE = style(num_format="yyyy-mm-dd")
DATETIME = style(num_format="yyyy-mm-dd hh:mm")
SAMPLE_ROWS = 300          # fit_widths' sample: the header and the first rows
_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def excel_pixels(width: float) -> int:
    """The pixels Excel shows for a column `width` characters wide (ECMA-376 18.3.1.13, 7 px a
    digit in Calibri 11). set_column would add 5 px of padding: columns wider than the rule."""
    return int((256 * width + 128 // 7) / 256 * 7)


class Book:
    """An XlsxWriter workbook whose formats are made once per combination of styles, saved with
    cells.save_workbook(book, dest). XlsxWriter keeps the cells until then and writes each part
    of the file to a temporary folder of its own, removed by `close()` (also on failure)."""

    def __init__(self) -> None:
        with os_errors(tempfile.gettempdir(), "建立临时文件夹"):
            # a leftover part (antivirus holding it) must not fail a report already written
            self._parts = tempfile.TemporaryDirectory(prefix="tisheng-xlsx-", ignore_cleanup_errors=True)
        self.book = xlsxwriter.Workbook(None, {**_OPTIONS, "tmpdir": self._parts.name})
        self._formats: dict[tuple, Any] = {}

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._parts.cleanup()

    def sheet(self, title: str) -> Sheet:
        return Sheet(self, self.book.add_worksheet(title))

    def format(self, *styles: tuple | None):
        """The format of these styles together (a later one wins), None for no style at all."""
        fmt = self._formats.get(styles, False)
        if fmt is False:
            props = {k: v for s in styles if s for k, v in s}
            fmt = self._formats[styles] = self.book.add_format(props) if props else None
        return fmt

    def save(self, path: Path) -> None:
        """Write the file at `path`: what cells.save_workbook calls, with its temporary name."""
        with open(path, "wb") as fh:            # ours to close, so a failed write can be removed
            out = _Detachable(fh)
            self.book.filename = out            # XlsxWriter opens its filename only in close()
            try:
                self.book.close()
            except FileCreateError as exc:      # XlsxWriter's wrapper of an OSError (disk full...)
                cause = exc.args[0] if exc.args else None
                if not isinstance(cause, OSError):
                    raise
                if fh.tell() == 0:
                    # nothing reached `path`: XlsxWriter writes every part to its temporary folder
                    # before the zip, so that folder's disk failed (say so, not `path`'s)
                    raise StorageError(describe_os_error(cause, self._parts.name, "写入临时文件")) from cause
                raise cause from None
            finally:
                out.detach()


class _Detachable:
    """The file XlsxWriter's zip writes to, cut off when `save` ends: a zip a failure left open
    finishes itself whenever it is collected, and must not write to a file closed by then."""

    def __init__(self, fh) -> None:
        self._fh = fh

    def detach(self) -> None:
        self._fh = None

    def write(self, data) -> int:
        return len(data) if self._fh is None else self._fh.write(data)

    def seek(self, *args) -> int:
        return 0 if self._fh is None else self._fh.seek(*args)

    def tell(self) -> int:
        return 0 if self._fh is None else self._fh.tell()

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()


class Sheet:
    """One worksheet: cells written by value type, the rows seen for fit_widths, the last row."""

    def __init__(self, book: Book, ws) -> None:
        self.book, self.ws = book, ws
        self.max_row = 0
        self.sample: dict[int, dict[int, Any]] = {}     # row -> column -> value, rows 1..SAMPLE_ROWS
        self.widths: dict[int, float] = {}

    def put(self, row: int, col: int, value: Any, *styles: tuple, text: bool = False) -> Any:
        """Write a value as cells.put stores it and return what was stored: strings as string
        cells (never formulas or links), `text=True` values as text in a text-formatted cell
        (ID and phone numbers)."""
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif text and value is not None and not isinstance(value, str):
            value = format_plain(value)
        r, c = row - 1, col - 1
        last = TEXT if text and value is not None else None
        if value is None or value == "":
            fmt = self.book.format(*styles, last)
            if fmt is not None:
                self.ws.write_blank(r, c, None, fmt)
        elif isinstance(value, str):
            value = clean_text(value)
            self.ws.write_string(r, c, value, self.book.format(*styles, QUOTE if looks_like_formula(value) else None,
                                                                last))
        elif isinstance(value, (int, float, Decimal)):
            self.ws.write_number(r, c, value, self.book.format(*styles, last))
        elif isinstance(value, (datetime, date)):
            self.ws.write_datetime(r, c, value, self.book.format(*styles, DATETIME if isinstance(value, datetime)
                                                                  else DATE))
        else:                                    # anything else as its text, still never a formula
            return self.put(row, col, str(value), *styles, text=text)
        if row > self.max_row:                    # any cell written, as openpyxl's ws.cell() made one
            self.max_row = row
        if value is not None and row <= SAMPLE_ROWS:
            self.sample.setdefault(row, {})[col] = value
        return value

    def title(self, text: str, width: int) -> None:
        """The sheet's title in row 1, merged over `width` columns."""
        if width > 1:
            self.ws.merge_range(0, 0, 0, width - 1, "", None)
        self.put(1, 1, text, TITLE)
        self.ws.set_row(0, 24)

    def header(self, row: int, labels, *, col: int = 1) -> None:
        for i, label in enumerate(labels):
            self.put(row, col + i, label, HEADER)

    def rows(self, start: int, rows, *, col: int = 1, text_cols=frozenset(), styles=None) -> int:
        """Write rows from row `start`; `styles` maps a column to a function of a cell's value
        giving its styles (a tuple). Returns the row after the last."""
        styles = styles or {}
        put = self.put
        for r, values in enumerate(rows, start):
            for c, v in enumerate(values, col):
                style = styles.get(c)
                put(r, c, v, *(style(v) if style else ()), text=c in text_cols and v is not None)
        return start + len(rows)

    def comment(self, row: int, col: int, text: str, author: str) -> None:
        self.ws.write_comment(row - 1, col - 1, clean_text(text), {"author": author})

    def width(self, col: int, width: float) -> None:
        self.widths[col] = width
        self.ws.set_column_pixels(col - 1, col - 1, excel_pixels(width))

    def fit_widths(self, *, min_width: int = 6, max_width: int = 40, fixed: dict[int, float] | None = None) -> None:
        """cells.fit_widths' rule over the rows written so far (header and first rows)."""
        widths: dict[int, int] = {}
        for cols in self.sample.values():
            for c, value in cols.items():
                widths[c] = max(widths.get(c, 0), text_width(format_plain(value)))
        for c, w in sorted(widths.items()):
            self.width(c, max(min_width, min(max_width, w + 2)))
        for c, w in (fixed or {}).items():
            self.width(c, w)

    def print_setup(self, *, header_row: int = 1, landscape: bool | None = None, columns: int) -> None:
        """As cells.print_setup: A4, one page wide, header rows repeated, frozen and filtered."""
        ws = self.ws
        ws.freeze_panes(header_row, 0)
        # the filter takes at least one row below the header (openpyxl's freeze made that cell)
        ws.autofilter(header_row - 1, 0, max(self.max_row, header_row + 1) - 1, columns - 1)
        ws.repeat_rows(0, header_row - 1)
        ws.set_paper(9)
        if landscape is None:
            landscape = sum(self.widths.get(c) or 9 for c in range(1, columns + 1)) > 95
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=1, bottom=1)        # openpyxl's defaults but left/right
        ws.set_header("", {"margin": 0.5})
        ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.5})
