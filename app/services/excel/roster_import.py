"""Import a teacher roster (花名册) from our template or another system's export.

Three steps, so the GUI can show a preview and let the user fix the column
mapping before anything is written:

    preview = preview_roster(ws, path)                 # read + check every row
    preview = remap_roster(ws, preview, {4: "phone"})  # optional: change the mapping
    result  = commit_roster(ws, preview)               # one transaction, or nothing

`import_roster()` does all three for the CLI. Every row is checked before
anything is written and all problems are reported together. Teachers are
matched by ID number; a teacher already in the database with the same ID but
another name is a conflict, never merged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import ValidationError
from app.services import faults
from app.services.backup.automatic import backup_before
from app.services.excel.plain import format_plain
from app.services.excel.fields import (EXAMPLE_MARK, GENDER_SYNONYMS, ROSTER_FIELDS, STAFF_TYPE_SYNONYMS,
                                       STATUS_SYNONYMS)
from app.services.excel.headers import ColumnInfo, apply_mapping
from app.services.excel.readers import cell_text
from app.services.excel.results import (ADD, ERROR, ERROR_ROW, UNCHANGED, UPDATE, WARNING, ImportPreview,
                                        ImportResult, PlannedRow, ReadingNote, RowProblem, blocked_preview)
from app.services.excel.roster_db import (TEACHER_ATTRS, EarlyState, Known, RosterState, add_points, audit,
                                          data_version, group_ids, insert_teachers, load_state, update_teachers)
from app.services.excel.safety import DEFAULT_LIMITS, FileRejected, Limits
from app.services.excel.roster_read import read_roster, read_with_teachers
from app.services.excel.table import Table
from app.services.progress import NO_PROGRESS, Progress
from app.services.teacher_rules import GENDERS, check_exempt_reason, gender_for_id
from app.services.validation import normalize_text, parse_date, validate_id_number, validate_phone
from app.vocab import STAFF_TYPES, STATUS_ACTIVE, STATUSES

KIND = "roster"
LABELS = {f.key: f.label for f in ROSTER_FIELDS}
TEXT_FIELDS = ("subject", "stage", "title", "teaching_point", "group", "status_reason", "note")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d{1,2}$")
_CJK_SPACES = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_SPACES = re.compile(r"\s+")
_FULLWIDTH = re.compile("[\uff01-\uff5e]")
NUMERIC_ID_MESSAGE = ("身份证号被存成了数字，Excel 只保留15位有效数字，末尾几位已经丢失（无法自动恢复）。"
                      "请把该列设为“文本”格式后重新填写完整的18位号码。")


# ---------------------------------------------------------------- public API

def preview_roster(ws, source: Path | Table, *, mapping: dict[int, str | None] | None = None,
                   limits: Limits = DEFAULT_LIMITS, progress: Progress = NO_PROGRESS) -> ImportPreview:
    """Read (unless given a Table) and check every row against the database; writes nothing."""
    table = source if isinstance(source, Table) else read_roster(source, limits=limits, progress=progress)
    with ws.transaction() as conn:
        state = load_state(conn)
    try:
        return _plan(state, table, mapping, progress).preview(table, mapping)
    except FileRejected as exc:       # shown in the preview; a new mapping may fix it
        columns = apply_mapping(table.header, mapping, table.index).columns
        return blocked_preview(KIND, table, columns, ROSTER_FIELDS, exc.user_message, mapping)


def remap_roster(ws, preview: ImportPreview, mapping: dict[int, str | None],
                 progress: Progress = NO_PROGRESS) -> ImportPreview:
    """Check the same rows again with the user's column mapping (column index → field key or None)."""
    if preview.table is None:
        raise ValueError("preview has no table")
    merged = dict(preview.mapping or {})
    merged.update(mapping)
    return preview_roster(ws, preview.table, mapping=merged, progress=progress)


