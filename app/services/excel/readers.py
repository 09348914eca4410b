"""Read .xlsx, .csv and .xls into rows that carry the row number Excel shows.

Every reader yields `(excel_row, values)` for one sheet at a time and never
holds more than the caller keeps. xlsx goes through openpyxl in read-only,
data-only mode on the zip `safety.open_workbook_zip` checked and holds open; merged ranges and formulas without
a cached value are found by a cheap byte scan of the sheet part (read-only
openpyxl does not report them). CSV is decoded by BOM, strict UTF-8 with a
sanity check, then GB18030 (see `decode_text`).
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
from collections.abc import Callable, Iterator
from datetime import date as date_type
from datetime import datetime
from pathlib import Path
from typing import Any

from app.errors import AppError
from app.services.excel.safety import (DEFAULT_LIMITS, XLSX_ADVICE, FileRejected, Limits,
                                       not_a_workbook, open_workbook_zip, sniff)
from app.services.safezip import SafeZip, ZipDamaged

from app.services.excel.sources import Row, SheetScan, SheetSource, SourceFile  # noqa: F401 (re-exported)
from app.services.excel.csv_reader import open_csv


# ---------------------------------------------------------------- dispatch

def open_source(path: Path, limits: Limits = DEFAULT_LIMITS,
                header_score: Callable[[list[list[Any]]], int] | None = None) -> SourceFile:
    """Open any supported file; the caller must call `.close()`."""
    path = Path(path)
    kind = sniff(path)
    suffix = path.suffix.lower()
    if kind.name == "empty":
        raise not_a_workbook(path, kind)
    if suffix in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        if kind.name != "zip":
            if kind.name == "ole":
                return _try_xls(path, limits, renamed=True)
            raise not_a_workbook(path, kind)
        return open_xlsx(path, limits)
    if suffix in (".xls", ".et"):
        if kind.name == "zip":            # an xlsx saved with the old extension
            return open_xlsx(path, limits)
        if kind.name == "ole":
            return _try_xls(path, limits, renamed=False)
        if kind.name == "html":
            raise not_a_workbook(path, kind)
        if kind.name == "csv":             # "xls" exports that are really tab-separated text
            return open_csv(path, limits, header_score)
        raise not_a_workbook(path, kind)
    if suffix in (".csv", ".txt", ".tsv"):
        if kind.name == "zip":
            return open_xlsx(path, limits)
        if kind.name in ("csv",):
            return open_csv(path, limits, header_score)
        raise FileRejected(f"文件“{path.name}”不是文本格式的 CSV 文件。{XLSX_ADVICE}")
    raise FileRejected(f"不支持文件“{path.name}”的格式（{suffix or '无扩展名'}）。"
                       "请使用 Excel 工作簿（.xlsx）、CSV（.csv）或旧版 Excel（.xls）文件。")


# ---------------------------------------------------------------- xlsx

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


def scan_sheet_part(zf: SafeZip, part: str, chunk: int = 1 << 20,
                    overlap: int = 1 << 16) -> SheetScan:
    """Find merged ranges and formulas with no cached value by scanning bytes.

    A regex over the decompressed part, chunk by chunk, so memory stays flat; an
    Excel empty-string result (`t="str"` with `<v></v>`) counts as cached.
    """
    merged: set[tuple[int, int, int, int]] = set()
    uncached: set[tuple[int, int]] = set()
    errors: dict[tuple[int, int], str] = {}
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
            if b"f" in data and (b"<f" in data or b":f" in data):
                for m in _UNCACHED.finditer(data):
                    attrs = m.group(1)
                    if _T_STR.search(attrs):
                        continue
                    r = _R_ATTR.search(attrs)
                    uncached.add((int(r.group(2)), col_index(r.group(1))) if r else (0, 0))
            if b't="e"' in data:
                for m in _ERROR_CELL.finditer(data):
                    r = _R_ATTR.search(m.group(1))
                    if r:
                        errors[(int(r.group(2)), col_index(r.group(1)))] = m.group(2).decode("utf-8", "replace")
            if b"mergeCell" in data:
                for m in _CELL_REF.finditer(data):
                    c1, r1 = col_index(m.group(1)), int(m.group(2))
                    c2 = col_index(m.group(3)) if m.group(3) else c1
                    r2 = int(m.group(4)) if m.group(4) else r1
                    merged.add((r1, c1, r2, c2))
            if not block:
                break
            tail = data[-overlap:]
    return SheetScan(sorted(merged), sorted(uncached), errors)


_TAG = re.compile(rb'<(?:\w+:)?(row|c)\b([^>]*)>')
_ROW_R = re.compile(rb'\br="(\d+)"')


_ROW_OF_POSITION = re.compile(rb' r="[A-Z]{0,3}(\d{1,9})"')
_COLUMN_OF_POSITION = re.compile(rb' r="([A-Z]{0,3})\d{1,9}"')
_UNUSUAL_TAG = re.compile(rb"<(?:c|row)/?>|:row|:c ")        # no attributes, or a namespace prefix


def sheet_extent(zf: SafeZip, part: str, chunk: int = 1 << 20) -> tuple[int, int]:
    """(last row, last column) a reader that lays the sheet out as a grid would allocate for, from
    the cells' own positions (`r="XFD1048576"`) or, without them, from their order, as Excel and
    python-calamine place them. Two cells far apart make a grid of billions of cells.

    Per piece of the part: the row numbers of all positions (one findall, compared as digit
    strings: the longest, then the largest), the distinct column letters (a set of a few), and
    tag counts; every step runs in C, not once per cell in Python."""
    last_row = last_col = 0
    for region in _tag_regions(zf, part, chunk):
        if _UNUSUAL_TAG.search(region):
            return _sheet_extent_by_order(zf, part, chunk)    # implied or unusual positions: walk them
        rows = _ROW_OF_POSITION.findall(region)
        if len(rows) != region.count(b"<c ") + region.count(b"<row "):
            return _sheet_extent_by_order(zf, part, chunk)
        if rows:
            longest = max(map(len, rows))
            last_row = max(last_row, int(max(r for r in rows if len(r) == longest)))
            widest = max(set(_COLUMN_OF_POSITION.findall(region)), key=lambda c: (len(c), c))
            last_col = max(last_col, col_index(widest) if widest else 0)
    return last_row, last_col


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


def _size_from_sheet_head(ws) -> None:
    """Replacement for openpyxl's ReadOnlyWorksheet._get_size (3.1): the same `<dimension>` lookup,
    but it stops where `<sheetData>` *starts*. openpyxl waits for the *end* of `<sheetData>`, so a
    sheet without `<dimension>` is parsed in full just to learn that it has none: a million-row
    sheet took half a minute before our row limit could even be applied. We reset the dimensions
    right after opening anyway (see open_xlsx)."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse     # defusedxml's, as openpyxl's own
    src = ws._get_source()
    try:
        for event, element in iterparse(src, events=("start", "end")):
            if event == "start":
                if element.tag == DATA_TAG:
                    return
                continue
            if element.tag == DIMENSION_TAG:
                dims = SheetDimension.from_tree(element).boundaries
                if dims is not None:
                    ws._min_column, ws._min_row, ws._max_column, ws._max_row = dims
                return
            element.clear()
    finally:
        src.close()


