"""What evidence is still missing across the school, and its Excel list.

One row per required item with no file (state 缺) for every teacher who takes
part, plus one row for a teacher who has not chosen points yet. The workbook
is written with text cells only (`excel.cells.put`), through a temporary file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from app.services.evidence import TEACHER_LEVEL
from app.services.excel.cells import fit_widths, print_setup, put, save_workbook, write_header
from app.services.progress import NO_PROGRESS, Progress
from app.services.snapshot import Snapshot, load_ws

NOT_CHOSEN = "尚未选择能力点"
HEADERS = ("序号", "教师", "工号", "学科", "研修组", "能力点", "能力点名称", "证据项目", "要求类型", "说明")


@dataclass(frozen=True)
class MissingRow:
    teacher_id: int
    teacher: str
    staff_no: str
    subject: str
    group: str
    point_code: str          # '' when the teacher has not chosen points; 个人 for per-teacher items
    point_name: str
    point_order: int
    item_seq: int
    item_title: str
    kinds: str
    note: str


def missing_from_snapshot(snap: Snapshot) -> list[MissingRow]:
    groups = {g.id: g.name for g in snap.groups}
    order = {code: i for i, code in enumerate(snap.catalogue)}
    micro = snap.rules.micro
    out = []
    for v in snap.active:
        t = v.teacher
        base = (t.id, t.name, t.staff_no or "", t.subject or "", groups.get(t.group_id, "") if t.group_id else "")
        if micro is not None and not v.points:
            out.append(MissingRow(*base, "", "", -1, 0, NOT_CHOSEN, "", "请先在“微能力”页面选点"))
        for code, states in v.point_items.items():
            for st in states:
                if st.state == "缺":
                    out.append(MissingRow(*base, code, snap.catalogue[code].name, order.get(code, 999),
                                          st.item.seq, st.item.title, "/".join(st.item.kinds), "缺材料"))
        for st in v.personal_items:
            if st.state == "缺":
                out.append(MissingRow(*base, TEACHER_LEVEL, "个人项目", 1000, st.item.seq, st.item.title,
                                      "/".join(st.item.kinds), "缺材料"))
    return out


def missing_rows(ws) -> list[MissingRow]:
    return missing_from_snapshot(load_ws(ws))


def export_missing_xlsx(rows: list[MissingRow], dest: Path, *, school: str = "",
                        progress: Progress = NO_PROGRESS) -> Path:
    """Write the list (in the order given) to an .xlsx; every cell is text."""
    wb = Workbook()
    sheet = wb.active
    sheet.title = "缺交材料"
    write_header(sheet, 1, HEADERS)
    for n, r in enumerate(rows, 1):
        values = (str(n), r.teacher, r.staff_no, r.subject, r.group, r.point_code, r.point_name,
                  f"{r.item_seq}. {r.item_title}" if r.item_seq else r.item_title, r.kinds, r.note)
        for c, value in enumerate(values, 1):
            put(sheet.cell(row=n + 1, column=c), value, text=True)
        if n % 200 == 0:
            progress.report(n, len(rows), "正在写入缺交清单…")
    fit_widths(sheet)
    print_setup(sheet, header_row=1)
    if school:
        sheet.oddHeader.center.text = f"{school.replace('&', '&&')} 证据材料缺交清单"
    progress.report(len(rows), len(rows), "正在保存…", force=True)
    return save_workbook(wb, Path(dest))