def commit_roster(ws, preview: ImportPreview, *, skip_invalid: bool = False,
                  progress: Progress = NO_PROGRESS) -> ImportResult:
    """Write the previewed rows in one transaction (rows are checked again inside it)."""
    if preview.table is None:
        raise ValueError("preview has no table")
    return _run(ws, preview.table, preview.mapping, dry_run=False, skip_invalid=skip_invalid,
                progress=progress)


def import_roster(ws, source: Path | Table, *, dry_run: bool = False, skip_invalid: bool = False,
                  mapping: dict[int, str | None] | None = None, error_workbook: bool = True,
                  limits: Limits = DEFAULT_LIMITS, progress: Progress = NO_PROGRESS,
                  early: EarlyState | None = None) -> ImportResult:
    """Read (unless given a Table), check and (unless dry_run or any row is invalid) write; for the
    CLI. A file is parsed while the teachers are read (EarlyState); `early`: one the caller made
    while it read the Table itself."""
    def run(table: Table, early: EarlyState | None) -> ImportResult:
        return _run(ws, table, mapping, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress,
                    early=early)

    if isinstance(source, Table):
        result = run(source, early)
    else:
        with read_with_teachers(source, lambda: ws, limits=limits, progress=progress,
                                backup=not dry_run) as (source, early):
            result = run(source, early)
    if error_workbook and result.errors:       # openpyxl only when there is a workbook to write
        from app.services.excel.error_workbook import attach_error_workbook
        attach_error_workbook(result, source, error_workbook)
    return result


# ---------------------------------------------------------------- planning

@dataclass
class _Plan:
    header_columns: tuple[ColumnInfo, ...]
    # PlannedRow's fields as a tuple: the row objects are made only for a preview (5,000 frozen
    # dataclasses took 4 ms, a tenth of the checks, and the command line never shows them)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    adds: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)    # (teacher id, values)
    new_points: list[str] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)

    def preview(self, table: Table, mapping: dict[int, str | None] | None) -> ImportPreview:
        return ImportPreview(KIND, table.path, table.sheet, table.header.rows, table.encoding,
                             self.header_columns, ROSTER_FIELDS, tuple(PlannedRow(*r) for r in self.rows),
                             tuple(self.errors),
                             tuple(self.warnings), tuple(self.notices), table=table,
                             mapping=dict(mapping) if mapping else None)


def _clean_name(raw: Any) -> str:
    name = normalize_text(raw, label="姓名")
    name = unicodedata.normalize("NFKC", name) if _FULLWIDTH.search(name) else name
    return _CJK_SPACES.sub("", name) if not name.isalnum() else name   # "王  芳" typed to line up names


COMPARED = (*TEACHER_ATTRS, "teaching_point", "group")
ENUMS = (("gender", GENDER_SYNONYMS, GENDERS), ("staff_type", STAFF_TYPE_SYNONYMS, STAFF_TYPES),
         ("status", STATUS_SYNONYMS, STATUSES))


def _new_teacher(c: dict[str, Any], school_stage: str) -> dict[str, Any]:
    """A new teacher's fields from the row's (`c`, each already checked on its own by _plan),
    completed as teacher_rules.validate_teacher_fields completes them (the school's stage for a
    row without one), with the rules between fields."""
    get = c.get
    status = get("status") or STATUS_ACTIVE
    reason = get("status_reason") or ""
    out = {"name": c["name"], "id_number": c["id_number"], "gender": gender_for_id(get("gender") or "", c["id_number"]),
           "phone": get("phone") or "", "staff_type": get("staff_type") or "在编", "status": status,
           "status_reason": reason, "staff_no": get("staff_no") or None, "retire_date": get("retire_date"),
           "subject": get("subject") or "", "stage": get("stage") or school_stage or "", "title": get("title") or "",
           "teaching_point": get("teaching_point") or "", "group": get("group") or "", "note": get("note") or "",
           "participation": ""}
    check_exempt_reason(status, reason)
    return out


