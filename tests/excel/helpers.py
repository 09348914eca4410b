"""Builders for the spreadsheets school offices send us (all generated in code)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from app.services.validation.id_number import check_char


def make_id(n: int, *, born: date = date(1980, 1, 1), male: bool = True, region: str = "330102") -> str:
    """A valid 18-digit ID; n makes it unique (sequence 000–999 with the right parity)."""
    seq = (n * 2 + (1 if male else 0)) % 1000
    if seq % 2 != (1 if male else 0):
        seq = (seq + 1) % 1000
    first = f"{region}{born:%Y%m%d}{seq:03d}"
    return first + check_char(first)


def id_with_bad_check(n: int) -> str:
    good = make_id(n)
    wrong = "0" if good[-1] != "0" else "1"
    return good[:-1] + wrong


def write_rows(path: Path, rows: list[list[Any]], *, sheet: str = "Sheet1",
               merges: list[str] = (), text_cols: tuple[int, ...] = (), formulas: bool = False) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if v is None:
                continue
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str) and not formulas:
                cell.data_type = "s"          # text that merely looks like a formula stays text
            if c in text_cols:
                cell.number_format = "@"
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def fill_template(template: Path, dest: Path, rows: list[list[Any]], *, start_row: int = 3) -> Path:
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    for r, row in enumerate(rows, start_row):
        for c, v in enumerate(row, 1):
            ws.cell(row=r, column=c, value=v)
    wb.save(dest)
    return dest


def rewrite_zip_member(path: Path, member: str, transform) -> None:
    """Rewrite one part of an xlsx (e.g. to plant an entity bomb or a lying dimension)."""
    src = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == member:
                data = transform(data)
            zout.writestr(info.filename, data)
    path.write_bytes(out.getvalue())


ROSTER_HEADER = ["姓名", "性别", "身份证号", "联系电话", "任教学科", "学段", "编制类型", "职称", "工号", "教学点", "状态"]


def roster_row(i: int, name: str | None = None, **over: Any) -> list[Any]:
    values = {"姓名": name if name is not None else f"教师{chr(0x4e00 + i)}", "性别": "男", "身份证号": make_id(i),
              "联系电话": f"138{i:08d}", "任教学科": "语文", "学段": "小学", "编制类型": "在编",
              "职称": "一级教师", "工号": f"T{i:04d}", "教学点": "", "状态": "在岗"}
    values.update(over)
    return [values[h] for h in ROSTER_HEADER]


def teachers(ws):
    from sqlmodel import select

    from app.models import Teacher
    with ws.sessions() as s:
        return {t.id_number: t for t in s.exec(select(Teacher))}


def hours(ws):
    from sqlmodel import select

    from app.models import HoursRecord
    with ws.sessions() as s:
        return list(s.exec(select(HoursRecord).order_by(HoursRecord.id)))
