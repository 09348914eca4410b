"""The school's summary workbook (汇总表), for the office, the printer and the bundle.

Sheets: 教师学时, 微能力选点, 能力点统计 (with a native bar chart), 考核结果,
未达标清单 (each with its 依据), 概况, 项目方案 (every rule applied, its source and any
change from the preset) and, where the programme asks for one, 学校自评. Every sheet has a title row, a frozen header with an auto
filter, and A4 print set-up repeating the title rows on each page. ID and phone
numbers are masked unless `unmask=True`; every text goes in as a string cell (xw_cells.Sheet.put),
so a teacher called "=HYPERLINK(…)" stays text.

Written with XlsxWriter (xw_cells), not openpyxl: half the CPU time and no Cell object per cell,
for the export that writes this workbook while it copies the evidence. Each sheet is first
a Table (values and the style of each cell); exports.export_hours writes the 教师学时 table
into its own openpyxl workbook through `_hours_sheet`.

The bundle exporter calls exactly `write_report(ws, dest, unmask=..., progress=...)`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.services.excel.cell_rules import save_workbook
from app.services.excel.xw_cells import BAD, CENTER, GOOD, SAMPLE_ROWS, WRAP, Book, Sheet
from app.services.progress import NO_PROGRESS, Progress
from app.services.validation import personal_masks

SHEETS = ("教师学时", "微能力选点", "能力点统计", "考核结果", "未达标清单", "概况", "项目方案", "学校自评")
TICK = "√"


@dataclass
class Table:
    """One sheet as data: title (row 1), headers (row 2), rows from row 3; `styles` maps a
    column to a function of a cell's value giving its styles (xw_cells); widths as _finish."""

    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    text_cols: frozenset[int] = frozenset()
    styles: dict[int, Callable[[Any], tuple]] = field(default_factory=dict)
    fixed: dict[int, float] = field(default_factory=dict)
    landscape: bool | None = None


def _fmt(x: float) -> str:
    return f"{x:g}"


def _first_width(values) -> float:
    """Column A's width from its values below the title (the merged title must not widen it)."""
    first = max((len(str(v or "")) for v in values), default=4)
    return max(6, min(first * 2 + 2, 30))


def _render(book: Book, t: Table) -> Sheet:
    sheet = book.sheet(t.name)
    sheet.title(t.title, len(t.headers))
    sheet.header(2, t.headers)
    sheet.rows(3, t.rows, text_cols=t.text_cols, styles=t.styles)
    return sheet


def _finish(sheet: Sheet, t: Table) -> None:
    sheet.fit_widths(min_width=6, max_width=40, fixed=t.fixed)
    last = min(sheet.max_row, SAMPLE_ROWS)
    sheet.width(1, t.fixed.get(1) or _first_width(sheet.sample.get(r, {}).get(1) for r in range(2, last + 1)))
    sheet.print_setup(header_row=2, landscape=t.landscape, columns=len(t.headers))


def write_report(ws, dest: Path, *, unmask: bool = False, progress: Progress = NO_PROGRESS,
                 today: date | None = None, shared=None) -> Path:
    """Write the summary workbook to `dest` (atomically) and return its path. `shared`: a
    (snapshot, compliance report) pair already made for the same export (not read again)."""
    from app.services import snapshot as snapshot_mod
    from app.services.compliance import run_on_snapshot

    progress.report(0, len(SHEETS), "正在汇总数据", force=True)
    if shared is not None:
        snap, report = shared
    else:
        snap = snapshot_mod.load_ws(ws, today)
        report = run_on_snapshot(snap)
    school = snap.school.name if snap.school else "本校"
    stamp = snap.today.isoformat()
    mask_id, mask_ph = personal_masks(unmask)

    from app.services.excel.report_rules import programme_sheet, self_assessment_sheet
    steps = [_hours_step, _choices_sheet, _points_sheet, _results_sheet, _findings_sheet, _overview_sheet,
             programme_sheet(ws), self_assessment_sheet(ws)]
    with Book() as book:
        for i, step in enumerate(steps):
            progress.check()
            step(book, snap, report, school, stamp, mask_id, mask_ph)
            progress.report(i + 1, len(steps), f"已生成“{SHEETS[i]}”")
        return save_workbook(book, Path(dest))


