"""Import hours (学时) per teacher and category from a platform export or our template.

Two layouts are recognised:

- long: one record per row with a 类别 column and a 学时 column (our template,
  most platform detail exports);
- wide: one teacher per row and one column per programme category
  (网络研修 / 实践应用 …), as platform summary exports look.

Teachers are matched by ID number, else by 工号, else by a unique name; rows
that match nobody are reported. Each record gets a natural key
sha256(teacher, category, topic, date, hours, source label) stored in
ImportedRow, so importing the same file twice adds nothing the second time.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.errors import ValidationError
from app.models import AuditEntry, HoursRecord, ImportedRow, Teacher
from app.models.base import now
from app.models.hours import SOURCE_IMPORT
from app.services import faults
from app.services.backup.automatic import backup_before
from app.services.excel.plain import format_plain
from app.services.excel.fields import EXAMPLE_MARK, hours_fields
from app.services.excel.headers import FieldSpec, apply_mapping, normalize_header
from app.services.excel.readers import cell_text
from app.services.excel.results import (ADD, DUPLICATE, ERROR, ERROR_ROW, UNCHANGED, WARNING, ImportPreview,
                                        ImportResult, PlannedRow, ReadingNote, RowProblem, blocked_preview)
from app.services.excel.roster_import import NUMERIC_ID_MESSAGE
from app.services.excel.safety import DEFAULT_LIMITS, FileRejected, Limits
from app.services.excel.table import Table, load_table
from app.services.programmes import Rules, current_rules
from app.services.progress import NO_PROGRESS, Progress
from app.services.validation import normalize_text, parse_date, validate_hours
from app.services.validation.controls import escape_invisible
from app.services.validation.id_number import validate_id_number

KIND = "hours"
LONG, WIDE = "long", "wide"


def natural_key(teacher_key: str, category: str, topic: str, on_date: date | None, hours: float,
                source_label: str) -> str:
    """The identity of one imported record; the same record imported again has the same key."""
    text = "\x1f".join([teacher_key, category, topic, on_date.isoformat() if on_date else "",
                        f"{hours:.2f}", source_label])
    return "hours:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def teacher_key(t: Teacher) -> str:
    return f"id:{t.id_number}" if t.id_number else f"teacher:{t.id}"


# ---------------------------------------------------------------- public API

def read_hours(ws, path: Path, *, sheet: str | None = None, header_row: int | None = None,
               limits: Limits = DEFAULT_LIMITS, progress: Progress = NO_PROGRESS) -> Table:
    """Read the file with the programme's category columns; no writes."""
    with ws.sessions() as s:
        rules = current_rules(s)
    return load_table(Path(path), hours_fields(rules.category_keys), limits=limits, progress=progress,
                      what="学时", sheet=sheet, header_row=header_row)


def preview_hours(ws, source: Path | Table, *, mapping: dict[int, str | None] | None = None,
                  source_label: str = SOURCE_IMPORT, limits: Limits = DEFAULT_LIMITS,
                  progress: Progress = NO_PROGRESS) -> ImportPreview:
    table = source if isinstance(source, Table) else read_hours(ws, source, limits=limits,
                                                                progress=progress)
    with ws.sessions() as s:
        try:
            return _plan(s, table, mapping, source_label, progress).preview(table, mapping)
        except FileRejected as exc:       # shown in the preview; a new mapping may fix it
            columns = apply_mapping(table.header, mapping, table.index).columns
            return blocked_preview(KIND, table, columns, tuple(table.index.fields), exc.user_message, mapping)


def remap_hours(ws, preview: ImportPreview, mapping: dict[int, str | None],
                progress: Progress = NO_PROGRESS) -> ImportPreview:
    if preview.table is None:
        raise ValueError("preview has no table")
    merged = dict(preview.mapping or {})
    merged.update(mapping)
    return preview_hours(ws, preview.table, mapping=merged, progress=progress)


