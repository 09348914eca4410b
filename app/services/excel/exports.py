"""导出到 Excel: the roster and the hours as workbooks an office can print, edit and import again.

- `export_roster(ws, dest)`: sheet 教师花名册 in the import template's column order (full ID
  numbers and phones stored as text, so the file can be edited and imported back, matching
  teachers by ID number), frozen header, filter, A4 landscape.
- `export_hours(ws, dest, unmask=False)`: sheet 教师学时 (each teacher's hours per category
  against the minima, 达标 or not; the same sheet as the summary workbook) and sheet 学时记录
  (one row per record, with where it came from). ID and phone numbers masked unless asked.

Both write atomically (cells.save_workbook) and keep formula-like text as text.
"""

from __future__ import annotations

from pathlib import Path

import app.services.excel.xl  # noqa: F401,I001 (openpyxl as this app loads it, before any openpyxl import)
from openpyxl import Workbook

from app.services.excel.cells import fit_widths, print_setup, put, save_workbook, write_header
from app.services.excel.templates import ROSTER_COLUMNS, ROSTER_REQUIRED, ROSTER_TEXT
from app.services.progress import NO_PROGRESS, Progress

ROSTER_ATTRS = ("name", "gender", "id_number", "phone", "subject", "stage", "staff_type", "title", "staff_no",
                "teaching_point", "group", "status", "status_reason", "note")
RECORD_COLUMNS = ("序号", "姓名", "身份证号", "工号", "类别", "专题", "学时", "日期", "来源", "备注")


def export_roster(ws, dest: Path, *, progress: Progress = NO_PROGRESS) -> Path:
    """Write every teacher (import template columns) to `dest`; returns the path."""
    from app.services.teachers import list_teachers

    assert len(ROSTER_ATTRS) == len(ROSTER_COLUMNS)
    progress.report(0, 0, "正在读取教师名单", force=True)
    rows = list_teachers(ws)
    wb = Workbook()
    sheet = wb.active
    sheet.title = "教师花名册"
    write_header(sheet, 1, ROSTER_COLUMNS, required=ROSTER_REQUIRED)
    text_cols = {i for i, name in enumerate(ROSTER_COLUMNS, 1) if name in ROSTER_TEXT}
    for r, t in enumerate(rows, 2):
        if r % 200 == 0:
            progress.report(r - 2, len(rows), "正在写入教师")
        for c, attr in enumerate(ROSTER_ATTRS, 1):
            value = getattr(t, attr)
            put(sheet.cell(row=r, column=c), value if value not in ("", None) else None, text=c in text_cols)
    fit_widths(sheet, min_width=8, max_width=36, fixed={3: 22, 4: 15})
    print_setup(sheet, landscape=True, columns=len(ROSTER_COLUMNS))
    progress.check()
    return save_workbook(wb, Path(dest))


def export_hours(ws, dest: Path, *, unmask: bool = False, progress: Progress = NO_PROGRESS) -> Path:
    """Write 教师学时 (per teacher, against the minima) and 学时记录 (every record) to `dest`."""
    from app.services import snapshot as snapshot_mod
    from app.services.compliance import run_on_snapshot
    from app.services.excel.report import _hours_sheet
    from app.services.hours import list_hours
    from app.services.teachers import list_teachers
    from app.services.validation import personal_masks

    progress.report(0, 2, "正在汇总学时", force=True)
    snap = snapshot_mod.load_ws(ws)
    report = run_on_snapshot(snap)
    school = snap.school.name if snap.school else "本校"
    wb = Workbook()
    wb.remove(wb.active)

    mask_id, mask_ph = personal_masks(unmask)

    _hours_sheet(wb, snap, report, school, snap.today.isoformat(), mask_id, mask_ph)
    progress.report(1, 2, "正在写入学时记录")
    teachers = {t.id: t for t in list_teachers(ws)}
    sheet = wb.create_sheet("学时记录")
    write_header(sheet, 1, RECORD_COLUMNS)
    for n, rec in enumerate(list_hours(ws), 1):
        if n % 500 == 0:
            progress.check()
        t = teachers.get(rec.teacher_id)
        values = [n, rec.teacher, mask_id(t.id_number if t else ""), t.staff_no if t else "", rec.category,
                  rec.topic or None, rec.hours, rec.on_date, rec.source,
                  rec.note or None]
        for c, v in enumerate(values, 1):
            put(sheet.cell(row=n + 1, column=c), v, text=c in (3, 4) and v is not None)
    fit_widths(sheet, min_width=6, max_width=40, fixed={3: 21, 8: 12})
    print_setup(sheet, landscape=True, columns=len(RECORD_COLUMNS))
    wb.active = 0
    progress.check()
    return save_workbook(wb, Path(dest))


__all__ = ["export_hours", "export_roster"]