def _teacher_cells(v, mask_id, mask_ph, tp_names: dict[int, str]) -> list[Any]:
    t = v.teacher
    return [t.name, t.staff_no or "", mask_id(t.id_number), mask_ph(t.phone), t.subject,
            tp_names.get(t.teaching_point_id, "") if t.teaching_point_id else "", t.status]


def _hours_table(snap, report, school, stamp, mask_id, mask_ph) -> Table:
    rules = snap.rules
    cats = rules.categories
    topics = rules.topic_minimums
    headers = ["序号", "姓名", "工号", "身份证号", "联系电话", "任教学科", "教学点", "状态"]
    for c in cats:
        need = float(c.get("min") or 0)
        headers.append(f"{c['key']}（≥{_fmt(need)}）" if need else c["key"])
    headers.append(f"合计（≥{_fmt(rules.total_min)}）" if rules.total_min else "合计")
    for tm in topics:
        headers.append(f"{tm['topic']}（≥{_fmt(tm['min'])}）")
    share = rules.practice_share
    if share:
        headers.append(f"{'、'.join(rules.practice_keys)}（≥应修的{share:.0%}，即 {_fmt(round(share * rules.total_min, 2))}）")
    headers += ["学时达标", "说明"]
    tp_names = {pid: p.name for pid, p in snap.teaching_points.items()}
    hour_findings: dict[int, list[str]] = {}
    for f in report.findings:
        if f.teacher_id is not None and f.code.startswith("hours."):
            hour_findings.setdefault(f.teacher_id, []).append(f.message.split("：", 1)[-1])
    rows = []
    for n, v in enumerate(snap.teachers, 1):
        row: list[Any] = [n, *_teacher_cells(v, mask_id, mask_ph, tp_names)]
        for c in cats:
            row.append(v.hours.by_category.get(c["key"], 0.0))
        row.append(v.hours.total)
        for tm in topics:
            row.append(v.hours.by_topic.get((tm["category"], tm["topic"]), 0.0))
        if share:
            row.append(round(sum(v.hours.by_category.get(k, 0.0) for k in rules.practice_keys), 2))
        problems = hour_findings.get(v.teacher.id, [])
        if v.exempt_reason:
            row += ["免修", v.exempt_reason]
        else:
            row += ["达标" if not problems else "未达标", "；".join(problems)]
        rows.append(row)
    ok_col = len(headers) - 1
    return Table("教师学时", f"{school} 教师学时统计（{rules.name}；统计日期 {stamp}）", headers, rows,
                 text_cols=frozenset({3, 4, 5}),
                 styles={ok_col: lambda x: (GOOD if x == "达标" else BAD if x == "未达标" else None, CENTER),
                         len(headers): lambda x: (WRAP,)},
                 fixed={4: 21, 5: 14, len(headers): 48}, landscape=True)


def _hours_step(book, snap, report, school, stamp, mask_id, mask_ph) -> None:
    t = _hours_table(snap, report, school, stamp, mask_id, mask_ph)
    _finish(_render(book, t), t)


def _hours_sheet(wb, snap, report, school, stamp, mask_id, mask_ph) -> None:
    """The 教师学时 sheet in an openpyxl workbook (exports.export_hours writes its own workbook)."""
    from app.services.excel import cells
    as_openpyxl = {GOOD: ("font", cells.GOOD_FONT), BAD: ("font", cells.BAD_FONT),
                   CENTER: ("alignment", cells.CENTER), WRAP: ("alignment", cells.WRAP)}
    t = _hours_table(snap, report, school, stamp, mask_id, mask_ph)
    ws = wb.create_sheet(t.name)
    cells.put(ws.cell(row=1, column=1), t.title).font = cells.TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(t.headers))
    ws.row_dimensions[1].height = 24
    cells.write_header(ws, 2, t.headers)
    for r, values in enumerate(t.rows, 3):
        for c, v in enumerate(values, 1):
            cell = cells.put(ws.cell(row=r, column=c), v, text=c in t.text_cols and v is not None)
            for s in t.styles[c](v) if c in t.styles else ():
                if s is not None:
                    setattr(cell, *as_openpyxl[s])
    cells.fit_widths(ws, min_width=6, max_width=40, fixed=t.fixed)
    ws.column_dimensions["A"].width = _first_width(ws.cell(row=r, column=1).value
                                                   for r in range(2, min(ws.max_row, 300) + 1))
    cells.print_setup(ws, header_row=2, landscape=t.landscape, columns=len(t.headers))


