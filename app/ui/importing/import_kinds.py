"""What differs between importing a roster (花名册) and hours (学时): facade operations and words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.services.excel import ImportPreview, ImportResult
from app.services.excel.results import ADD, DUPLICATE, ERROR_ROW, SKIP, UNCHANGED, UPDATE

FILE_FILTER = "Excel 或 CSV 表格 (*.xlsx *.xlsm *.xls *.csv);;所有文件 (*)"
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


@dataclass(frozen=True)
class ImportKind:
    key: str                                   # "roster" | "hours"
    title: str                                 # dialog and progress titles
    noun: str                                  # 花名册 / 学时表
    unit: str                                  # 人 / 条
    template_name: str                         # suggested file name of the template
    steps: tuple[str, ...]

    def op(self, api, step: str) -> Callable:
        """The import facade's "preview" / "remap" / "commit" for this kind (call it in a work function);
        a commit says what it changed, and the runner tells the pages."""
        return getattr(api.importing, f"{step}_{self.key}")

    def counts_html(self, preview: ImportPreview, rows) -> str:
        """"共 12 行：新增 10 人 · 有错误 2 行（共 3 处）…", coloured like the table."""
        from app.ui.style import ACCENT, BAD, MUTED, OK, WARN
        n_rows = len(rows)
        parts = []
        unchanged = "已导入过" if self.key == "hours" else "无变化"
        for action, label, colour in ((ADD, "新增", OK), (UPDATE, "更新", ACCENT), (UNCHANGED, unchanged, MUTED),
                                      (DUPLICATE, "文件内重复", MUTED)):
            n = preview.count(action)
            if n:
                parts.append(f'<span style="color:{colour}">{label} <b>{n}</b> {self.unit}</span>')
        errors = sum(1 for r in rows if r.action == ERROR_ROW)
        if errors:
            parts.append(f'<span style="color:{BAD}">有错误 <b>{errors}</b> 行（共 {len(preview.errors)} 处）</span>')
        if preview.warnings:
            parts.append(f'<span style="color:{WARN}">提醒 {len(preview.warnings)} 处</span>')
        skipped = sum(1 for r in rows if r.action == SKIP) if not preview.blocked else 0
        if skipped:
            parts.append(f'<span style="color:{MUTED}">跳过 {skipped} 行</span>')
        return f"共 {n_rows} 行数据：" + " · ".join(parts) if parts else f"共 {n_rows} 行数据。"


ROSTER = ImportKind(
    key="roster", title="导入教师花名册", noun="花名册", unit="人", template_name="教师花名册导入模板.xlsx",
    steps=("下载导入模板，按模板填写；其他系统导出的花名册也可以直接导入，列名不同时可在预览中指定。",
           "选择填好的表格文件（.xlsx、.xls 或 .csv）。",
           "检查预览：每一行将“新增”“更新”还是“无变化”，出错的单元格标成红色，鼠标停在上面可看原因。",
           "点“导入”。教师按身份证号识别，同一文件重复导入不会产生重复的教师。"))

HOURS = ImportKind(
    key="hours", title="导入学时", noun="学时表", unit="条", template_name="学时导入模板.xlsx",
    steps=("下载导入模板按模板填写，或直接使用研修平台导出的学时表（每行一条记录，或每位教师一行、每个类别一列）。",
           "选择表格文件（.xlsx、.xls 或 .csv）。",
           "检查预览：教师按身份证号、工号或姓名匹配；出错的单元格标成红色，鼠标停在上面可看原因。",
           "点“导入”。已导入过的记录会自动跳过，同一文件重复导入不会重复计算学时。"))

KINDS = {"roster": ROSTER, "hours": HOURS}


def result_text(kind: ImportKind, result: ImportResult, before_backup) -> tuple[str, str]:
    """(headline, details) for the summary page, in the user's words (no command-line options)."""
    if result.written:
        head = "导入完成"
        if kind.key == "roster":
            text = f"新增 {result.added} 位教师，更新 {result.updated} 位，{result.unchanged} 位无变化。"
        else:
            text = f"新增 {result.added} 条学时记录" + (f"；{result.unchanged} 条以前已导入过，已跳过" if result.unchanged
                                                   else "") + "。"
        if result.errors:
            text += f"\n有错误的 {result.skipped} 行没有导入。"
            if result.error_workbook is not None:
                text += (f"这些行已另存为错误标注表（出错的单元格标成红色并附原因）：\n{result.error_workbook}\n"
                         "按它改正后重新导入即可（已导入的行不会重复）。")
            else:
                text += "可点“保存错误标注表…”查看并改正，改正后再次导入这些行即可（已导入的行不会重复）。"
    elif result.errors:
        head = "未导入"
        rows = len({p.row for p in result.errors})
        text = (f"{rows} 行有错误（共 {len(result.errors)} 处），为保证数据完整，整个文件都没有导入。"
                "请改正后重新导入，或勾选“只导入无误的行”。")
    else:
        head = "没有需要导入的内容"
        text = ("文件中的学时都已导入过，没有写入任何数据。" if kind.key == "hours"
                else "文件中的教师信息与系统中的一致，没有写入任何数据。")
    if result.written and before_backup is not None:
        text += f"\n\n导入前已自动备份原有数据（{before_backup.name}），如需撤销，可在“文件 › 备份与恢复”中恢复。"
    return head, text
