"""From a file on disk to header + data rows, with nothing written anywhere.

`load_table()` opens the file safely, picks the sheet whose header names the
most known fields, finds the header rows under any title rows, fills vertically
merged cells down (as Excel shows them), drops blank and 合计/小计 rows and
refuses a sheet above the row limit. The result is plain data the roster and
hours importers validate; the GUI can show it as a preview.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.services.excel.headers import (FieldIndex, FieldSpec, HeaderInfo, detect_header,
                                        summary_cells, summary_in)
from app.services.excel.readers import Row, SheetScan, is_blank, open_source
from app.services.excel.safety import DEFAULT_LIMITS, FileRejected, Limits
from app.services.progress import NO_PROGRESS, Progress

MAX_TRAILING_BLANKS = 10_000       # a formatted but empty tail is the end of the data


@dataclass
class Table:
    path: Path
    kind: str                          # xlsx | csv | xls
    sheet: str
    header: HeaderInfo                 # as detected (before any override)
    preamble: list[Row]                # title and header rows, for the error workbook
    rows: list[Row]                    # data rows, blank and 合计 rows removed
    index: FieldIndex
    encoding: str | None = None
    skipped_blank: int = 0
    skipped_summary: list[int] = field(default_factory=list)
    summary_rows: list[Row] = field(default_factory=list)   # the 合计/footer rows themselves
    uncached: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet_names: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"文件“{self.path.name}”"

    def check_formulas(self, columns: Sequence[int]) -> None:
        """Refuse when a column we use holds formulas that were never calculated."""
        wanted = {c + 1 for c in columns}
        first_data = self.header.last_row + 1
        header_rows = set(self.header.rows)
        for r, c in self.uncached:
            if r == 0 or r in header_rows or (r >= first_data and c in wanted):
                from app.services.excel.plain import get_column_letter
                where = f"（如工作表“{self.sheet}”的 {get_column_letter(c)}{r} 单元格）" if r else ""
                raise FileRejected(f"{self.label}含未计算的公式，请在 Excel/WPS 中打开并保存后再导入{where}。")


def load_table(path: Path, fields: Sequence[FieldSpec], *, limits: Limits = DEFAULT_LIMITS,
               progress: Progress = NO_PROGRESS, what: str = "表格", sheet: str | None = None,
               header_row: int | None = None, meanwhile: Callable[[], Any] | None = None) -> Table:
    """Read one sheet. `sheet` and `header_row` (Excel's number) override the automatic choice,
    for a preview where the user points at the right sheet or header line. `meanwhile`: the
    caller's own work, done once the file has passed its checks, while python-calamine parses
    it on a thread (parse_ahead.py); an error it raises is raised after the file is closed."""
    path = Path(path)
    index = FieldIndex(fields)

    def header_score(rows: list[list[Any]]) -> int:
        return max((index.row_score(r) for r in rows[:limits.header_scan_rows]), default=0)

    src = open_source(path, limits, header_score, sheet)
    try:
        # while python-calamine parses: the byte scan of each sheet that may be read (merged ranges,
        # formulas without a value, error cells), then the caller's own work
        for source in src.sheets:
            if sheet == source.name or (sheet is None and not source.hidden):
                source.scan()
        if meanwhile is not None:
            meanwhile()
        candidates = []
        wanted = src.sheets
        if sheet is not None:
            wanted = [s for s in src.sheets if s.name == sheet]
            if not wanted:
                raise FileRejected(f"文件“{path.name}”中没有名为“{sheet}”的工作表。"
                                   f"现有工作表：{'、'.join(s.name for s in src.sheets)}。")
        for source in wanted:
            if source.hidden and sheet is None:
                continue
            it = source.rows()
            head: list[Row] = []
            for row in it:
                head.append(row)
                if len(head) >= limits.header_scan_rows and (header_row is None or row[0] >= header_row):
                    break
            scan = None
            if header_row is not None:
                forced = [r for r in head if r[0] == header_row] or [(header_row, ())]
                header = detect_header(forced, index, min_score=0)
            else:
                header = detect_header(head, index)
            if header is not None:
                scan = source.scan()
                if scan.merged and header_row is None:
                    header = detect_header(head, index, merged=scan.merged)
                candidates.append((header.score, -len(candidates), source, it, head, header, scan))
            else:
                _close(it)
        if not candidates:
            raise FileRejected(_no_header_message(path, index, src.kind, what, src.encoding))
        candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
        _score, _o, chosen, it, head, header, scan = candidates[0]
        for other in candidates[1:]:
            _close(other[3])
        table = Table(path=path, kind=src.kind, sheet=chosen.name, header=header, preamble=[],
                      rows=[], index=index, encoding=src.encoding, uncached=scan.uncached,
                      warnings=list(src.warnings), sheet_names=[s.name for s in src.sheets])
        _collect(table, head, it, scan, limits, progress)
        return table
    finally:
        src.close()


def _close(it: Any) -> None:
    close = getattr(it, "close", None)
    if close:
        close()


def _collect(table: Table, head: list[Row], rest: Any, scan: SheetScan, limits: Limits,
             progress: Progress) -> None:
    header = table.header
    last_header = header.last_row
    key_cols = [c.index for c in header.columns if c.field in ("name", "id_number")]
    look = summary_cells(key_cols)                         # is_summary_row's cells, once
    fills: dict[int, list[tuple[int, int]]] = {}          # top row → [(col, last row)]
    for r1, c1, r2, _c2 in scan.merged:
        if r2 > r1 and r1 > last_header:
            fills.setdefault(r1, []).append((c1 - 1, r2))
    active: list[tuple[int, int, Any]] = []                # (col, last row, value)
    data_count = 0
    trailing_blank = 0
    max_rows, add = limits.max_rows, table.rows.append     # (5,000 rows a file: bound once)

    def take(n: int, values: tuple[Any, ...]) -> bool:
        nonlocal data_count, trailing_blank, active
        if n <= last_header:
            table.preamble.append((n, values))
            return True
        if active:
            active = [a for a in active if a[1] >= n]
            if active:
                vals = list(values)
                for col, _last, value in active:
                    while len(vals) <= col:
                        vals.append(None)
                    if vals[col] is None:
                        vals[col] = value
                values = tuple(vals)
        if fills and n in fills:
            for col, last in fills[n]:
                if col < len(values) and values[col] is not None:
                    active.append((col, last, values[col]))
        # (a row whose first cell holds a number, date or flag is not blank: is_blank not called)
        if (not values or values[0] is None or isinstance(values[0], str)) and is_blank(values):
            table.skipped_blank += 1
            trailing_blank += 1
            return trailing_blank < MAX_TRAILING_BLANKS
        trailing_blank = 0
        if summary_in(values, look):
            table.skipped_summary.append(n)
            table.summary_rows.append((n, values))
            return True
        data_count += 1
        if data_count > max_rows:
            raise FileRejected(f"{table.label}的工作表“{table.sheet}”超过 {limits.max_rows:,} 行数据，"
                               f"超出单次导入上限（{limits.max_rows:,} 行）。请把它分成几个文件分别导入。")
        add((n, values))
        if data_count % 500 == 0:
            progress.report(data_count, 0, f"正在读取第 {n} 行")
        return True

    for n, values in head:
        if not take(n, values):
            _close(rest)
            return
    for n, values in rest:
        if not take(n, values):
            _close(rest)
            break
    progress.check()


def _no_header_message(path: Path, index: FieldIndex, kind: str, what: str, encoding: str | None = None) -> str:
    examples = "、".join(f"“{f.label}”" for f in index.fields if f.required) or \
        "、".join(f"“{f.label}”" for f in index.fields[:3])
    extra = "" if kind != "csv" else "（若是 CSV 文件，也请确认用逗号分隔）"
    if kind == "csv" and encoding and encoding.startswith("GB18030"):
        # GB18030 accepts almost any bytes: a Big5 or Shift-JIS file "decodes" to nonsense
        extra = ("（若是 CSV 文件，也请确认用逗号分隔；本软件按 GBK 编码读取了它，如果文件是繁体中文（Big5）"
                 "或其他编码，列名会变成乱码，请在 Excel/WPS 中另存为“CSV UTF-8”后再导入）")
    return (f"文件“{path.name}”中没有找到{what}的表头：前几行里没有 {examples} 等列名{extra}。"
            "请确认选对了文件，或下载本软件的导入模板，按模板填写后再导入。")


def peek(path: Path, *, rows: int = 20, limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, list[Row]]]:
    """The first rows of every visible sheet (safely opened), so a preview can let the user
    point at the right sheet and header row when automatic detection found none."""
    src = open_source(Path(path), limits)
    try:
        out = []
        for source in src.sheets:
            if source.hidden:
                continue
            head: list[Row] = []
            it = source.rows()
            for row in it:
                head.append(row)
                if len(head) >= rows:
                    break
            _close(it)
            out.append((source.name, head))
        return out
    finally:
        src.close()
