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


# The piece of a decompressed part each scan looks at at a time. Eight searches run over every
# piece: over 128 KB, which stays in the processor's cache between them, the prescan of a 5,000-row
# roster took 20 ms against 24 ms over 1 MB pieces, scan_sheet_part 9 ms against 14 ms (and on
# XlsxWriter's sheets 15 against 21 ms, 7 against 15 ms).
SCAN_CHUNK = 1 << 17


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


def scan_sheet_part(zf: SafeZip, part: str, chunk: int = SCAN_CHUNK,
                    overlap: int = 1 << 16) -> SheetScan:
    """Find merged ranges and formulas with no cached value by scanning bytes.

    A regex over the decompressed part, chunk by chunk, so memory stays flat; an
    Excel empty-string result (`t="str"` with `<v></v>`) counts as cached.
    """
    found = _ScanFindings()
    tail = b""
    for region in _tag_regions(zf, part, chunk):   # (a KeyError when the part is missing)
        data = tail + region
        found.feed(data)
        tail = data[-overlap:]
    return found.result()


# The fast bound reads positions written as Excel, WPS, LibreOffice and openpyxl write them:
# `<c r="B7"` and `<row r="7"`, one space, double quotes, upper-case letters. python-calamine also
# takes any XML whitespace before and around the `=`, single quotes, lower-case letters, any
# number of letters or digits, namespace prefixes and a position that is not the first (or not
# the only) attribute; a sheet with any of those is measured by the exact walk instead. Each
# pattern has a literal start searched for in C (one alternation without one took five times as
# long).
_ROW_OF_POSITION = re.compile(rb' r="[A-Z]{0,3}(\d{1,7})"')
_COLUMN_OF_POSITION = re.compile(rb' r="([A-Z]{0,3})\d{1,7}"')
# A cell or row tag whose first attribute is not a position after one space (none at all,
# `<c/>`, or other whitespace after the name, included).
_NO_POSITION_FIRST = (re.compile(rb'<c(?![A-Za-z]| r=")'), re.compile(rb'<row(?![A-Za-z]| r=")'))
# Any `r` attribute (on any tag) not spelled as above: after a tab, CR, LF or a quote, with a
# value other than A-Z letters and digits, in single quotes or with whitespace after `=`; and
# whitespace before any `=`. Five patterns, each with a literal start of three characters or
# `=`: one with `r=` first took twice as long as all five, one with a character class first
# twelve times as long as the rest of the scan.
_ODD_POSITION = (re.compile(rb'r="(?<=[\t\n\r\f\v"\']r=")'), re.compile(rb' r="(?![A-Z]{0,3}\d{1,7}")'),
                 re.compile(rb"r='"), re.compile(rb"=(?<=r=)\s"), re.compile(rb"=(?<=\s=)"))
_PREFIXED = re.compile(rb":(?:c|row)[\s>/]")
# Comments, CDATA and processing instructions: python-calamine skips what they hold, a byte scan
# cannot; a sheet with any (no spreadsheet program writes them there) is never laid out in a grid.
_INSTRUCTION = re.compile(rb"\?(?<=<\?)(?!xml[\s?])")


def _hidden(data: bytes, bang: bool | None = None) -> bool:
    """Whether the bytes hold a comment, CDATA or a processing instruction other than the XML
    declaration. `bang`: whether they hold "<!", when the caller knows (a search of its own).
    (A single byte is found by memchr, fifty times faster than any search for two: sheets
    written by spreadsheet programs seldom hold a "?" or a "!" at all.)"""
    if bang is None:
        bang = data.find(b"!") != -1 and b"<!" in data
    if bang and (b"<!--" in data or b"<![CDATA[" in data):
        return True
    return data.find(b"?") != -1 and _INSTRUCTION.search(data) is not None


