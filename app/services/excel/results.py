"""What an import shows before it writes (preview) and what it did (result)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.services.excel.headers import ColumnInfo, FieldSpec
from app.services.excel.table import Table

ERROR = "error"
WARNING = "warning"

ADD, UPDATE, UNCHANGED, ERROR_ROW, SKIP, DUPLICATE = "add", "update", "unchanged", "error", "skip", "duplicate"
ACTION_LABELS = {ADD: "新增", UPDATE: "更新", UNCHANGED: "无变化", ERROR_ROW: "有错误", SKIP: "跳过",
                 DUPLICATE: "重复"}


@dataclass(frozen=True)
class RowProblem:
    """One problem in one cell: the row as Excel shows it, the column, the value and why."""

    row: int
    column: str                   # the header text in the file (or our label when there is no column)
    value: str
    message: str
    letter: str = ""              # column letter, "" when the problem is not tied to one cell
    severity: str = ERROR

    @property
    def cell(self) -> str:
        return f"{self.letter}{self.row}" if self.letter and self.row else ""

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message,
                "cell": self.cell}

    def describe(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        col = f"“{self.column}”列" + (f"（{self.letter} 列）" if self.letter else "") if self.column else ""
        value = f"值“{self.value}”" if self.value else "值为空"
        return f"{where}{col}，{value}：{self.message}"


@dataclass(frozen=True)
class PlannedRow:
    """What committing would do with one row (or one record of a wide hours row)."""

    row: int
    action: str                   # add | update | unchanged | error | skip | duplicate
    values: dict[str, Any]        # clean values by field key (raw text for error rows)
    teacher_id: int | None = None
    teacher_name: str = ""
    changes: tuple[str, ...] = ()  # labels of fields an update changes
    note: str = ""

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


class ReadingNote(str):
    """A notice about how the file was read (encoding, layout, unused columns): the preview
    shows it; a summary of what was imported need not repeat it."""


@dataclass(frozen=True)
class ImportBlocker:
    """Why 导入 cannot go ahead yet: "mapping" (choose what a column is), "errors" (rows with
    errors and skipping them not chosen) or "nothing" (every row already there)."""

    kind: str
    message: str


@dataclass(frozen=True)
class ImportPreview:
    """Everything the GUI's import preview shows; nothing has been written.

    Re-check with another column mapping through `remap_roster` / `remap_hours`,
    then hand it to `commit_roster` / `commit_hours`.
    """

    kind: str                     # "roster" | "hours"
    path: Path
    sheet: str
    header_rows: tuple[int, ...]
    encoding: str | None
    columns: tuple[ColumnInfo, ...]
    fields: tuple[FieldSpec, ...]
    rows: tuple[PlannedRow, ...]
    errors: tuple[RowProblem, ...]
    warnings: tuple[RowProblem, ...]
    notices: tuple[str, ...]      # file-level remarks (encoding, skipped 合计 rows, new 教学点 …)
    mode: str = ""                # hours only: "long" | "wide"
    blocked: str | None = None    # a file-level problem (e.g. no 身份证号 column): fix the mapping first
    table: Table | None = field(default=None, repr=False, compare=False)
    mapping: dict[int, str | None] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.blocked

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def error_rows(self) -> list[int]:
        return sorted({p.row for p in self.errors if p.row})

    @property
    def recognised(self) -> dict[str, str]:
        """field key → column header, for the columns that will be read."""
        return {c.field: c.header for c in self.columns if c.field}

    @property
    def ignored(self) -> list[ColumnInfo]:
        return [c for c in self.columns if not c.field]

    @property
    def field_choices(self) -> list[tuple[str, str]]:
        """(key, label) pairs a mapping combo box offers (plus "不导入" for None)."""
        return [(f.key, f.label) for f in self.fields]

    def reassign(self, column_index: int, key: str | None) -> dict[int, str | None]:
        """The mapping change for "read column `column_index` as `key`" (None: not at all): a field
        is read from one column only, so the column that had it lets it go."""
        change: dict[int, str | None] = {column_index: key}
        if key:
            for col in self.columns:
                if col.field == key and col.index != column_index:
                    change[col.index] = None
        return change

    def blocker(self, skip_invalid: bool) -> ImportBlocker | None:
        """What stops an import of this preview (None: 导入 can go ahead)."""
        if self.blocked:
            return ImportBlocker("mapping", "请先指定各列对应的项目。")
        if self.errors and not skip_invalid:
            return ImportBlocker("errors", f"有 {len(self.error_rows) or len(self.errors)} 行有错误")
        if self.count(ADD) + self.count(UPDATE) == 0:
            return ImportBlocker("nothing", "没有需要导入的内容：" + ("文件中的学时都已导入过。" if self.kind == "hours"
                                                                else "文件中的教师信息与系统中的一致。"))
        return None


@dataclass
class ImportResult:
    kind: str
    path: Path
    ok: bool
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0              # invalid rows left out (with --skip-invalid), or all when refused
    written: bool = False
    dry_run: bool = False
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    error_workbook: Path | None = None
    sheet: str = ""
    encoding: str | None = None
    backup: Path | None = None    # the database backup taken just before writing (None: nothing written)

    @property
    def outcome_notices(self) -> list[str]:
        """The notices a summary of the import shows (not how the file was read)."""
        return [n for n in self.notices if not isinstance(n, ReadingNote)]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "skipped": self.skipped, "written": self.written,
                "dry_run": self.dry_run, "file": str(self.path), "sheet": self.sheet,
                "encoding": self.encoding,
                "errors": [p.to_dict() for p in self.errors],
                "warnings": [p.to_dict() for p in self.warnings],
                "notices": list(self.notices),
                "error_workbook": str(self.error_workbook) if self.error_workbook else None,
                "backup": str(self.backup) if self.backup else None}

    @property
    def cli_hint(self) -> str:
        """What to type to import the correct rows of a refused file (the window has a check box)."""
        if self.errors and not self.written and not self.dry_run:
            return "只导入正确的行：命令行加 --skip-invalid。"
        return ""

    def summary(self) -> str:
        what = "教师" if self.kind == "roster" else "条学时记录"
        unit = "人" if self.kind == "roster" else "条"
        if self.kind == "roster":
            counts = f"新增 {self.added} {unit}，更新 {self.updated} {unit}，无变化 {self.unchanged} {unit}"
        else:
            counts = f"新增 {self.added} {unit}，已导入过（跳过）{self.unchanged} {unit}"
        if self.dry_run:
            head = "试导入（未写入任何数据）"
        elif self.written:
            head = "导入完成"
        else:
            head = "未导入"
        tail = ""
        if self.errors:
            rows = len({p.row for p in self.errors})
            tail = f"；{rows} 行有错误（共 {len(self.errors)} 处）"
            if self.written:
                tail += f"，已跳过 {self.skipped} 行"
            elif not self.dry_run:
                tail += "，为保证数据完整，整个文件都没有导入。请改正后重新导入，或只导入正确的行"
        del what
        return f"{head}：{counts}{tail}。"


def blocked_preview(kind: str, table: Table, columns: tuple[ColumnInfo, ...], fields: tuple[FieldSpec, ...],
                    message: str, mapping: dict[int, str | None] | None) -> ImportPreview:
    """A preview that cannot go further until the user changes the column mapping (or the file)."""
    return ImportPreview(kind, table.path, table.sheet, table.header.rows, table.encoding, columns, fields,
                         (), (), (), tuple(table.warnings), blocked=message, table=table,
                         mapping=dict(mapping) if mapping else None)