def _choices_sheet(book, snap, report, school, stamp, mask_id, mask_ph) -> None:
    points = list(snap.catalogue.values())
    headers = ["序号", "姓名", "工号", "任教学科", "应用环境", *[p.code for p in points], "选点数", "维度数",
               "选点说明"]
    micro: dict[int, list[str]] = {}
    for f in report.findings:
        if f.teacher_id is not None and f.code.startswith("micro."):
            micro.setdefault(f.teacher_id, []).append(f.message.split("：", 1)[-1])
    rows = []
    for n, v in enumerate(snap.teachers, 1):
        chosen = {p.code for p in v.points}
        row: list[Any] = [n, v.teacher.name, v.teacher.staff_no or "", v.teacher.subject, v.environment]
        row += [TICK if p.code in chosen else "" for p in points]
        row += [len(chosen), len({p.dimension for p in v.points}),
                v.exempt_reason and f"免修：{v.exempt_reason}" or "；".join(micro.get(v.teacher.id, []))]
        rows.append(row)
    fixed = {c: 4.5 for c in range(6, 6 + len(points))}
    fixed[len(headers)] = 40
    centered = (CENTER,)
    t = Table("微能力选点", f"{school} 教师微能力点选择情况（统计日期 {stamp}；{TICK} 表示已选）", headers, rows,
              text_cols=frozenset({3}), styles={c: lambda _x: centered for c in range(6, 6 + len(points))},
              fixed=fixed, landscape=True)
    sheet = _render(book, t)
    for i, p in enumerate(points):
        sheet.comment(2, 6 + i, f"{p.code} {p.name}（{p.dimension}，{p.environment}环境）", "提升工程助手")
    _finish(sheet, t)


def _points_sheet(book, snap, report, school, stamp, mask_id, mask_ph) -> None:
    headers = ["能力点", "名称", "维度", "环境", "选择人数", "合格人数", "优秀人数"]
    active = snap.active
    chosen = Counter(p.code for v in active for p in v.points)
    scale = snap.rules.grading
    passed = Counter(code for v in active for code, res in v.point_results.items() if res in scale["pass"])
    excellent = Counter(code for v in active for code, res in v.point_results.items()
                        if res == scale.get("excellent"))
    rows = [[p.code, p.name, p.dimension, p.environment, chosen.get(p.code, 0), passed.get(p.code, 0),
             excellent.get(p.code, 0)] for p in snap.catalogue.values()]
    side = len(headers) + 2
    t = Table("能力点统计", f"{school} 能力点统计（统计日期 {stamp}）", headers, rows,
              fixed={2: 30, side: 10, side + 1: 10}, landscape=True)
    sheet = _render(book, t)
    last_data = 2 + len(rows)
    # by dimension and by environment, beside the main table
    by_dim = Counter(p.dimension for v in active for p in v.points)
    by_env = Counter(p.environment for v in active for p in v.points)
    from app.services.choices import DIMENSIONS
    sheet.header(2, ["维度", "选择人次"], col=side)
    r = sheet.rows(3, [[d, by_dim.get(d, 0)] for d in DIMENSIONS], col=side)
    sheet.header(r + 1, ["环境", "选择人次"], col=side)
    sheet.rows(r + 2, [[e, by_env.get(e, 0)] for e in ("多媒体", "混合", "智慧")], col=side)
    end = max(last_data, 3)
    chart = book.book.add_chart({"type": "column"})
    chart.add_series({"name": [t.name, 1, 4], "categories": [t.name, 2, 0, end - 1, 0],
                      "values": [t.name, 2, 4, end - 1, 4]})                  # 选择人数 by 能力点
    chart.set_title({"name": "各能力点选择人数"})
    chart.set_x_axis({"name": "能力点"})
    chart.set_y_axis({"name": "人数"})
    chart.set_legend({"none": True})
    chart.set_size({"width": round(26 / 2.54 * 96), "height": round(9 / 2.54 * 96)})    # 26 × 9 cm
    sheet.ws.insert_chart(last_data + 2, 0, chart)
    _finish(sheet, t)
    sheet.ws.autofilter(1, 0, max(last_data, 2) - 1, len(headers) - 1)