def _patch_openpyxl() -> None:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    if ReadOnlyWorksheet._get_size is not _size_from_sheet_head:
        ReadOnlyWorksheet._get_size = _size_from_sheet_head


# A grid of this many cells is about 64 MB in python-calamine (32 bytes a cell). A roster of
# 50,000 rows × 40 columns fits; a sheet with one cell in A1 and one in XFD1048576 (17 billion
# cells, which would abort the process) goes to openpyxl's streaming reader instead.
GRID_CELLS = 2_000_000


def open_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS) -> SourceFile:
    """An xlsx through python-calamine (fast), on the very file handle the zip checks passed;
    sheets whose cells would make too large a grid are read by openpyxl, streaming."""
    zf = open_workbook_zip(path, limits)
    try:
        _refuse_doctype(zf, path)
        parts = sheet_parts(zf)
        for part in parts:
            if part is not None and zf.get(part) is not None:
                rows, cols = sheet_extent(zf, part)
                if rows * cols > GRID_CELLS:
                    return _open_xlsx_openpyxl(path, limits, zf)
    except AppError:
        zf.close()
        raise
    except Exception as exc:
        zf.close()
        raise _xlsx_failure(path, exc) from None
    try:
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
        wb = CalamineWorkbook.from_filelike(zf.fileobj)
        metas = list(wb.sheets_metadata)
    except Exception as exc:
        zf.close()
        raise _xlsx_failure(path, exc) from None
    warnings = []
    if path.suffix.lower() in (".xlsm", ".xltm"):
        warnings.append(f"文件“{path.name}”是启用宏的工作簿；宏不会被执行，只读取单元格内容。")
    sheets = []
    for i, meta in enumerate(metas):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue                       # chart and macro sheets
        part = parts[i] if len(parts) == len(metas) else None
        scanned: list[SheetScan] = []

        def scan(part=part, scanned=scanned) -> SheetScan:
            if not scanned:
                if part is None or zf.get(part) is None:
                    scanned.append(SheetScan())
                else:
                    try:
                        scanned.append(scan_sheet_part(zf, part))
                    except (KeyError, ZipDamaged, OSError, EOFError, ValueError) as exc:
                        raise _xlsx_failure(path, exc) from None
            return scanned[0]

        def rows(name=meta.name, scan=scan) -> Iterator[Row]:
            max_col = limits.max_columns
            errors = scan().errors
            try:
                sheet = wb.get_sheet_by_name(name)
                start = sheet.start
                pad = (None,) * (start[1] if start else 0)
                for n, values in enumerate(sheet.iter_rows(), 1):
                    out = pad + tuple(map(_calamine_value, values))
                    if errors:
                        out = _with_errors(n, out, errors)
                    end = len(out)
                    while end and out[end - 1] is None:     # as openpyxl: a row ends at its last value
                        end -= 1
                    yield n, out[:min(end, max_col)]
            except AppError:
                raise
            except Exception as exc:
                raise _xlsx_failure(path, exc) from None

        sheets.append(SheetSource(meta.name, rows, scan, hidden=meta.visible != SheetVisibleEnum.Visible))

    def close() -> None:
        try:
            wb.close()
        finally:
            zf.close()
    return SourceFile(path, "xlsx", sheets, warnings=warnings, close=close)