def commit_hours(ws, preview: ImportPreview, *, skip_invalid: bool = False,
                 source_label: str = SOURCE_IMPORT, progress: Progress = NO_PROGRESS) -> ImportResult:
    if preview.table is None:
        raise ValueError("preview has no table")
    return _run(ws, preview.table, preview.mapping, source_label=source_label, dry_run=False,
                skip_invalid=skip_invalid, progress=progress)


def import_hours(ws, path: Path, *, dry_run: bool = False, skip_invalid: bool = False,
                 mapping: dict[int, str | None] | None = None, source_label: str = SOURCE_IMPORT,
                 error_workbook: bool = True, limits: Limits = DEFAULT_LIMITS,
                 progress: Progress = NO_PROGRESS) -> ImportResult:
    table = read_hours(ws, path, limits=limits, progress=progress)
    result = _run(ws, table, mapping, source_label=source_label, dry_run=dry_run,
                  skip_invalid=skip_invalid, progress=progress)
    from app.services.excel.error_workbook import attach_error_workbook
    return attach_error_workbook(result, table, error_workbook)


# ---------------------------------------------------------------- planning

@dataclass
class _Plan:
    fields: tuple[FieldSpec, ...]
    columns: tuple
    mode: str
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    records: list[tuple[str, dict[str, Any]]] = field(default_factory=list)   # (natural key, values)
    error_rows: set[int] = field(default_factory=set)

    def preview(self, table: Table, mapping: dict[int, str | None] | None) -> ImportPreview:
        return ImportPreview(KIND, table.path, table.sheet, table.header.rows, table.encoding,
                             self.columns, self.fields, tuple(self.rows), tuple(self.errors),
                             tuple(self.warnings), tuple(self.notices), self.mode, table=table,
                             mapping=dict(mapping) if mapping else None)


def _category_lookup(rules: Rules) -> dict[str, str]:
    out = {}
    for key in rules.category_keys:
        for variant in (key, f"{key}学时"):
            out[normalize_header(variant)] = key
    return out


