"""Import templates (导入模板) for the roster and for hours.

What offices know from other systems' templates: one data sheet with a frozen
header, one example row (skipped on import), drop-down lists, the ID column
stored as text, and a 说明 sheet ("请不要删除使用说明"). Long lists live on a
hidden 选项 sheet because Excel refuses inline lists over 255 characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import app.services.excel.xl  # noqa: F401,I001 (openpyxl as this app loads it, before any openpyxl import)
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.errors import ValidationError
from app.models.teacher import GENDERS, STAFF_TYPES, STATUSES
from app.services.excel.cells import TEXT_FORMAT, fit_widths, print_setup, put, save_workbook, write_header
from app.services.excel.fields import EXAMPLE_MARK, STAGES, SUBJECTS, TITLES

INPUT_ROWS = 1000                   # rows prepared with formats and drop-downs
EXAMPLE_FONT = Font(color="808080", italic=True)
INLINE_LIMIT = 255
EXAMPLE_ID = "11010519491231002X"   # the example of GB 11643-1999 itself

ROSTER_COLUMNS = ("姓名", "性别", "身份证号", "联系电话", "任教学科", "学段", "编制类型", "职称", "工号",
                  "教学点", "学科研修组", "状态", "状态说明", "备注")
ROSTER_REQUIRED = ("姓名", "身份证号")
ROSTER_TEXT = ("身份证号", "联系电话", "工号")
HOURS_COLUMNS = ("姓名", "身份证号", "工号", "类别", "专题", "学时", "日期", "备注")
HOURS_REQUIRED = ("姓名", "类别", "学时")


class _Lists:
    """Drop-down values: inline when short, else on the hidden 选项 sheet."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.sheet: Worksheet | None = None
        self.next_col = 1

    def formula(self, title: str, values: Sequence[str], *, on_sheet: bool = False) -> str:
        values = [v for v in dict.fromkeys(values) if v]
        inline = ",".join(values)
        if not on_sheet and len(inline) + 2 <= INLINE_LIMIT and '"' not in inline:
            if not any("," in v for v in values):
                return f'"{inline}"'
        if self.sheet is None:
            self.sheet = self.wb.create_sheet("选项")
            self.sheet.sheet_state = "hidden"
        col = get_column_letter(self.next_col)
        put(self.sheet.cell(row=1, column=self.next_col), title)
        for r, v in enumerate(values, 2):
            put(self.sheet.cell(row=r, column=self.next_col), v)
        self.next_col += 1
        return f"'选项'!${col}$2:${col}${len(values) + 1}"


def _dropdown(ws: Worksheet, lists: _Lists, column: int, title: str, values: Sequence[str], *,
              strict: bool = True, on_sheet: bool = False) -> None:
    """A drop-down; lists that grow (学科, 教学点, 研修组) live on the hidden 选项 sheet."""
    if not values:
        return
    letter = get_column_letter(column)
    dv = DataValidation(type="list", formula1=lists.formula(title, values, on_sheet=on_sheet),
                        allow_blank=True,
                        showDropDown=False, showErrorMessage=strict,
                        errorStyle="stop" if strict else "warning",
                        errorTitle="输入有误", error=f"请从下拉列表中选择{title}。",
                        promptTitle=title, prompt=f"请从下拉列表中选择{title}", showInputMessage=True)
    dv.add(f"{letter}2:{letter}{INPUT_ROWS + 1}")
    ws.add_data_validation(dv)


def _text_column(ws: Worksheet, column: int) -> None:
    letter = get_column_letter(column)
    ws.column_dimensions[letter].number_format = TEXT_FORMAT
    for r in range(2, INPUT_ROWS + 2):
        ws.cell(row=r, column=column).number_format = TEXT_FORMAT


def _example(ws: Worksheet, values: Sequence[object], text_cols: set[int]) -> None:
    for c, v in enumerate(values, 1):
        cell = put(ws.cell(row=2, column=c), v, text=c in text_cols)
        cell.font = EXAMPLE_FONT