def _calamine_value(v: Any) -> Any:
    """python-calamine's values as openpyxl gives them (what the importers were written for):
    empty cells None, whole numbers int, dates at midnight datetime."""
    if v == "" and isinstance(v, str):
        return None
    if isinstance(v, float):
        return int(v) if v.is_integer() and abs(v) < 1e15 else v
    if type(v) is date_type:
        return datetime(v.year, v.month, v.day)
    return v


def _with_errors(n: int, values: tuple[Any, ...], errors: dict[tuple[int, int], str]) -> tuple[Any, ...]:
    """Put back the error values (#N/A, #DIV/0!) calamine reads as empty, as openpyxl shows them."""
    hits = [(c, text) for (r, c), text in errors.items() if r == n]
    if not hits:
        return values
    out = list(values)
    for c, text in hits:
        if c > len(out):
            out += [None] * (c - len(out))
        out[c - 1] = text
    return tuple(out)


def _refuse_doctype(zf: SafeZip, path: Path, chunk: int = 1 << 20) -> None:
    """No XML part of a workbook has a DOCTYPE; one that does is an entity bomb or an external
    entity (refused as defusedxml refuses it for openpyxl), never handed to a parser."""
    for entry in zf.files():
        if not entry.name.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(entry) as fh:
            tail = b""
            while block := fh.read(chunk):
                data = tail + block
                if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                    raise FileRejected(f"文件“{path.name}”包含不安全的 XML 内容（实体定义），可能是恶意文件，已拒绝读取。")
                tail = data[-16:]


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_RID = re.compile(rb'\b\w+:id\s*=\s*["\']([^"\']*)["\']')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_REL_ATTR = re.compile(rb'\b(Id|Target)\s*=\s*["\']([^"\']*)["\']')