def _plan(s: Session, table: Table, mapping: dict[int, str | None] | None, source_label: str,
          progress: Progress) -> _Plan:
    rules = current_rules(s)
    header = apply_mapping(table.header, mapping, table.index)
    cols = {c.field: c for c in header.columns if c.field}
    cat_cols = {k[4:]: c for k, c in cols.items() if k.startswith("cat:")}
    if "category" in cols and "hours" in cols:
        mode = LONG
    elif cat_cols:
        mode = WIDE
    else:
        raise FileRejected(f"{table.label}中没有找到学时数据列：需要“类别”和“学时”两列，"
                           f"或按类别分列（{'、'.join(rules.category_keys)}）。"
                           "如果列名不同，请在导入预览中指定对应的列。")
    if not any(k in cols for k in ("name", "id_number", "staff_no")):
        raise FileRejected(f"{table.label}中没有找到“姓名”“身份证号”或“工号”列，无法确定学时属于哪位教师。")
    used = [c.index for c in cols.values()] if mode == WIDE else \
        [c.index for k, c in cols.items() if not k.startswith("cat:")]
    table.check_formulas(used)
    plan = _Plan(tuple(table.index.fields), header.columns, mode)
    plan.notices.extend(table.warnings)
    if table.encoding:
        plan.notices.append(ReadingNote(f"文件编码：{table.encoding}"))
    plan.notices.append(ReadingNote("格式：每行一条学时记录（含“类别”列）" if mode == LONG else
                                    "格式：每位教师一行，按类别分列（" + "、".join(cat_cols) + "）"))
    if table.skipped_summary:
        plan.notices.append("已跳过合计/说明行：第 " + "、".join(map(str, table.skipped_summary[:20]))
                            + (" 等" if len(table.skipped_summary) > 20 else "") + " 行")
    ignored = [c.header for c in header.columns if not c.field and c.header]
    if ignored:
        plan.notices.append(ReadingNote("未使用的列：" + "、".join(ignored)))
    if mode == LONG and cat_cols:
        plan.notices.append("文件同时含“类别”列和按类别分列的学时，已按“类别”+“学时”读取。")

    categories = _category_lookup(rules)
    teachers = list(s.exec(select(Teacher)))
    by_id = {t.id_number: t for t in teachers if t.id_number}
    by_staff = {t.staff_no: t for t in teachers if t.staff_no}
    by_name: dict[str, list[Teacher]] = {}
    for t in teachers:
        by_name.setdefault(t.name, []).append(t)
    known_keys = set(s.exec(select(ImportedRow.natural_key)))
    earlier: dict[tuple[int, str], float] = {}
    if mode == WIDE:      # platform summaries are often cumulative: warn before adding on top
        for tid, cat, h in s.exec(select(HoursRecord.teacher_id, HoursRecord.category, HoursRecord.hours)
                                  .where(HoursRecord.source == SOURCE_IMPORT, HoursRecord.topic == "",
                                         HoursRecord.on_date.is_(None))):
            earlier[(tid, cat)] = earlier.get((tid, cat), 0.0) + h
    seen: dict[str, int] = {}
    examples = 0
    cap = rules.record_max

    for i, (n, values) in enumerate(table.rows):
        if i % 200 == 0:
            progress.check()
            if i:
                progress.report(i, len(table.rows), f"正在检查第 {n} 行")
        nvals = len(values)

        def raw(key: str) -> Any:
            c = cols.get(key)
            return values[c.index] if c is not None and c.index < nvals else None

        name_raw = raw("name")
        if (isinstance(raw("note"), str) and raw("note").strip() == EXAMPLE_MARK) or \
                (isinstance(name_raw, str) and name_raw.strip().endswith(("（示例）", "(示例)"))):
            examples += 1
            continue
        problems: list[RowProblem] = []

        def bad(key: str, value: Any, message: str) -> None:
            c = cols.get(key)
            problems.append(RowProblem(n, c.header if c else table.index.label(key),
                                       format_plain(value), message, c.letter if c else "", ERROR))

        teacher = _match_teacher(raw, bad, by_id, by_staff, by_name)
        on_date = None
        d_raw = raw("on_date")
        if d_raw not in (None, ""):
            try:
                on_date = parse_date(d_raw, field="日期")
            except ValidationError as exc:
                bad("on_date", d_raw, exc.user_message)
        topic = (_cell_text(raw, "topic", bad, "专题") or "")[:200]
        note = (_cell_text(raw, "note", bad, "备注", multiline=True) or "")[:500]
        wanted: list[tuple[str, str, float]] = []       # (column key, category, hours)
        if mode == LONG:
            c_raw = raw("category")
            category = categories.get(normalize_header(c_raw)) if c_raw not in (None, "") else None
            if c_raw in (None, ""):
                bad("category", c_raw, f"类别为空，应为：{'、'.join(rules.category_keys)}。")
            elif category is None:
                bad("category", c_raw, f"学时类别“{cell_text(c_raw).strip()}”不属于本校项目方案，"
                                       f"应为：{'、'.join(rules.category_keys)}。")
            h = _hours(raw("hours"), "hours", bad, cap, required=True)
            if category and h is not None:
                wanted.append(("category", category, h))
        else:
            for cat, c in cat_cols.items():
                h = _hours(raw(f"cat:{cat}"), f"cat:{cat}", bad, cap, required=False)
                if h is not None:
                    wanted.append((f"cat:{cat}", cat, h))
            if not wanted and not problems:
                plan.warnings.append(RowProblem(n, "", "", "本行各类别学时均为空或为 0，已跳过。",
                                                "", WARNING))
        if problems:
            plan.errors.extend(problems)
            plan.error_rows.add(n)
            plan.rows.append(PlannedRow(n, ERROR_ROW, {k: format_plain(raw(k)) for k in cols},
                                        teacher.id if teacher else None,
                                        teacher.name if teacher else escape_invisible(cell_text(name_raw).strip())))
            continue
        for col_key, category, h in wanted:
            key = natural_key(teacher_key(teacher), category, topic, on_date, h, source_label)
            values_out = {"teacher_id": teacher.id, "category": category, "topic": topic, "hours": h,
                          "on_date": on_date, "note": note, "row": n}
            if key in known_keys:
                plan.rows.append(PlannedRow(n, UNCHANGED, values_out, teacher.id, teacher.name,
                                            note="已导入过"))
                continue
            first = seen.get(key)
            if first is not None:
                c = cols.get(col_key)
                plan.warnings.append(RowProblem(
                    n, c.header if c else "", format_plain(h),
                    f"与第 {first} 行完全相同（同一教师、类别、专题、日期和学时），只导入一次。",
                    c.letter if c else "", WARNING))
                plan.rows.append(PlannedRow(n, DUPLICATE, values_out, teacher.id, teacher.name,
                                            note=f"与第 {first} 行重复"))
                continue
            seen[key] = n
            before = earlier.get((teacher.id, category), 0.0) if not topic and on_date is None else 0.0
            if before:
                c = cols.get(col_key)
                plan.warnings.append(RowProblem(
                    n, c.header if c else category, format_plain(h),
                    f"{teacher.name}已有从平台导入的{category}学时 {before:g}，本次将再增加 {h:g}。"
                    "如果平台导出的是累计学时，请先在“学时”页面删除旧的导入记录，以免重复计算。",
                    c.letter if c else "", WARNING))
            plan.records.append((key, values_out))
            plan.rows.append(PlannedRow(n, ADD, values_out, teacher.id, teacher.name))
    plan.errors.sort(key=lambda p: (p.row, len(p.letter), p.letter))
    if examples:
        plan.notices.append(f"已跳过模板中的示例行 {examples} 行")
    if not plan.rows and not plan.errors:
        raise FileRejected(f"{table.label}的工作表“{table.sheet}”在表头（第 {table.header.last_row} 行）"
                           "下面没有学时数据。")
    return plan


