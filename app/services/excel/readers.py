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
from app.services.excel.sheet_scan import (DOCTYPE_MESSAGE, SCAN_CHUNK, col_index, prescan,  # noqa: F401 (re-exported)
                                           scan_sheet_part, sheet_extent)
from app.services.excel.csv_reader import open_csv
from app.services.excel.ooxml_text import unescape
from app.services.excel.parse_ahead import ParseAhead


# ---------------------------------------------------------------- dispatch

def open_source(path: Path, limits: Limits = DEFAULT_LIMITS,
                header_score: Callable[[list[list[Any]]], int] | None = None,
                sheet: str | None = None) -> SourceFile:
    """Open any supported file; the caller must call `.close()`. `sheet`: the one sheet the caller
    will read, when it knows (an xlsx then parses only that one ahead; see open_xlsx)."""
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
        return open_xlsx(path, limits, sheet)
    if suffix in (".xls", ".et"):
        if kind.name == "zip":            # an xlsx saved with the old extension
            return open_xlsx(path, limits, sheet)
        if kind.name == "ole":
            return _try_xls(path, limits, renamed=False)
        if kind.name == "html":
            raise not_a_workbook(path, kind)
        if kind.name == "csv":             # "xls" exports that are really tab-separated text
            return open_csv(path, limits, header_score)
        raise not_a_workbook(path, kind)
    if suffix in (".csv", ".txt", ".tsv"):
        if kind.name == "zip":
            return open_xlsx(path, limits, sheet)
        if kind.name in ("csv",):
            return open_csv(path, limits, header_score)
        raise FileRejected(f"文件“{path.name}”不是文本格式的 CSV 文件。{XLSX_ADVICE}")
    raise FileRejected(f"不支持文件“{path.name}”的格式（{suffix or '无扩展名'}）。"
                       "请使用 Excel 工作簿（.xlsx）、CSV（.csv）或旧版 Excel（.xls）文件。")


# ---------------------------------------------------------------- xlsx

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

# A whole-number float below this is read as an int, as openpyxl gives it; from 10^15 on a float no
# longer holds every digit Excel shows (an ID number typed as a number), so it stays a float.
WHOLE_BELOW = 1e15


def open_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS, sheet: str | None = None) -> SourceFile:
    """An xlsx through python-calamine (fast), on the very file handle the zip checks passed;
    sheets whose cells would make too large a grid are read by openpyxl, streaming. Parsed ahead
    on a thread: `sheet` if given, otherwise every visible worksheet (any may hold the header)."""
    zf = open_workbook_zip(path, limits)
    prescanned: set[str] = set()
    try:
        parts = sheet_parts(zf)
        too_large = False
        # every part a sheet tag names (python-calamine reads r:id; any other prefix too), found
        # as python-calamine finds it, whatever the case of its name
        for part in sorted({p for p in parts if p is not None} | _all_sheet_targets(zf)):
            if part not in prescanned and zf.get(part) is not None:
                # (the grid and the DOCTYPE only: what scan_sheet_part finds is looked for later,
                # while python-calamine parses – table.load_table)
                fits, _none, doctype = prescan(zf, part, GRID_CELLS, findings=False)
                if doctype:
                    raise FileRejected(DOCTYPE_MESSAGE.format(path.name))
                prescanned.add(part)
                too_large = too_large or not fits
        _refuse_doctype(zf, path, skip=prescanned)
        if too_large:
            return _open_xlsx_openpyxl(path, limits, zf)
    except AppError:
        zf.close()
        raise
    except Exception as exc:
        zf.close()
        raise _xlsx_failure(path, exc) from None
    try:
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
        wb = CalamineWorkbook.from_filelike(_in_memory(zf.fileobj))
        metas = list(wb.sheets_metadata)
    except Exception as exc:
        zf.close()
        raise _xlsx_failure(path, exc) from None
    warnings = []
    if path.suffix.lower() in (".xlsm", ".xltm"):
        warnings.append(f"文件“{path.name}”是启用宏的工作簿；宏不会被执行，只读取单元格内容。")
    # the visible worksheets, parsed on a thread from now on (the checks above have passed)
    ahead = ParseAhead(wb, [m.name for m in metas if m.typ == SheetTypeEnum.WorkSheet
                            and (m.name == sheet if sheet is not None else m.visible == SheetVisibleEnum.Visible)])
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
                sheet = ahead.sheet(name)
                start = sheet.start
                pad = (None,) * (start[1] if start else 0)
                convert = _calamine_value
                for n, values in enumerate(sheet.iter_rows(), 1):
                    # (text as it is, and whole numbers (a roster's 序号) made int, in the comprehension:
                    # the others go through _calamine_value)
                    out = pad + tuple([v if v.__class__ is str and v else
                                       int(v) if v.__class__ is float and v.is_integer() and -WHOLE_BELOW < v < WHOLE_BELOW
                                       else convert(v) for v in values])
                    if errors:
                        out = _with_errors(n, out, errors)
                    if out and out[-1] is None:              # as openpyxl: a row ends at its last value
                        end = len(out) - 1
                        while end and out[end - 1] is None:
                            end -= 1
                        out = out[:end]
                    yield n, out[:max_col] if len(out) > max_col else out
            except AppError:
                raise
            except Exception as exc:
                raise _xlsx_failure(path, exc) from None

        sheets.append(SheetSource(meta.name, rows, scan, hidden=meta.visible != SheetVisibleEnum.Visible))

    def close() -> None:
        try:
            ahead.wait()                         # never close the workbook under a parse
            wb.close()
        finally:
            zf.close()
    return SourceFile(path, "xlsx", sheets, warnings=warnings, close=close)