def _results_sheet(book, snap, report, school, stamp, mask_id, mask_ph) -> None:
    headers = ["序号", "姓名", "工号", "任教学科", "能力点", "能力点名称", "能力点结果", "教师考核结果",
               "全部达标", "帮扶情况"]
    passing = snap.rules.grading["pass"]
    rows = []
    n = 0
    for v in snap.teachers:
        n += 1
        t = v.teacher
        support = ""
        if v.supports:
            last = v.supports[-1]
            support = (f"帮扶中（帮扶人 {last.helper}）" if last.closed_on is None else
                       f"已结束（{last.closed_on.isoformat()}" + (f"，复评 {last.new_result}" if last.new_result
                                                                 else "") + "）")
        ok = "免修" if v.exempt_reason else ("是" if report.teacher_passes.get(t.id) else "否")
        base = [n, t.name, t.staff_no or "", t.subject]
        if not v.points:
            rows.append(base + ["—", "", "", v.result, ok, support])
            continue
        for p in v.points:
            rows.append(base + [p.code, p.name, v.point_results.get(p.code, ""), v.result, ok, support])
    t = Table("考核结果", f"{school} 校本应用考核结果（统计日期 {stamp}）", headers, rows, text_cols=frozenset({3}),
              styles={9: lambda x: (GOOD if x == "是" else BAD if x == "否" else None,),
                      7: lambda x: (BAD if x and x not in passing else None,)},
              fixed={6: 30, 10: 30})
    _finish(_render(book, t), t)


def _findings_sheet(book, snap, report, school, stamp, mask_id, mask_ph) -> None:
    headers = ["序号", "类型", "教师", "问题", "怎么做", "处理页面", "依据"]
    rows = [[i, "必须处理" if f.is_blocking else "提醒", f.teacher_name or "学校", f.message, f.action, f.page,
             f.basis] for i, f in enumerate(report.findings, 1)]
    if not rows:
        rows = [["", "", "", "全部要求均已达到。", "", "", ""]]
    wrap = (WRAP,)
    t = Table("未达标清单", f"{school} 未达标清单（共 {len(report.blocking)} 项必须处理、{len(report.warnings)} 项提醒；"
                           f"统计日期 {stamp}）", headers, rows,
              styles={2: lambda x: (BAD if x == "必须处理" else None,), 4: lambda _x: wrap, 5: lambda _x: wrap,
                      7: lambda _x: wrap},
              fixed={4: 40, 5: 36, 7: 50}, landscape=True)
    _finish(_render(book, t), t)


def _overview_sheet(book, snap, report, school, stamp, mask_id, mask_ph) -> None:
    s = report.summary
    rows: list[list[Any]] = [
        ["学校", s.get("school", "")], ["学校代码", s.get("school_code", "")],
        ["应用环境", s.get("environment", "")], ["项目方案", s.get("programme", "")],
        ["教师人数（不含调离）", s.get("teachers", 0)], ["参训教师", s.get("active", 0)],
        ["免修", s.get("exempt", 0)], ["全部达标", s.get("meeting_all", 0)],
        ["必须处理的问题", len(report.blocking)], ["提醒", len(report.warnings)],
    ]
    for key, total in (s.get("hours_by_category") or {}).items():
        rows.append([f"{key}学时合计", total])
    for res, count in sorted((s.get("results") or {}).items()):
        rows.append([f"考核结果：{res}", count])
    rows.append(["优秀案例", s.get("excellent_cases", 0)])
    t = Table("概况", f"{school} 提升工程2.0 推进概况（{stamp}）", ["项目", "数值"], rows,
              fixed={1: 24, 2: 40}, landscape=False)
    _finish(_render(book, t), t)