def _cell_text(raw, key: str, bad, label: str, *, multiline: bool = False, show=cell_text) -> str | None:
    """A text cell trimmed; a control or invisible character in it is this row's error (None)."""
    try:
        return normalize_text(show(raw(key)), label=label, multiline=multiline)
    except ValidationError as exc:
        bad(key, raw(key), exc.user_message)
        return None


def _match_teacher(raw, bad, by_id: dict[str, Teacher], by_staff: dict[str, Teacher],
                   by_name: dict[str, list[Teacher]]) -> Teacher | None:
    name = _cell_text(raw, "name", bad, "姓名")
    if name is None:
        return None
    name = "".join(name.split()) if name and all("\u3400" <= c <= "\u9fff" or c.isspace() for c in name) \
        else name
    id_raw = raw("id_number")
    if id_raw not in (None, "") and not (isinstance(id_raw, str) and not id_raw.strip()):
        if isinstance(id_raw, (int, float)) and not isinstance(id_raw, bool):
            bad("id_number", id_raw, NUMERIC_ID_MESSAGE)
            return None
        try:
            id_number = validate_id_number(id_raw)
        except ValidationError as exc:
            # A checksum typo must not silently fall back to the name.
            bad("id_number", id_raw, exc.user_message)
            return None
        t = by_id.get(id_number)
        if t is None:
            bad("id_number", id_raw, "系统中没有这个身份证号的教师。请先导入或添加该教师，再导入学时。")
            return None
        if name and t.name != name:
            bad("name", raw("name"), f"该身份证号在系统中属于教师“{t.name}”，与本行姓名“{name}”不一致，"
                                     "请核对。")
            return None
        return t
    sn_raw = raw("staff_no")
    staff_no = _cell_text(raw, "staff_no", bad, "工号", show=format_plain) if sn_raw is not None else ""
    if staff_no is None:
        return None
    if staff_no:
        t = by_staff.get(staff_no)
        if t is None:
            bad("staff_no", sn_raw, "系统中没有这个工号的教师。")
            return None
        if name and t.name != name:
            bad("name", raw("name"), f"该工号在系统中属于教师“{t.name}”，与本行姓名“{name}”不一致，请核对。")
            return None
        return t
    if not name:
        bad("name", raw("name"), "姓名为空，且没有身份证号或工号，无法确定是哪位教师。")
        return None
    matches = by_name.get(name, [])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        bad("name", raw("name"), f"系统中没有名为“{name}”的教师。请先导入花名册，或在本行填写身份证号。")
    else:
        bad("name", raw("name"), f"系统中有 {len(matches)} 位教师叫“{name}”，请在本行填写身份证号或工号以区分。")
    return None