IN_MEMORY = 32 * 1024 * 1024


def _in_memory(fh):
    """The checked file's bytes in memory when they are few (a roster is a few hundred KB), so that
    python-calamine, parsing on its thread (parse_ahead.py), never calls back into Python to read
    and so never waits for the GIL while the caller works; a larger file is read from the handle."""
    size = fh.seek(0, io.SEEK_END)
    fh.seek(0)
    return io.BytesIO(fh.read()) if size <= IN_MEMORY else fh


def _calamine_value(v: Any) -> Any:
    """python-calamine's values as openpyxl gives them (what the importers were written for):
    empty cells None, whole numbers int, dates at midnight datetime."""
    if v == "" and isinstance(v, str):
        return None
    if isinstance(v, float):
        return int(v) if v.is_integer() and abs(v) < WHOLE_BELOW else v
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


def _refuse_doctype(zf: SafeZip, path: Path, chunk: int = SCAN_CHUNK, skip=()) -> None:
    """No XML part of a workbook has a DOCTYPE; one that does is an entity bomb or an external
    entity (refused as defusedxml refuses it for openpyxl), never handed to a parser. `skip`:
    parts already looked at (the sheets, by _prescan)."""
    for entry in zf.files():
        if not entry.name.lower().endswith((".xml", ".rels", ".vml")) or entry.name in skip:
            continue
        with zf.open(entry) as fh:
            tail = b""
            while block := fh.read(chunk):
                data = tail + block
                if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                    raise FileRejected(DOCTYPE_MESSAGE.format(path.name))
                tail = data[-16:]


# by local name after any prefixes, as python-calamine matches them
_SHEET_TAG = re.compile(rb"<(?:[^\s/>:<]*:)*sheet\b[^>]*>")
_RID = re.compile(rb'\b(\w+):id\s*=\s*["\']([^"\']*)["\']')
_REL = re.compile(rb"<(?:[^\s/>:<]*:)*Relationship\b[^>]*>")
_REL_ATTR = re.compile(rb'\b(Id|Target)\s*=\s*["\']([^"\']*)["\']')


def _entry_name(zf: SafeZip, name: str) -> str | None:
    """The zip entry python-calamine would open for `name`: the same name, or one that differs in
    case or uses backslashes (it compares them so)."""
    if zf.get(name) is not None:
        return name
    want = name.lower()
    for entry in zf.files():
        if entry.name.replace("\\", "/").lower() == want:
            return entry.name
    return None


def _sheet_tags_and_targets(zf: SafeZip) -> tuple[list[bytes], dict[bytes, str]] | None:
    book = _entry_name(zf, "xl/workbook.xml")
    rels = _entry_name(zf, "xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return None
    targets = {}
    for m in _REL.finditer(zf.read(zf.get(rels), 4 * 1024 * 1024)):
        attrs = dict(_REL_ATTR.findall(m.group(0)))
        if b"Id" in attrs and b"Target" in attrs:
            targets[attrs[b"Id"]] = attrs[b"Target"].decode("utf-8", "replace")
    return [m.group(0) for m in _SHEET_TAG.finditer(zf.read(zf.get(book), 4 * 1024 * 1024))], targets


def _part_of(zf: SafeZip, target: str) -> str:
    target = target.replace("\\", "/")
    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return _entry_name(zf, part) or part


def sheet_parts(zf: SafeZip) -> list[str | None]:
    """The part of each sheet, in the workbook's order (xl/workbook.xml and its relationships,
    found as python-calamine finds them, whatever the case of their names)."""
    found = _sheet_tags_and_targets(zf)
    if found is None:
        return []
    tags, targets = found
    out: list[str | None] = []
    for tag in tags:
        ids = dict(_RID.findall(tag))
        rid = ids.get(b"r", next(iter(ids.values()), None))      # calamine reads r:id
        target = targets.get(rid) if rid is not None else None
        out.append(None if target is None else _part_of(zf, target))
    return out


def _all_sheet_targets(zf: SafeZip) -> set[str]:
    """The part of every relationship any sheet tag names, under any prefix (`x:id` as well as
    `r:id`): each is prescanned, whichever one a reader takes."""
    found = _sheet_tags_and_targets(zf)
    if found is None:
        return set()
    tags, targets = found
    return {_part_of(zf, targets[rid]) for tag in tags for _p, rid in _RID.findall(tag) if rid in targets}


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
                    if any(v.__class__ is str and "_x" in v for v in values):
                        values = tuple(unescape(v) if v.__class__ is str else v for v in values)
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
        return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < WHOLE_BELOW else v
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
    if isinstance(value, float) and value.is_integer() and abs(value) < WHOLE_BELOW:
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else str(value)
    return str(value)
