"""What evidence is still missing across the school, and its Excel list.

One row per required item with no file (state 缺) for every teacher who takes
part, plus one row for a teacher who has not chosen points yet. The workbook
is written with text cells only (`excel.cells.put`), through a temporary file.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import app.services.excel  # noqa: F401  (sets openpyxl up first)
from openpyxl import Workbook

from app.errors import AppError, CancelledError, NotFoundError, StorageError
from app.services.evidence import (TEACHER_LEVEL, DuplicateEvidenceError, EvidenceRow, ItemInfo, add_evidence,
                                   list_evidence, remove_evidence)
from app.services.fileio import os_errors
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


@dataclass(frozen=True)
class TeacherProgress:
    """One line of the teacher list on the 证据材料 page."""
    teacher_id: int
    name: str
    staff_no: str
    subject: str
    group: str
    exempt_reason: str | None
    chosen: int
    required: int
    missing: int

    @property
    def note(self) -> str:
        if self.exempt_reason:
            return "免修"
        if not self.chosen:
            return "未选点"
        return f"缺 {self.missing} 项" if self.missing else "已齐全"


def progress_from_snapshot(snap: Snapshot) -> list[TeacherProgress]:
    groups = {g.id: g.name for g in snap.groups}
    out = []
    for v in snap.teachers:
        t = v.teacher
        states = [st for sts in v.point_items.values() for st in sts] + list(v.personal_items)
        out.append(TeacherProgress(t.id, t.name, t.staff_no or "", t.subject or "",
                                   groups.get(t.group_id, "") if t.group_id else "", v.exempt_reason,
                                   len(v.points), len(states), sum(1 for st in states if st.state == "缺")))
    return out


def evidence_overview(ws) -> tuple[list[TeacherProgress], list[MissingRow]]:
    """The teacher list and the school-wide missing list from one snapshot."""
    snap = load_ws(ws)
    return progress_from_snapshot(snap), missing_from_snapshot(snap)


@dataclass(frozen=True)
class ItemStatus:
    point_code: str | None
    point_name: str
    item: ItemInfo
    state: str               # 缺 / 已提交 / 已评
    files: int
    grade: str | None

    @property
    def code(self) -> str:
        """The CODE evidence.add_evidence expects (个人 for per-teacher items)."""
        return self.point_code or TEACHER_LEVEL


@dataclass(frozen=True)
class TeacherEvidence:
    teacher_id: int
    name: str
    staff_no: str
    exempt_reason: str | None
    items: tuple[ItemStatus, ...]
    files: tuple[EvidenceRow, ...]      # only those of the items above (dropped points' files are kept aside)
    kept_aside: int                     # files of points no longer chosen (kept, not counted)


def teacher_evidence(ws, teacher_id: int) -> TeacherEvidence:
    snap = load_ws(ws)
    v = snap.by_id(teacher_id)
    if v is None:
        raise NotFoundError("找不到该教师，可能已被删除或已调离。")
    items = []
    for code, states in v.point_items.items():
        items += [ItemStatus(code, snap.catalogue[code].name, st.item, st.state, st.files, st.grade) for st in states]
    items += [ItemStatus(None, "个人项目", st.item, st.state, st.files, st.grade) for st in v.personal_items]
    wanted = {i.item.id for i in items}
    rows = list_evidence(ws, teacher_id)
    files = tuple(r for r in rows if r.item_id in wanted)
    t = v.teacher
    return TeacherEvidence(t.id, t.name, t.staff_no or "", v.exempt_reason, tuple(items), files,
                           len(rows) - len(files))


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(name: str) -> str:
    """A name Windows accepts for the viewing copy (the original is only in the database)."""
    clean = _UNSAFE.sub("_", name).strip().rstrip(". ") or "证据文件"
    if clean.split(".")[0].upper() in _RESERVED:
        clean = "_" + clean
    return clean[:150]


def viewing_copy(ws, sha256: str, original_name: str) -> Path:
    """A copy of a stored file under its original name, for the system viewer.

    The store names files by hash without an extension, so Windows would not know
    which program opens them. The copy lives in the data folder's tmp/查看 and is
    read-only: never a link, so saving in Word or WPS can never change the store.
    """
    src = ws.store.path_for(sha256)
    if not src.is_file():
        raise StorageError(f"证据库中找不到“{original_name}”的文件，可能已被删除或移动。请从备份恢复或重新添加。")
    dest = ws.paths.tmp / "查看" / sha256[:12] / safe_file_name(original_name)
    with os_errors(dest):
        if dest.is_file() and dest.stat().st_size == src.stat().st_size:
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            os.chmod(dest, 0o644)
        shutil.copyfile(src, dest)
        os.chmod(dest, 0o444)
    return dest


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


class _Span(Progress):
    """One file's share of a multi-file copy: reports are offset into the grand total."""

    def __init__(self, outer: Progress, offset: int, grand: int) -> None:
        super().__init__()
        self._outer, self._offset, self._grand = outer, offset, grand

    def check(self) -> None:
        self._outer.check()

    @property
    def cancelled(self) -> bool:
        return self._outer.cancelled

    def report(self, done: int, total: int, text: str = "", *, force: bool = False) -> None:
        self._outer.report(self._offset + min(done, total), self._grand, text, force=force)


@dataclass(frozen=True)
class AddFilesResult:
    added: tuple[EvidenceRow, ...]
    failed: tuple[tuple[str, str], ...]     # (file name, reason)
    cancelled: bool
    skipped: tuple[tuple[str, str], ...] = ()   # (file name, why): already attached to the item

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for r in self.added for w in r.warnings)


def add_files(ws, teacher_id: int, code: str, item: str, paths: list[Path],
              progress: Progress = NO_PROGRESS) -> AddFilesResult:
    """Attach several files to one item, one after another, with one progress bar.

    Each file is recorded on its own, so a file that cannot be read is reported
    and the others still go in; cancelling stops before the next file (and the
    one being copied is not recorded).
    """
    paths = [Path(p) for p in paths]
    sizes = []
    for p in paths:
        try:
            sizes.append(p.stat().st_size)
        except OSError:
            sizes.append(0)
    grand = max(1, sum(sizes))
    added, failed, skipped = [], [], []
    offset = 0
    for p, size in zip(paths, sizes):
        try:
            progress.check()
            added.append(add_evidence(ws, teacher_id, code, item, p, _Span(progress, offset, grand)))
        except CancelledError:
            return AddFilesResult(tuple(added), tuple(failed), True, tuple(skipped))
        except DuplicateEvidenceError as exc:
            skipped.append((p.name, exc.user_message))
        except AppError as exc:
            failed.append((p.name, exc.full_message()))
        offset += size
    return AddFilesResult(tuple(added), tuple(failed), False, tuple(skipped))


def replace_file(ws, old: EvidenceRow, new_path: Path, progress: Progress = NO_PROGRESS) -> EvidenceRow:
    """Add the new file to the same item, then remove the old record (its file stays while used)."""
    row = add_evidence(ws, old.teacher_id, old.point_code or TEACHER_LEVEL, old.item_title, Path(new_path), progress)
    remove_evidence(ws, old.id)
    return row