def _hours(value: Any, key: str, bad, cap: float, *, required: bool) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            bad(key, value, "学时为空。")
        return None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        for unit in ("学时", "课时", "小时", "h"):
            if text.endswith(unit):
                text = text[:-len(unit)].strip()
        value = text
    if not required:
        try:
            if float(value) == 0:
                return None
        except (TypeError, ValueError):
            pass
    try:
        return validate_hours(value, cap=cap)
    except ValidationError as exc:
        bad(key, value, exc.user_message)
        return None


# ---------------------------------------------------------------- writing

def _run(ws, table: Table, mapping: dict[int, str | None] | None, *, source_label: str,
         dry_run: bool, skip_invalid: bool, progress: Progress) -> ImportResult:
    with ws.sessions() as s:
        plan = _plan(s, table, mapping, source_label, progress)
        result = ImportResult(KIND, table.path, ok=not plan.errors, dry_run=dry_run,
                              errors=list(plan.errors), warnings=list(plan.warnings),
                              notices=list(plan.notices), sheet=table.sheet, encoding=table.encoding)
        result.added = len(plan.records)
        result.unchanged = sum(1 for r in plan.rows if r.action == UNCHANGED)
        result.skipped = len(plan.error_rows)
        if dry_run or (plan.errors and not skip_invalid):
            if plan.errors and not dry_run:
                result.added = result.unchanged = 0
                result.skipped = len({r.row for r in plan.rows})
            s.rollback()
            return result
        if not plan.records:
            return result
        result.backup = backup_before(ws, "import")    # the window and the command line alike
        _apply(s, plan, table, source_label, progress)
        s.commit()
        result.written = True
        return result


def _apply(s: Session, plan: _Plan, table: Table, source_label: str, progress: Progress) -> None:
    stamp = now()
    records = []
    for _key, v in plan.records:
        records.append(HoursRecord(teacher_id=v["teacher_id"], category=v["category"], topic=v["topic"],
                                   hours=v["hours"], on_date=v["on_date"], source=SOURCE_IMPORT,
                                   source_ref=f"{table.path.name} 第{v['row']}行"[:200],
                                   note=v["note"], created_at=stamp))
    s.add_all(records)
    s.flush()
    faults.hit("import.hours.records")
    progress.check()
    s.add_all([ImportedRow(natural_key=key, hours_id=rec.id)
               for (key, _v), rec in zip(plan.records, records)])
    s.flush()
    faults.hit("import.hours.keys")
    s.add(AuditEntry(action="import-hours", detail=json.dumps(
        {"file": table.path.name, "sheet": table.sheet, "added": len(records), "source": source_label,
         "skipped_rows": sorted(plan.error_rows)[:200]}, ensure_ascii=False)))
    progress.check()
    faults.hit("import.hours.before_commit")


__all__ = ["commit_hours", "import_hours", "natural_key", "preview_hours", "read_hours", "remap_hours"]