_UNUSUAL = (*_NO_POSITION_FIRST, *_ODD_POSITION, _PREFIXED)
TOO_LARGE = (1 << 40, 1 << 40)
# The same checks, cheaper, for a piece with no tab, line break, form feed, vertical tab or single
# quote (each looked for by memchr): then _ODD_POSITION's cases left are a `"` right before `r="`,
# a space before `=` or after `r=`, and a position not spelt `[A-Z]{0,3}\d{1,7}`; and a position
# with at most one letter and four digits also tells the grid is within 26 × 9,999 cells.
_ODD_BYTES = (b"\t", b"\n", b"\r", b"\f", b"\v", b"'")
_SPACE_AROUND_EQUALS = re.compile(rb" (?:=|(?<=r= ))")
_NOT_SMALL_POSITION = re.compile(rb' r="(?![A-Z]?\d{1,4}")')
_SMALL = (4, 1)                                # digits, letters: 9,999 × 26 cells


def _plain_and_small(region: bytes) -> bool | None:
    """True: every position in the region is spelt plainly with at most one letter and four
    digits; False: some position is spelt unusually; None: the quick checks cannot tell (a byte
    that needs _ODD_POSITION, or a position with more letters or digits)."""
    if any(region.find(b) != -1 for b in _ODD_BYTES):
        return None
    if region.find(b'"r="') != -1 or _SPACE_AROUND_EQUALS.search(region):
        return False
    return None if _NOT_SMALL_POSITION.search(region) else True


def sheet_extent(zf: SafeZip, part: str, chunk: int = SCAN_CHUNK) -> tuple[int, int]:
    """(last row, last column) python-calamine would allocate its grid for, from the cells' own
    positions (`r="XFD1048576"`) or, without them, from their order, as it places them. Two
    cells far apart make a grid of billions of cells. TOO_LARGE for a sheet whose layout a byte
    scan cannot follow (comments, CDATA, a cell inside a cell, a tag over 1 MB).

    Per piece of the part, when every position is spelled plainly: the row numbers of all
    positions (one findall, their maximum taken in C), the distinct column letters (a set of a
    few) and two tag counts; nothing runs once per cell in Python (this scan took as long as
    python-calamine's whole read). Otherwise the exact walk (_sheet_extent_by_order)."""
    last_row = last_col = 0
    for region in _tag_regions(zf, part, chunk):
        if _hidden(region):
            return TOO_LARGE
        if any(p.search(region) for p in _UNUSUAL):
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
_ROW_DIGITS = [None, *(re.compile(rb' r="[A-Z]{0,3}\d{%d}' % k) for k in range(1, 8))]
_COL_LETTERS = [None, *(re.compile(rb' r="[A-Z]{%d}' % k) for k in range(1, 4))]
_WIDEST = (0, 26, 702, 18278)                  # the last column with 0, 1, 2 or 3 letters (ZZZ)


def prescan(zf: SafeZip, part: str, cells: int, chunk: int = SCAN_CHUNK,
             overlap: int = 1 << 16, findings: bool = True) -> tuple[bool, SheetScan | None, bool]:
    """One pass over a sheet part for everything looked for before a parser sees it: whether
    python-calamine's grid of it stays within `cells`, what scan_sheet_part finds, and whether
    it holds a DOCTYPE or ENTITY (its decompressed bytes were read three times before).

    The grid is bounded by the longest row number and the widest column letters (a few
    searches in C). A sheet that bound does not clear, or with a cell or row tag whose first
    attribute is not its position (cells placed by order among them) or with namespace
    prefixes, is measured cell by cell (sheet_extent). `findings=False`: only the grid bound and
    the DOCTYPE (None for the SheetScan), for a caller that runs scan_sheet_part later, while
    python-calamine parses (table.load_table)."""
    found = _ScanFindings()
    digits = letters = 0
    exact = hidden = False
    tail = b""
    for region in _tag_regions(zf, part, chunk):
        data = tail + region
        bang = data.find(b"!") != -1 and b"<!" in data
        if bang and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
            return False, SheetScan(), True
        prefixed = _PREFIXED.search(data) is not None
        if findings:
            found.feed(data, prefixed)
        tail = data[-overlap:]
        if exact:
            continue
        if _hidden(region, bang):
            hidden = exact = True               # never laid out in a grid (see sheet_extent)
            continue
        if prefixed or any(p.search(region) for p in _NO_POSITION_FIRST):
            exact = True                        # positions implied by order, or prefixed: measure them
            continue
        quick = _plain_and_small(region)
        if quick is False or (quick is None and any(p.search(region) for p in _ODD_POSITION)):
            exact = True                        # unusual positions: measure them
            continue
        if quick:
            digits, letters = max(digits, _SMALL[0]), max(letters, _SMALL[1])
            continue
        while digits < 7 and _ROW_DIGITS[digits + 1].search(region):
            digits += 1
        while letters < 3 and _COL_LETTERS[letters + 1].search(region):
            letters += 1
    if not exact and (10 ** digits - 1) * _WIDEST[letters] <= cells:
        return True, found.result() if findings else None, False
    if hidden:
        return False, found.result() if findings else None, False
    rows, cols = sheet_extent(zf, part, chunk)
    return rows * cols <= cells, found.result() if findings else None, False


