"""The 错误标注 workbook: the imported rows again, bad cells in red with a comment.

Rows keep the row numbers Excel showed in the original file, so "第 12 行" in a
message is row 12 here too. A 错误说明 column sums up each row, and a second
sheet lists every problem. Works the same for .xlsx, .csv and .xls input
(the rows already read are written again; the original file is never opened
for writing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import app.services.excel.xl  # noqa: F401,I001 (openpyxl as this app loads it, before any openpyxl import)
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.errors import AppError
from app.services.excel.cells import (ERROR_FILL, HEADER_FILL, HEADER_FONT, WARN_FILL, WRAP, clean_text,
                                      fit_widths,
                                      print_setup, put, save_workbook, write_header)
from app.services.excel.ooxml_text import escape_literal
from app.services.excel.readers import col_index
from app.services.excel.results import ERROR, RowProblem
from app.services.excel.table import Table

SUFFIX = "_错误标注"
AUTHOR = "提升工程助手"
MAX_COMMENTS = 5000        # comments are heavy; beyond this only the fill and the list remain


def default_path(source: Path) -> Path:
    stem = source.stem[:-len(SUFFIX)] if source.stem.endswith(SUFFIX) else source.stem
    dest = source.with_name(f"{stem}{SUFFIX}.xlsx")
    if dest.resolve() == source.resolve():
        dest = source.with_name(f"{stem}{SUFFIX}_新.xlsx")
    return dest


def write_error_workbook(table: Table, errors: Sequence[RowProblem], dest: Path | None = None, *,
                         warnings: Sequence[RowProblem] = (), notices: Sequence[str] = ()) -> Path:
    dest = Path(dest) if dest else default_path(table.path)
    wb = Workbook()
    sheet = wb.active
    sheet.title = _safe_title(table.sheet or "数据")
    text_cols = {c.index + 1 for c in table.header.columns
                 if c.field and table.index.by_key.get(c.field) and table.index.by_key[c.field].text}

    rows: list[tuple[int, tuple[Any, ...]]] = sorted(
        [*table.preamble, *table.rows, *table.summary_rows], key=lambda r: r[0])
    width = max((len(v) for _n, v in rows), default=1)
    width = max(width, max((c.index + 1 for c in table.header.columns), default=1))
    note_col = width + 1

    by_row: dict[int, list[RowProblem]] = defaultdict(list)
    for p in [*errors, *warnings]:
        by_row[p.row].append(p)

    for n, values in rows:
        for c, value in enumerate(values, 1):
            if value is None:
                continue
            cell = sheet.cell(row=n, column=c)
            put(cell, value, text=c in text_cols and isinstance(value, str))
            if not isinstance(value, str) and c in text_cols and isinstance(value, (int, float)):
                cell.number_format = "0"      # show the damaged number in full, as it really is
    header_row = table.header.last_row
    for c in range(1, width + 1):
        cell = sheet.cell(row=header_row, column=c)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    head = put(sheet.cell(row=header_row, column=note_col), "错误说明")
    head.font = Font(bold=True, color="C00000")
    head.fill = HEADER_FILL

    comments = 0
    for n, problems in sorted(by_row.items()):
        if n <= 0:
            continue
        lines = []
        per_cell: dict[str, list[RowProblem]] = defaultdict(list)
        for p in problems:
            prefix = "" if p.severity == ERROR else "提醒："
            lines.append(f"{prefix}{p.column}：{p.message}" if p.column else prefix + p.message)
            if p.letter:
                per_cell[p.letter].append(p)
        for letter, ps in per_cell.items():
            cell = sheet.cell(row=n, column=col_index(letter))
            is_error = any(p.severity == ERROR for p in ps)
            cell.fill = ERROR_FILL if is_error else WARN_FILL
            if comments < MAX_COMMENTS:
                text = clean_text("\n".join(p.message for p in ps))
                comment = Comment(escape_literal(text), AUTHOR)
                comment.width, comment.height = 300, 40 + 18 * max(1, len(text) // 18)
                cell.comment = comment
                comments += 1
        note = put(sheet.cell(row=n, column=note_col), "；".join(lines))
        note.alignment = WRAP
        if any(p.severity == ERROR for p in problems):
            note.font = Font(color="C00000")
    fit_widths(sheet, max_width=30)
    sheet.column_dimensions[get_column_letter(note_col)].width = 60
    for c in text_cols:
        sheet.column_dimensions[get_column_letter(c)].width = 22
    print_setup(sheet, header_row=header_row, landscape=True, columns=note_col)

    listing = wb.create_sheet("错误清单")
    write_header(listing, 1, ["行号", "列", "单元格", "值", "问题", "类型"])
    r = 2
    for p in [*errors, *warnings]:
        for c, value in enumerate([p.row or "", p.column, p.cell, p.value, p.message,
                                   "错误" if p.severity == ERROR else "提醒"], 1):
            put(listing.cell(row=r, column=c), value, text=c == 4)
        if p.severity == ERROR:
            listing.cell(row=r, column=6).font = Font(color="C00000")
        r += 1
    for text in notices:
        put(listing.cell(row=r, column=5), text)
        put(listing.cell(row=r, column=6), "说明")
        r += 1
    fit_widths(listing, max_width=70)
    print_setup(listing, landscape=True)
    return save_workbook(wb, dest)


def try_write_error_workbook(table: Table, errors: Sequence[RowProblem],
                             warnings: Sequence[RowProblem] = (),
                             notices: list[str] | None = None) -> Path | None:
    """Beside the input; a folder we may not write (a CD, a locked share) is only a notice."""
    try:
        return write_error_workbook(table, errors, warnings=warnings)
    except AppError as exc:
        if notices is not None:
            notices.append(f"未能写出错误标注文件：{exc.user_message}")
        return None


def _safe_title(name: str) -> str:
    for ch in '[]:*?/\\':
        name = name.replace(ch, "_")
    return name[:31] or "数据"


def attach_error_workbook(result, table: Table | None, wanted: bool = True):
    """Write the error workbook for an import result that left rows out; returns the result."""
    if wanted and result.errors and table is not None:
        result.error_workbook = try_write_error_workbook(table, result.errors, result.warnings, result.notices)
    return result