def sheet_parts(zf: SafeZip) -> list[str | None]:
    """The part of each sheet, in the workbook's order (xl/workbook.xml and its relationships)."""
    book = zf.get("xl/workbook.xml")
    rels = zf.get("xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return []
    targets = {}
    for m in _REL.finditer(zf.read(rels, 4 * 1024 * 1024)):
        attrs = dict(_REL_ATTR.findall(m.group(0)))
        if b"Id" in attrs and b"Target" in attrs:
            targets[attrs[b"Id"]] = attrs[b"Target"].decode("utf-8", "replace")
    out: list[str | None] = []
    for m in _SHEET_TAG.finditer(zf.read(book, 4 * 1024 * 1024)):
        rid = _RID.search(m.group(0))
        target = targets.get(rid.group(1)) if rid else None
        if target is None:
            out.append(None)
            continue
        target = target.replace("\\", "/")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        out.append(part)
    return out


def _open_xlsx_openpyxl(path: Path, limits: Limits, zf: SafeZip) -> SourceFile:
    """The streaming reader, for sheets too sparse or too large for a grid (see open_xlsx)."""
    import app.services.excel.xl  # noqa: F401 (openpyxl as this app loads it)
    from openpyxl import load_workbook

    _patch_openpyxl()
    label = f"文件“{path.name}”"
    try:
        # openpyxl reads the very file handle that was checked, not the path a second time
        wb = load_workbook(zf.fileobj, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on broken parts
        zf.close()
        raise _xlsx_failure(path, exc) from None
    warnings = []
    if path.suffix.lower() in (".xlsm", ".xltm"):
        warnings.append(f"{label}是启用宏的工作簿；宏不会被执行，只读取单元格内容。")
    sheets = []
    for ws in wb.worksheets:
        if not hasattr(ws, "iter_rows"):
            continue                       # chart sheets
        ws.reset_dimensions()              # trust the rows, not a stale <dimension>
        part = getattr(ws, "_worksheet_path", None)

        def rows(ws=ws) -> Iterator[Row]:
            max_col = limits.max_columns
            try:
                for n, values in enumerate(ws.iter_rows(values_only=True), 1):
                    yield n, values[:max_col] if len(values) > max_col else values
            except AppError:
                raise
            except Exception as exc:
                raise _xlsx_failure(path, exc) from None

        def scan(part=part) -> SheetScan:
            if part is None:
                return SheetScan()
            try:
                return scan_sheet_part(zf, part)
            except (KeyError, ZipDamaged, OSError, EOFError, ValueError) as exc:
                raise _xlsx_failure(path, exc) from None

        sheets.append(SheetSource(ws.title, rows, scan, hidden=ws.sheet_state != "visible"))

    def close() -> None:
        try:
            wb.close()
        finally:
            zf.close()
    return SourceFile(path, "xlsx", sheets, warnings=warnings, close=close)


def _xlsx_failure(path: Path, exc: Exception) -> FileRejected:
    from defusedxml.common import DefusedXmlException
    name = type(exc).__name__
    label = f"文件“{path.name}”"
    chain, seen = exc, 0
    while chain is not None and seen < 10 and not isinstance(chain, DefusedXmlException):
        chain, seen = chain.__cause__ or chain.__context__, seen + 1
    if isinstance(chain, DefusedXmlException):
        return FileRejected(f"{label}包含不安全的 XML 内容（实体定义），可能是恶意文件，已拒绝读取。")
    if _in_chain(exc, MemoryError):
        return FileRejected(f"{label}内容过多，读取时内存不足（不是文件损坏）。请删去无关的工作表、"
                            "格式和图片，或把数据复制到一个新建的工作簿后再导入。")
    logging.getLogger(__name__).info("unreadable workbook %s: %s: %s", path, name, exc)
    return FileRejected(f"{label}已损坏或不完整，无法读取（{_failure_cause(exc)}）。"
                        f"请重新获取文件，或{XLSX_ADVICE}")


def _in_chain(exc: BaseException | None, kind: type) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _failure_cause(exc: Exception) -> str:
    """What broke, in words an office user can pass on (the exception itself goes to the log)."""
    import zlib
    from xml.etree.ElementTree import ParseError

    from app.services.safezip import ZipDamaged as _Damaged
    name = type(exc).__name__
    # python-calamine's own errors (XmlError, ZipError) are named like the ones they stand for
    if isinstance(exc, (_Damaged, zlib.error, EOFError)) or name in ("BadZipFile", "ZipError"):
        return "内部压缩数据校验失败"
    if isinstance(exc, ParseError) or name in ("XMLSyntaxError", "ExpatError", "SAXParseException", "XmlError"):
        return "内部的表格数据格式错误"
    if isinstance(exc, KeyError):
        return "缺少必需的内部部件"
    if name == "InvalidFileException":
        return "文件格式无法识别"
    if isinstance(exc, OSError):
        return "文件读取出错"
    if isinstance(exc, (ValueError, TypeError, AttributeError, IndexError)):
        return "内部内容不合规范"
    return "内部内容无法解析"


# ---------------------------------------------------------------- xls

def _try_xls(path: Path, limits: Limits, *, renamed: bool) -> SourceFile:
    label = f"文件“{path.name}”"
    advice = "请在 Excel 或 WPS 中打开它，“另存为” Excel 工作簿（*.xlsx）后再导入。"
    if path.stat().st_size > limits.max_text_bytes:
        raise FileRejected(f"{label}超过 {limits.max_text_bytes // (1 << 20)} MB，"
                           f"旧版 .xls 文件过大。{advice}")
    try:
        import xlrd
    except ImportError:
        raise FileRejected(f"{label}是旧版 Excel（.xls）格式，本机无法直接读取。{advice}") from None
    damaged = FileRejected(f"{label}无法作为旧版 Excel（.xls）读取：可能已加密、已损坏，或是 WPS 专用格式。"
                           f"{advice}")
    chatter = io.StringIO()                # xlrd prints English warnings about damage to stdout
    try:
        try:
            book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=chatter)
        except NotImplementedError:
            book = xlrd.open_workbook(str(path), on_demand=True, logfile=chatter)
    except Exception:
        logging.getLogger(__name__).info("unreadable xls %s: %s", path, chatter.getvalue()[-500:])
        if renamed:
            raise not_a_workbook(path, sniff(path)) from None
        raise damaged from None
    sheets = []
    for idx in range(book.nsheets):
        try:                               # sheets are parsed here (on_demand); damage shows up now
            sh = book.sheet_by_index(idx)
        except Exception as exc:  # noqa: BLE001 - xlrd fails with asserts, IndexError, struct.error …
            logging.getLogger(__name__).info("damaged xls sheet in %s: %r", path, exc)
            book.release_resources()
            raise damaged from None

        def rows(sh=sh) -> Iterator[Row]:
            try:
                for r in range(sh.nrows):
                    yield r + 1, tuple(_xls_value(book, c) for c in sh.row(r)[:limits.max_columns])
            except AppError:
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged cell record
                logging.getLogger(__name__).info("damaged xls cell in %s: %r", path, exc)
                raise damaged from None

        def scan(sh=sh) -> SheetScan:
            merged = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in getattr(sh, "merged_cells", [])]
            return SheetScan(merged, [])

        sheets.append(SheetSource(sh.name, rows, scan, hidden=getattr(sh, "visibility", 0) != 0))
    warnings = []
    if renamed:
        warnings.append(f"{label}的扩展名是 .xlsx，但内容是旧版 .xls 格式；已按 .xls 读取。")
    return SourceFile(path, "xls", sheets, warnings=warnings, close=book.release_resources)


def _xls_value(book: Any, cell: Any) -> Any:
    import xlrd
    t = cell.ctype
    if t in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if t == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except Exception:
            return cell.value
    if t == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if t == xlrd.XL_CELL_NUMBER:
        v = cell.value
        return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v
    return cell.value


def is_blank(values: tuple[Any, ...]) -> bool:
    for v in values:
        if v is None:
            continue
        if isinstance(v, str) and (not v or v.isspace()):
            continue
        return False
    return True


def cell_text(value: Any) -> str:
    """A cell as text for matching headers and messages."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else str(value)
    return str(value)