def _instructions(wb: Workbook, title: str, lines: Sequence[str]) -> None:
    ws = wb.create_sheet("说明")
    put(ws.cell(row=1, column=1), title).font = Font(bold=True, size=14)
    put(ws.cell(row=2, column=1), "请不要删除或改名本工作簿中的表头；本“说明”工作表导入时会自动忽略。").font = \
        Font(color="C00000")
    for r, line in enumerate(lines, 4):
        cell = put(ws.cell(row=r, column=1), line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    if "选项" in wb.sheetnames:          # data sheet, 说明, then the hidden lists
        options = wb["选项"]
        wb.move_sheet(options, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index("选项"))


def write_roster_template(dest: Path, *, teaching_points: Sequence[str] = (),
                          groups: Sequence[str] = (), subjects: Sequence[str] = SUBJECTS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "教师花名册"
    write_header(ws, 1, ROSTER_COLUMNS, required=ROSTER_REQUIRED)
    col = {name: i for i, name in enumerate(ROSTER_COLUMNS, 1)}
    text_cols = {col[n] for n in ROSTER_TEXT}
    for c in text_cols:
        _text_column(ws, c)
    _example(ws, ["张三（示例）", "女", EXAMPLE_ID, "13800138000", "语文", "小学", "在编", "一级教师",
                  "T0001", teaching_points[0] if teaching_points else "", groups[0] if groups else "",
                  "在岗", "", EXAMPLE_MARK], text_cols)
    lists = _Lists(wb)
    _dropdown(ws, lists, col["性别"], "性别", GENDERS)
    _dropdown(ws, lists, col["学段"], "学段", STAGES, strict=False)
    _dropdown(ws, lists, col["任教学科"], "学科", subjects, strict=False, on_sheet=True)
    _dropdown(ws, lists, col["编制类型"], "编制类型", STAFF_TYPES)
    _dropdown(ws, lists, col["职称"], "职称", TITLES, strict=False)
    _dropdown(ws, lists, col["状态"], "状态", STATUSES)
    if teaching_points:
        _dropdown(ws, lists, col["教学点"], "教学点", teaching_points, strict=False, on_sheet=True)
    if groups:
        _dropdown(ws, lists, col["学科研修组"], "学科研修组", groups, on_sheet=True)
    id_len = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True,
                            showErrorMessage=True, errorStyle="warning", errorTitle="身份证号位数不对",
                            error="身份证号应为18位。", promptTitle="身份证号",
                            prompt="18位，最后一位可以是X。本列已设为文本格式，请不要改成数字。",
                            showInputMessage=True)
    letter = get_column_letter(col["身份证号"])
    id_len.add(f"{letter}2:{letter}{INPUT_ROWS + 1}")
    ws.add_data_validation(id_len)
    fit_widths(ws, min_width=8, max_width=36,
               fixed={col["身份证号"]: 22, col["联系电话"]: 15, col["备注"]: 36})
    print_setup(ws, landscape=True, columns=len(ROSTER_COLUMNS))
    ws.auto_filter.ref = None
    _instructions(wb, "教师花名册导入说明", [
        "1. 每位教师填一行，从第 3 行开始填写；第 2 行是示例，导入时会自动跳过（也可以删除）。",
        "2. 红色表头为必填项：姓名、身份证号。本软件按身份证号识别教师：再次导入同一名单时，"
        "已有的教师会被更新，不会重复添加。",
        "3. 身份证号一列已设为“文本”格式。请不要把它改成数字格式，否则 Excel 会把后三位变成 000，"
        "这样的号码无法恢复，导入时会被拒绝。号码中的空格、全角数字和小写 x 会自动纠正。",
        "4. 性别、学段、任教学科、编制类型、职称、状态可从下拉列表中选择；性别不填时按身份证号自动判断。",
        "5. 编制类型：在编 / 临聘 / 代课。状态：在岗 / 免修 / 退休 / 调离；选“免修”时请在“状态说明”中写明原因。",
        "6. 教学点填写名称即可，系统中没有的教学点会自动新建。学科研修组须先在软件的“团队”页面建立。",
        "7. 也可以直接导入其他系统导出的花名册（.xlsx、.csv 或 .xls）：软件会自动找到表头行，"
        "识别“教师姓名”“身份证号码”“手机号”等常见列名，并忽略用不到的列和“合计”行。",
        "8. 导入前会检查每一行；只要有一处错误，整个文件都不会导入，并在原文件旁生成“_错误标注.xlsx”，"
        "错误的单元格标为红色并附批注。改正后重新导入即可。",
    ])
    wb.active = 0
    return save_workbook(wb, dest)


def write_hours_template(dest: Path, *, categories: Sequence[str], topics: Sequence[str] = (),
                         record_max: float = 200) -> Path:
    if not categories:
        raise ValidationError("项目方案中没有学时类别，无法生成学时导入模板。", field="categories")
    wb = Workbook()
    ws = wb.active
    ws.title = "学时记录"
    write_header(ws, 1, HOURS_COLUMNS, required=HOURS_REQUIRED)
    col = {name: i for i, name in enumerate(HOURS_COLUMNS, 1)}
    text_cols = {col["身份证号"], col["工号"]}
    for c in text_cols:
        _text_column(ws, c)
    for r in range(2, INPUT_ROWS + 2):
        ws.cell(row=r, column=col["日期"]).number_format = "yyyy-mm-dd"
    _example(ws, ["张三（示例）", EXAMPLE_ID, "T0001", categories[0], topics[0] if topics else "示例专题",
                  2, date(2026, 9, 1), EXAMPLE_MARK], text_cols)
    lists = _Lists(wb)
    _dropdown(ws, lists, col["类别"], "学时类别", categories)
    if topics:
        _dropdown(ws, lists, col["专题"], "专题", topics, strict=False)
    dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=f"{record_max:g}",
                        allow_blank=True, showErrorMessage=True, errorTitle="学时有误",
                        error=f"学时应为大于 0、不超过 {record_max:g} 的数字。")
    letter = get_column_letter(col["学时"])
    dv.add(f"{letter}2:{letter}{INPUT_ROWS + 1}")
    ws.add_data_validation(dv)
    fit_widths(ws, min_width=8, max_width=36, fixed={col["身份证号"]: 22, col["专题"]: 28,
                                                     col["日期"]: 12, col["备注"]: 36})
    print_setup(ws, landscape=True, columns=len(HOURS_COLUMNS))
    ws.auto_filter.ref = None
    cats = "、".join(categories)
    _instructions(wb, "学时导入说明", [
        "1. 每条学时记录填一行，从第 3 行开始；第 2 行是示例，导入时会自动跳过（也可以删除）。",
        f"2. “类别”须为本校项目方案的学时类别之一：{cats}（可从下拉列表选择）。",
        "3. 教师按身份证号识别；没有身份证号时按工号，再按姓名（姓名须在本校唯一）。"
        "找不到的教师会逐行列出，不会导入。请先导入教师花名册。",
        f"4. “学时”为大于 0 的数字，单条不超过 {record_max:g} 学时。“日期”写成 2026-09-01 这样的格式。",
        "5. 同一个文件重复导入不会重复计算学时：已导入过的记录会自动跳过。",
        f"6. 也可以导入研修平台导出的学时表：每位教师一行、每个类别一列（列名为“{categories[0]}”或"
        f"“{categories[0]}学时”等）也能识别。",
        "7. 只要有一处错误，整个文件都不会导入，并在原文件旁生成“_错误标注.xlsx”，标出出错的单元格。",
    ])
    wb.active = 0
    return save_workbook(wb, dest)


def write_template(ws, kind: str, dest: Path) -> Path:
    """The template for this school: its teaching points, groups and hours categories."""
    from sqlmodel import select

    from app.models import StudyGroup, TeachingPoint
    from app.services.programmes import current_rules

    dest = Path(dest)
    if kind == "roster":
        with ws.sessions() as s:
            points = [p.name for p in s.exec(select(TeachingPoint).order_by(TeachingPoint.name))]
            groups = [g.name for g in s.exec(select(StudyGroup).order_by(StudyGroup.name))]
        return write_roster_template(dest, teaching_points=points, groups=groups)
    if kind == "hours":
        with ws.sessions() as s:
            rules = current_rules(s)
        topics = [t["topic"] for t in rules.topic_minimums if t.get("topic")]
        return write_hours_template(dest, categories=rules.category_keys, topics=topics,
                                    record_max=rules.record_max)
    raise ValidationError(f"未知的模板类型“{kind}”，可选：roster（花名册）、hours（学时）。", field="kind")