def _plan(state: RosterState, table: Table, mapping: dict[int, str | None] | None,
          progress: Progress) -> _Plan:
    header = apply_mapping(table.header, mapping, table.index)
    cols = {c.field: c for c in header.columns if c.field}
    plan = _Plan(header.columns)
    missing = [LABELS[k] for k in ("name", "id_number") if k not in cols]
    if missing:
        raise FileRejected(f"{table.label}中没有找到“{'”“'.join(missing)}”列（表头在第 "
                           f"{'、'.join(str(r) for r in header.rows)} 行）。花名册必须有姓名和身份证号两列；"
                           "如果列名不同，请在导入预览中指定对应的列。")
    table.check_formulas([c.index for c in cols.values()])
    plan.notices.extend(table.warnings)
    if table.encoding:
        plan.notices.append(ReadingNote(f"文件编码：{table.encoding}"))
    if table.skipped_summary:
        plan.notices.append("已跳过合计/说明行：第 " + "、".join(map(str, table.skipped_summary[:20]))
                            + (" 等" if len(table.skipped_summary) > 20 else "") + " 行")
    ignored = [c.header for c in header.columns if not c.field and c.header]
    if ignored:
        plan.notices.append(ReadingNote("未使用的列：" + "、".join(ignored)))

    teachers = state.teachers
    point_ids = {name: pid for pid, name in state.points.items()}
    group_ids_ = {name: gid for gid, name in state.groups.items()}
    by_id = {t.id_number: t for t in teachers if t.id_number}
    by_staff_no = {t.staff_no: t for t in teachers if t.staff_no}
    no_id_by_name: dict[str, list[Known]] = {}
    for t in teachers:
        if not t.id_number:
            no_id_by_name.setdefault(t.name, []).append(t)
    seen_ids: dict[str, int] = {}
    seen_staff: dict[str, int] = {}
    claimed: set[int] = set()
    new_points: dict[str, int] = {}
    examples = 0
    school_stage = state.school_stage
    stage_defaulted = 0
    today = date.today()                       # (not once a row)
    # Each field's position once, and rows padded to the widest one used, so that a cell is one
    # index (the checks run 5,000 times and more).
    at = {key: c.index for key, c in cols.items()}
    width = max(at.values()) + 1
    pad = (None,) * width
    enums = [(key, synonyms, allowed, at[key]) for key, synonyms, allowed in ENUMS if key in at]
    texts = [(key, at[key]) for key in TEXT_FIELDS if key in at]
    name_at, id_at = at["name"], at["id_number"]
    note_at = at.get("note")
    phone_at, staff_at, retire_at = at.get("phone"), at.get("staff_no"), at.get("retire_date")

    # (defined once: they read the current row's `n`, `row` and `problems`)
    def raw(key: str) -> Any:
        c = at.get(key)
        return row[c] if c is not None else None

    def bad(key: str, value: Any, message: str, severity: str = ERROR) -> None:
        c = cols.get(key)
        p = RowProblem(n, c.header if c else LABELS.get(key, key), format_plain(value), message,
                       c.letter if c else "", severity)
        (problems if severity == ERROR else plan.warnings).append(p)

    for i, (n, values) in enumerate(table.rows):
        if i % 200 == 0:
            progress.check()
            if i:
                progress.report(i, len(table.rows), f"正在检查第 {n} 行")
        row = values if len(values) >= width else values + pad[len(values):]
        name_raw = row[name_at]
        if _is_example(name_raw, row[note_at] if note_at is not None else None):
            examples += 1
            continue
        problems: list[RowProblem] = []
        clean: dict[str, Any] = {}
        # -- name
        try:
            name = _clean_name(name_raw)
        except ValidationError as exc:
            name = None
            bad("name", name_raw, exc.user_message)
        if name is None:
            pass
        elif not name:
            bad("name", name_raw, "姓名为空。")
        elif len(name) > 30 or (not name.isalpha() and any(ch.isdigit() for ch in name)):
            bad("name", name_raw, "姓名不正确（不能含数字，最多30个字）。")
        else:
            clean["name"] = name
        # -- ID number
        id_raw = row[id_at]
        id_number = None
        if id_raw is None or (isinstance(id_raw, str) and not id_raw.strip()):
            bad("id_number", id_raw, "身份证号为空。导入花名册时按身份证号识别教师，必须填写。")
        elif isinstance(id_raw, (int, float)) and not isinstance(id_raw, bool):
            bad("id_number", id_raw, NUMERIC_ID_MESSAGE)
        elif isinstance(id_raw, str) and "e" in id_raw.lower() and _SCIENTIFIC.match(id_raw.strip()):
            bad("id_number", id_raw, "身份证号显示为科学计数法，说明它曾被存成数字，末尾几位已经丢失（无法自动恢复）。"
                                     "请把该列设为“文本”格式后重新填写完整的18位号码。")
        else:
            try:
                id_number = validate_id_number(id_raw, today=today)
                clean["id_number"] = id_number
            except ValidationError as exc:
                bad("id_number", id_raw, exc.user_message)
        # -- enumerations
        for key, synonyms, allowed, c in enums:
            value = row[c]
            if value is None:
                continue
            canon = synonyms.get(value) if type(value) is str else None   # as typed: the usual case
            if canon is None:
                text = _enum_text(value)
                if not text:
                    continue
                canon = synonyms.get(text) or synonyms.get(text.lower())
            if canon is None:
                bad(key, value, f"{LABELS[key]}应为：{'、'.join(allowed)}。")
            else:
                clean[key] = canon
        # -- phone
        phone_raw = row[phone_at] if phone_at is not None else None
        if phone_raw not in (None, ""):
            try:
                phone = validate_phone(phone_raw)
                if phone:
                    clean["phone"] = phone
            except ValidationError as exc:
                bad("phone", phone_raw, exc.user_message)
        # -- 工号
        sn_raw = row[staff_at] if staff_at is not None else None
        try:
            staff_no = "" if sn_raw is None else normalize_text(
                sn_raw if sn_raw.__class__ is str else format_plain(sn_raw), label="工号")
        except ValidationError as exc:
            staff_no = ""
            bad("staff_no", sn_raw, exc.user_message)
        if staff_no:
            if len(staff_no) > 20:
                bad("staff_no", sn_raw, "工号过长（最多20位）。")
            else:
                clean["staff_no"] = staff_no
        # -- dates and free text
        rd_raw = row[retire_at] if retire_at is not None else None
        if rd_raw not in (None, ""):
            try:
                clean["retire_date"] = parse_date(rd_raw, field="退休日期")
            except ValidationError as exc:
                bad("retire_date", rd_raw, exc.user_message)
        for key, c in texts:
            value = row[c]
            if value is None:
                continue
            # plain printable text is what normalize_text returns stripped (the usual case, inline)
            text = value.strip() if value.__class__ is str and "\u3000" not in value else None
            if text is None or not text.isprintable():
                try:
                    text = normalize_text(cell_text(value), label=LABELS[key], multiline=key == "note")
                except ValidationError as exc:
                    bad(key, value, exc.user_message)
                    continue
            if text:
                if len(text) > 200:
                    bad(key, value, f"{LABELS[key]}过长（最多200字）。")
                    continue
                clean[key] = text
        if "group" in clean and clean["group"] not in group_ids_:
            bad("group", raw("group"), f"学科研修组“{clean['group']}”不存在，请先在“团队”页面建立，"
                                       "或清空该单元格。")

        # -- duplicates inside the file and identity against the database
        existing: Known | None = None
        if id_number:
            first = seen_ids.get(id_number)
            if first is not None:
                bad("id_number", id_raw, f"与第 {first} 行的身份证号相同：同一位教师在文件中出现了两次，"
                                         "请删除重复的一行。")
            else:
                seen_ids[id_number] = n
            existing = by_id.get(id_number)
            if existing is not None and "name" in clean and existing.name != clean["name"]:
                bad("name", name_raw, f"该身份证号在系统中属于教师“{existing.name}”，与本行姓名“{clean['name']}”"
                                      "不一致。为防止把两个人的信息合并，本行不会导入；请核对姓名或身份证号"
                                      "（如确需改名，请在“教师”页面修改）。")
        if staff_no and "staff_no" in clean:
            first = seen_staff.get(staff_no)
            if first is not None:
                bad("staff_no", sn_raw, f"与第 {first} 行的工号相同，工号不能重复。")
            else:
                seen_staff[staff_no] = n
            owner = by_staff_no.get(staff_no)
            if owner is not None and existing is None and owner.id_number and owner.id_number != id_number:
                bad("staff_no", sn_raw, f"工号 {staff_no} 在系统中已属于教师“{owner.name}”（身份证号不同）。")
            elif owner is not None and existing is not None and owner.id != existing.id:
                bad("staff_no", sn_raw, f"工号 {staff_no} 在系统中已属于教师“{owner.name}”。")
        if existing is None and id_number and "name" in clean and not problems:
            candidate = None
            owner = by_staff_no.get(staff_no) if staff_no else None
            if owner is not None and not owner.id_number and owner.name == clean["name"]:
                candidate = owner
            elif no_id_by_name:
                same = [t for t in no_id_by_name.get(clean["name"], ()) if t.id not in claimed]
                if len(same) == 1:
                    candidate = same[0]
            if candidate is not None:
                existing = candidate
                claimed.add(candidate.id)
                bad("name", name_raw, f"系统中的教师“{candidate.name}”尚未登记身份证号，已按姓名匹配为同一人，"
                                      "将补充身份证号；如不是同一人，请先在“教师”页面区分。", WARNING)

        if problems:
            plan.errors.extend(problems)
            plan.error_rows.add(n)
            plan.rows.append((n, ERROR_ROW, {k: format_plain(raw(k)) for k in cols},
                              existing.id if existing else None, existing.name if existing else (name or "")))
            continue

        # -- merge with what the database has, then the rules between fields
        base = existing.values if existing is not None else None
        try:
            if base is not None:
                merged = dict(base)
                merged.update(clean)                             # (only what the row gives)
                if any((base.get(k) or "") != (v or "") for k, v in clean.items()):
                    from app.services.teacher_rules import validate_teacher_fields
                    final = validate_teacher_fields(merged)     # stored values are checked again too
                else:
                    final = merged                               # nothing to write, nothing to check
            else:
                final = _new_teacher(clean, school_stage)
        except ValidationError as exc:
            key = exc.field if exc.field in cols else \
                "status" if exc.field == "status_reason" and "status" in cols else \
                "id_number" if exc.field == "gender" else "name"
            bad(key, raw(key), exc.user_message)
            plan.errors.extend(problems)
            plan.error_rows.add(n)
            plan.rows.append((n, ERROR_ROW, {k: format_plain(raw(k)) for k in cols},
                              existing.id if existing else None, name))
            continue
        point = final.get("teaching_point") or ""
        if point and point not in point_ids and point not in new_points:
            new_points[point] = n
            plan.new_points.append(point)
        if existing is None:
            if school_stage and not clean.get("stage"):
                stage_defaulted += 1
            plan.adds.append(final)
            plan.rows.append((n, ADD, final, None, final["name"]))
        else:
            changes = () if final is merged else \
                tuple(LABELS.get(k, k) for k in COMPARED if _differs(base.get(k), final.get(k)))
            if changes:
                plan.updates.append((existing.id, final))
                plan.rows.append((n, UPDATE, final, existing.id, existing.name, changes))
            else:
                plan.rows.append((n, UNCHANGED, final, existing.id, existing.name))
    plan.errors.sort(key=lambda p: (p.row, len(p.letter), p.letter))
    if stage_defaulted:
        plan.notices.append(f"{stage_defaulted} 位新教师没有填写学段，已按本校学段“{school_stage}”填写。")
    if examples:
        plan.notices.append(f"已跳过模板中的示例行 {examples} 行")
    if plan.new_points:
        plan.notices.append("将新建教学点：" + "、".join(plan.new_points))
    if not plan.rows and not plan.errors:
        raise FileRejected(f"{table.label}的工作表“{table.sheet}”在表头（第 {table.header.last_row} 行）"
                           "下面没有教师数据。")
    return plan