def _tag_regions(zf: SafeZip, part: str, chunk: int) -> Iterator[bytes]:
    """The part's bytes in pieces cut before a "<": a tag is cut in two only by a "<" inside one of
    its quoted values, which the fast checks take as unusual and the exact walk carries over."""
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


# A start, end or empty tag named c or row after any namespace prefixes, and its attributes
# (quoted values may hold `>`); python-calamine matches these by local name.
_CELL_OR_ROW = re.compile(rb'<(/?)(?:[^\s/>:<]*:)*(c|row)(?=[\s/>])((?:[^>"\'<]|"[^"]*"|\'[^\']*\')*)>')
_START = re.compile(rb'<(?:[^\s/>:<]*:)*(?:c|row)(?=[\s/>])')
_POSITION = re.compile(rb'(?<=[\s"\'])r\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REFERENCE = re.compile(rb"([A-Za-z]*)(\d+)")
_LONGEST_TAG = 1 << 20


def _reference(value: bytes) -> tuple[int, int] | None:
    """(row, column) of a position as python-calamine reads it: letters of either case, any
    number of them and of digits (None for what it refuses, which fails its whole read)."""
    m = _REFERENCE.fullmatch(value)
    if m is None:
        return None
    letters, digits = m.groups()
    row = int(digits) if len(digits) <= 12 else 10 ** 12
    return row, col_index(letters.upper()) if len(letters) <= 9 else 26 ** 9


def _sheet_extent_by_order(zf: SafeZip, part: str, chunk: int) -> tuple[int, int]:
    """python-calamine's own walk: a row's `r` sets the row, its end moves to the next row; a
    cell's `r` places it (lower-case letters too), a cell without one goes after the previous
    one. Where several `r` attributes are given the largest counts. A cell or row tag inside a
    cell, a comment or CDATA, or a tag longer than 1 MB: TOO_LARGE."""
    last_row = last_col = row = col = 0      # row, col: where calamine puts the next cell (0-based)
    in_cell = False
    tail = b""
    for region in _tag_regions(zf, part, chunk):
        data = tail + region
        if _hidden(data):
            return TOO_LARGE
        done = 0
        for m in _CELL_OR_ROW.finditer(data):
            done = m.end()
            end, name, attrs = m.groups()
            if in_cell:                      # calamine reads a cell's content up to its end tag
                if end and name == b"c":
                    in_cell = False
                    continue
                if not end:
                    return TOO_LARGE
                continue
            if end:
                if name == b"row":
                    row, col = row + 1, 0
                continue
            refs = [r for r in (_reference(a or b) for a, b in _POSITION.findall(attrs)) if r] \
                if b"r" in attrs else []
            empty = attrs.endswith(b"/")
            if name == b"row":
                if refs:
                    row = max(r for r, _c in refs) - 1
                last_row = max(last_row, row + 1)
                if empty:
                    row, col = row + 1, 0
                continue
            if refs:
                r, c = max(r for r, _c in refs), max(c for _r, c in refs)
            else:
                r, c = row + 1, col + 1
            last_row, last_col, col = max(last_row, r), max(last_col, c), c
            in_cell = not empty
        # a tag cut by a `<` inside an attribute value: keep it for the next piece
        pending = _START.search(data, done)
        tail = data[pending.start():] if pending else b""
        if len(tail) > _LONGEST_TAG:
            return TOO_LARGE
    return last_row, last_col
