"""Byte scans of a sheet part, before any XML parser sees it: merged ranges, formulas without a
cached value and error cells (scan_sheet_part), the grid a reader would lay the sheet out in
(sheet_extent), and one pass that does all of it with the DOCTYPE check (prescan).

Regular expressions over the decompressed bytes, piece by piece so memory stays flat, with each
step in C rather than once per cell in Python: for a roster of 5,000 rows these scans took as
long as python-calamine's whole read before they shared one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.services.excel.sources import SheetScan
from app.services.safezip import SafeZip

DOCTYPE_MESSAGE = "文件“{}”包含不安全的 XML 内容（实体定义），可能是恶意文件，已拒绝读取。"

_CELL_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_UNCACHED = re.compile(
    rb'<(?:\w+:)?c\s([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*'
    rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
_R_ATTR = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_T_STR = re.compile(rb'\bt="str"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*\bt="e"[^>]*)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?v>([^<]{1,32})</(?:\w+:)?v>',
                         re.S)


def col_index(letters: bytes | str) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


class _ScanFindings:
    """What scan_sheet_part collects, chunk by chunk."""

    def __init__(self) -> None:
        self.merged: set[tuple[int, int, int, int]] = set()
        self.uncached: set[tuple[int, int]] = set()
        self.errors: dict[tuple[int, int], str] = {}

    def feed(self, data: bytes, prefixed: bool = True) -> None:
        """`prefixed=False`: the data has no namespace-prefixed cells (`<x:c`), so no `<x:f` either."""
        if b"f" in data and (b"<f" in data or (prefixed and b":f" in data)):
            for m in _UNCACHED.finditer(data):
                attrs = m.group(1)
                if _T_STR.search(attrs):
                    continue
                r = _R_ATTR.search(attrs)
                self.uncached.add((int(r.group(2)), col_index(r.group(1))) if r else (0, 0))
        if b't="e"' in data:
            for m in _ERROR_CELL.finditer(data):
                r = _R_ATTR.search(m.group(1))
                if r:
                    self.errors[(int(r.group(2)), col_index(r.group(1)))] = m.group(2).decode("utf-8", "replace")
        if b"mergeCell" in data:
            for m in _CELL_REF.finditer(data):
                c1, r1 = col_index(m.group(1)), int(m.group(2))
                c2 = col_index(m.group(3)) if m.group(3) else c1
                r2 = int(m.group(4)) if m.group(4) else r1
                self.merged.add((r1, c1, r2, c2))

    def result(self) -> SheetScan:
        return SheetScan(sorted(self.merged), sorted(self.uncached), self.errors)


def scan_sheet_part(zf: SafeZip, part: str, chunk: int = 1 << 20,
                    overlap: int = 1 << 16) -> SheetScan:
    """Find merged ranges and formulas with no cached value by scanning bytes.

    A regex over the decompressed part, chunk by chunk, so memory stays flat; an
    Excel empty-string result (`t="str"` with `<v></v>`) counts as cached.
    """
    found = _ScanFindings()
    entry = zf.get(part)
    if entry is None:
        raise KeyError(part)
    with zf.open(entry) as fh:
        tail = b""
        while True:
            block = fh.read(chunk)
            if not block and not tail:
                break
            data = tail + block
            found.feed(data)
            if not block:
                break
            tail = data[-overlap:]
    return found.result()


_ROW_OF_POSITION = re.compile(rb' r="[A-Z]{0,3}(\d{1,9})"')
_COLUMN_OF_POSITION = re.compile(rb' r="([A-Z]{0,3})\d{1,9}"')
# Tags whose cells are placed by order (no attributes) or that carry a namespace prefix. Three
# patterns, each with a literal start that is searched for in C: one alternation had none and
# took five times as long.
_BARE_TAGS = (re.compile(rb"<c/?>"), re.compile(rb"<row/?>"))
# A cell or row tag whose first attribute is not its position (none at all, `<c/>`, included):
# Excel, WPS, LibreOffice and openpyxl write r first, anything else is measured exactly.
_NO_POSITION_FIRST = (re.compile(rb'<c(?![A-Za-z]| r=")'), re.compile(rb'<row(?![A-Za-z]| r=")'))
_PREFIXED = re.compile(rb":(?:c|row)[\s>/]")
_UNUSUAL_TAGS = (*_BARE_TAGS, _PREFIXED)


def sheet_extent(zf: SafeZip, part: str, chunk: int = 1 << 20) -> tuple[int, int]:
    """(last row, last column) a reader that lays the sheet out as a grid would allocate for, from
    the cells' own positions (`r="XFD1048576"`) or, without them, from their order, as Excel and
    python-calamine place them. Two cells far apart make a grid of billions of cells.

    Per piece of the part: the row numbers of all positions (one findall, their maximum taken
    in C), the distinct column letters (a set of a few) and two tag counts; nothing runs once
    per cell in Python (this scan took as long as python-calamine's whole read)."""
    last_row = last_col = 0
    for region in _tag_regions(zf, part, chunk):
        if any(p.search(region) for p in _UNUSUAL_TAGS):
            return _sheet_extent_by_order(zf, part, chunk)    # implied or unusual positions: walk them
        rows = _ROW_OF_POSITION.findall(region)
        if len(rows) != region.count(b"<c ") + region.count(b"<row "):
            return _sheet_extent_by_order(zf, part, chunk)
        if rows:
            last_row = max(last_row, max(map(int, rows)))
            widest = max(set(_COLUMN_OF_POSITION.findall(region)), key=lambda c: (len(c), c))
            last_col = max(last_col, col_index(widest) if widest else 0)
    return last_row, last_col


# "At least k digits in a row number" and "at least k letters in a column", k = 1…
_ROW_DIGITS = [None, *(re.compile(rb' r="[A-Z]{0,3}\d{%d}' % k) for k in range(1, 10))]
_COL_LETTERS = [None, *(re.compile(rb' r="[A-Z]{%d}' % k) for k in range(1, 4))]
_WIDEST = (0, 26, 702, 16384)                  # the last column with 0, 1, 2 or 3 letters


def prescan(zf: SafeZip, part: str, cells: int, chunk: int = 1 << 20,
             overlap: int = 1 << 16) -> tuple[bool, SheetScan, bool]:
    """One pass over a sheet part for everything looked for before a parser sees it: whether
    python-calamine's grid of it stays within `cells`, what scan_sheet_part finds, and whether
    it holds a DOCTYPE or ENTITY (its decompressed bytes were read three times before).

    The grid is bounded by the longest row number and the widest column letters (a few
    searches in C). A sheet that bound does not clear, or with a cell or row tag whose first
    attribute is not its position (cells placed by order among them) or with namespace
    prefixes, is measured cell by cell (sheet_extent)."""
    found = _ScanFindings()
    digits = letters = 0
    exact = False
    tail = b""
    for region in _tag_regions(zf, part, chunk):
        data = tail + region
        if b"<!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
            return False, SheetScan(), True
        prefixed = _PREFIXED.search(data) is not None
        found.feed(data, prefixed)
        tail = data[-overlap:]
        if exact:
            continue
        if prefixed or any(p.search(region) for p in _NO_POSITION_FIRST):
            exact = True                        # positions implied by order, or unusual: measure them
            continue
        while digits < 9 and _ROW_DIGITS[digits + 1].search(region):
            digits += 1
        while letters < 3 and _COL_LETTERS[letters + 1].search(region):
            letters += 1
    if not exact and (10 ** digits - 1) * _WIDEST[letters] <= cells:
        return True, found.result(), False
    rows, cols = sheet_extent(zf, part, chunk)
    return rows * cols <= cells, found.result(), False


_TAG = re.compile(rb'<(?:\w+:)?(row|c)\b([^>]*)>')
_ROW_R = re.compile(rb'\br="(\d+)"')


def _tag_regions(zf: SafeZip, part: str, chunk: int) -> Iterator[bytes]:
    """The part's bytes in pieces that never cut a tag in two."""
    entry = zf.get(part)
    if entry is None:
        raise KeyError(part)
    with zf.open(entry) as fh:
        tail = b""
        while True:
            block = fh.read(chunk)
            data = tail + block
            if not block:
                if data:
                    yield data
                return
            cut = data.rfind(b"<")
            if cut <= 0:
                tail = data
                continue
            yield data[:cut]
            tail = data[cut:]


def _sheet_extent_by_order(zf: SafeZip, part: str, chunk: int) -> tuple[int, int]:
    last_row = last_col = row = col = 0
    for region in _tag_regions(zf, part, chunk):
        for m in _TAG.finditer(region):
            attrs = m.group(2)
            if m.group(1) == b"row":
                r = _ROW_R.search(attrs) if b"r=" in attrs else None
                row = int(r.group(1)) if r else row + 1
                col = 0
                last_row = max(last_row, row)
            else:
                r = _R_ATTR.search(attrs) if b"r=" in attrs else None
                if r:
                    col = col_index(r.group(1))
                    last_row = max(last_row, int(r.group(2)))
                else:
                    col += 1
                last_col = max(last_col, col)
    return last_row, last_col