def _enum_text(value: Any) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", cell_text(value))) if value is not None else ""


def _is_example(name: Any, note: Any) -> bool:
    if isinstance(note, str) and note.strip() == EXAMPLE_MARK:
        return True
    return isinstance(name, str) and name.strip().endswith(("（示例）", "(示例)"))


def _differs(a: Any, b: Any) -> bool:
    return (a or "") != (b or "")


# ---------------------------------------------------------------- writing

def _run(ws, table: Table, mapping: dict[int, str | None] | None, *, dry_run: bool,
         skip_invalid: bool, progress: Progress, early: EarlyState | None = None) -> ImportResult:
    # One transaction (BEGIN IMMEDIATE) from reading the teachers to writing them, so that the
    # rows are checked against what is written next to them; committed only if it wrote. A state
    # read earlier on the same connection (and the backup taken then) stands in only if no one
    # has committed since.
    read = early.read if early is not None else None
    with ws.transaction(early.conn if early is not None else None) as conn:
        current = read is not None and data_version(conn) == read[0]
        state = read[1] if current else load_state(conn)
        plan = _plan(state, table, mapping, progress)
        result = ImportResult(KIND, table.path, ok=not plan.errors, dry_run=dry_run,
                              errors=list(plan.errors), warnings=list(plan.warnings),
                              notices=list(plan.notices), sheet=table.sheet, encoding=table.encoding)
        result.added = len(plan.adds)
        result.updated = len(plan.updates)
        result.unchanged = sum(1 for r in plan.rows if r[1] == UNCHANGED)
        result.skipped = len(plan.error_rows)
        if dry_run or (plan.errors and not skip_invalid):
            if plan.errors and not dry_run:
                result.added = result.updated = result.unchanged = 0
                result.skipped = len(plan.rows)
            return result
        if not plan.adds and not plan.updates:
            return result
        # (the window and the command line alike)
        result.backup = early.adopt_backup() if current and early.backup is not None else backup_before(ws, "import")
        _apply(conn, plan, table, progress)
    result.written = True
    return result


def _apply(conn, plan: _Plan, table: Table, progress: Progress) -> None:
    point_ids = add_points(conn, plan.new_points)
    groups = group_ids(conn)
    faults.hit("import.roster.points")
    stamp = now()
    progress.check()
    insert_teachers(conn, plan.adds, point_ids, groups, stamp)
    faults.hit("import.roster.added")
    progress.report(len(plan.adds), len(plan.adds) + len(plan.updates), "正在写入教师")
    update_teachers(conn, plan.updates, point_ids, groups, stamp)
    faults.hit("import.roster.updated")
    audit(conn, "import-roster", json.dumps(
        {"file": table.path.name, "sheet": table.sheet, "added": len(plan.adds),
         "updated": len(plan.updates), "skipped_rows": sorted(plan.error_rows)[:200]},
        ensure_ascii=False), stamp)
    progress.check()
    faults.hit("import.roster.before_commit")


def now():
    """Local wall-clock time, second precision (as app.models.base.now)."""
    from datetime import datetime
    return datetime.now().replace(microsecond=0)


__all__ = ["commit_roster", "import_roster", "preview_roster", "read_roster", "remap_roster",
           "NUMERIC_ID_MESSAGE"]
