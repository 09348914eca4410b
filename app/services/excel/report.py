"""The school's summary workbook (汇总表), for the office, the printer and the bundle.

Sheets: 教师学时, 微能力选点, 能力点统计 (with a native bar chart), 考核结果,
未达标清单 (each with its 依据), 概况, 项目方案 (every rule applied, its source and any
change from the preset) and, where the programme asks for one, 学校自评. Every sheet has a title row, a frozen header with an auto
filter, and A4 print set-up repeating the title rows on each page. ID and phone
numbers are masked unless `unmask=True`; every text goes through `cells.put`,
so a teacher called "=HYPERLINK(…)" stays text.

The bundle exporter calls exactly `write_report(ws, dest, unmask=..., progress=...)`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import app.services.excel.xl  # noqa: F401,I001 (openpyxl as this app loads it, before any openpyxl import)
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.services.excel.cells import (BAD_FONT, CENTER, GOOD_FONT, PLAIN_FONT, TITLE_FONT, WRAP, fit_widths,
                                      print_setup, put, save_workbook, write_header)
from app.services.excel.style_stamp import stamp_for
from app.services.progress import NO_PROGRESS, Progress
from app.services.validation import personal_masks

SHEETS = ("教师学时", "微能力选点", "能力点统计", "考核结果", "未达标清单", "概况", "项目方案", "学校自评")
TICK = "√"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _title(ws: Worksheet, text: str, width: int) -> None:
    cell = put(ws.cell(row=1, column=1), text)
    cell.font = TITLE_FONT
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 24


def _rows(ws: Worksheet, start: int, rows: list[list[Any]], *, text_cols: set[int] = frozenset()) -> int:
    r = start
    for values in rows:
        for c, v in enumerate(values, 1):
            put(ws.cell(row=r, column=c), v, text=c in text_cols and v is not None)
        r += 1
    return r


def _finish(ws: Worksheet, ncols: int, *, fixed: dict[int, float] | None = None,
            landscape: bool | None = None) -> None:
    fit_widths(ws, min_width=6, max_width=40, fixed=fixed)
    # the merged title must not widen the first column
    first = max((len(str(ws.cell(row=r, column=1).value or "")) for r in range(2, min(ws.max_row, 300) + 1)),
                default=4)
    ws.column_dimensions["A"].width = max(6, min(first * 2 + 2, 30))
    if fixed and 1 in fixed:
        ws.column_dimensions["A"].width = fixed[1]
    print_setup(ws, header_row=2, landscape=landscape, columns=ncols)


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
    wb = Workbook()
    wb.remove(wb.active)

    mask_id, mask_ph = personal_masks(unmask)

    from app.services.excel.report_rules import programme_sheet, self_assessment_sheet
    steps = [_hours_sheet, _choices_sheet, _points_sheet, _results_sheet, _findings_sheet, _overview_sheet,
             programme_sheet(ws), self_assessment_sheet(ws)]
    for i, step in enumerate(steps):
        progress.check()
        step(wb, snap, report, school, stamp, mask_id, mask_ph)
        progress.report(i + 1, len(steps), f"已生成“{SHEETS[i]}”")
    wb.active = 0
    return save_workbook(wb, Path(dest))


def _teacher_cells(v, mask_id, mask_ph, tp_names: dict[int, str]) -> list[Any]:
    t = v.teacher
    return [t.name, t.staff_no or "", mask_id(t.id_number), mask_ph(t.phone), t.subject,
            tp_names.get(t.teaching_point_id, "") if t.teaching_point_id else "", t.status]


def _hours_sheet(wb, snap, report, school, stamp, mask_id, mask_ph) -> None:
    ws = wb.create_sheet("教师学时")
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
    _title(ws, f"{school} 教师学时统计（{rules.name}；统计日期 {stamp}）", len(headers))
    write_header(ws, 2, headers)
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
    _rows(ws, 3, rows, text_cols={3, 4, 5})
    ok_col = len(headers) - 1
    style = stamp_for(wb)
    for r in range(3, 3 + len(rows)):
        cell = ws.cell(row=r, column=ok_col)
        style(cell, font=GOOD_FONT if cell.value == "达标" else BAD_FONT if cell.value == "未达标" else PLAIN_FONT,
              alignment=CENTER)
        style(ws.cell(row=r, column=len(headers)), alignment=WRAP)
    _finish(ws, len(headers), fixed={4: 21, 5: 14, len(headers): 48}, landscape=True)


def _choices_sheet(wb, snap, report, school, stamp, mask_id, mask_ph) -> None:
    ws = wb.create_sheet("微能力选点")
    points = list(snap.catalogue.values())
    headers = ["序号", "姓名", "工号", "任教学科", "应用环境", *[p.code for p in points], "选点数", "维度数",
               "选点说明"]
    _title(ws, f"{school} 教师微能力点选择情况（统计日期 {stamp}；{TICK} 表示已选）", len(headers))
    write_header(ws, 2, headers)
    for i, p in enumerate(points):
        cell = ws.cell(row=2, column=6 + i)
        from openpyxl.comments import Comment
        cell.comment = Comment(f"{p.code} {p.name}（{p.dimension}，{p.environment}环境）", "提升工程助手")
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
    end = _rows(ws, 3, rows, text_cols={3})
    style = stamp_for(wb)
    for r in range(3, end):
        for c in range(6, 6 + len(points)):
            style(ws.cell(row=r, column=c), alignment=CENTER)
    fixed = {c: 4.5 for c in range(6, 6 + len(points))}
    fixed[len(headers)] = 40
    _finish(ws, len(headers), fixed=fixed, landscape=True)


def _points_sheet(wb, snap, report, school, stamp, mask_id, mask_ph) -> None:
    ws = wb.create_sheet("能力点统计")
    headers = ["能力点", "名称", "维度", "环境", "选择人数", "合格人数", "优秀人数"]
    _title(ws, f"{school} 能力点统计（统计日期 {stamp}）", len(headers))
    write_header(ws, 2, headers)
    active = snap.active
    chosen = Counter(p.code for v in active for p in v.points)
    scale = snap.rules.grading
    passed = Counter(code for v in active for code, res in v.point_results.items() if res in scale["pass"])
    excellent = Counter(code for v in active for code, res in v.point_results.items()
                        if res == scale.get("excellent"))
    rows = [[p.code, p.name, p.dimension, p.environment, chosen.get(p.code, 0), passed.get(p.code, 0),
             excellent.get(p.code, 0)] for p in snap.catalogue.values()]
    end = _rows(ws, 3, rows)
    last_data = end - 1
    # by dimension and by environment, beside the main table
    side = len(headers) + 2
    by_dim = Counter(p.dimension for v in active for p in v.points)
    by_env = Counter(p.environment for v in active for p in v.points)
    from app.services.choices import DIMENSIONS
    write_header_at(ws, 2, side, ["维度", "选择人次"])
    r = _rows_at(ws, 3, side, [[d, by_dim.get(d, 0)] for d in DIMENSIONS])
    write_header_at(ws, r + 1, side, ["环境", "选择人次"])
    _rows_at(ws, r + 2, side, [[e, by_env.get(e, 0)] for e in ("多媒体", "混合", "智慧")])
    chart = BarChart()
    chart.type = "col"
    chart.title = "各能力点选择人数"
    chart.y_axis.title = "人数"
    chart.x_axis.title = "能力点"
    chart.legend = None
    data = Reference(ws, min_col=5, min_row=2, max_row=max(last_data, 3))
    labels = Reference(ws, min_col=1, min_row=3, max_row=max(last_data, 3))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    chart.height, chart.width = 9, 26
    ws.add_chart(chart, f"A{last_data + 3}")
    _finish(ws, len(headers), fixed={2: 30, side: 10, side + 1: 10}, landscape=True)
    ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(last_data, 2)}"


def write_header_at(ws: Worksheet, row: int, col: int, labels: list[str]) -> None:
    from app.services.excel.cells import BORDER, HEADER_FILL, HEADER_FONT
    for i, label in enumerate(labels):
        cell = put(ws.cell(row=row, column=col + i), label)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER


def _rows_at(ws: Worksheet, row: int, col: int, rows: list[list[Any]]) -> int:
    for values in rows:
        for i, v in enumerate(values):
            put(ws.cell(row=row, column=col + i), v)
        row += 1
    return row


def _results_sheet(wb, snap, report, school, stamp, mask_id, mask_ph) -> None:
    ws = wb.create_sheet("考核结果")
    headers = ["序号", "姓名", "工号", "任教学科", "能力点", "能力点名称", "能力点结果", "教师考核结果",
               "全部达标", "帮扶情况"]
    _title(ws, f"{school} 校本应用考核结果（统计日期 {stamp}）", len(headers))
    write_header(ws, 2, headers)
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
    _rows(ws, 3, rows, text_cols={3})
    style = stamp_for(wb)
    for r in range(3, 3 + len(rows)):
        cell = ws.cell(row=r, column=9)
        style(cell, font=GOOD_FONT if cell.value == "是" else BAD_FONT if cell.value == "否" else PLAIN_FONT)
        res = ws.cell(row=r, column=7)
        if res.value and res.value not in passing:
            style(res, font=BAD_FONT)
    _finish(ws, len(headers), fixed={6: 30, 10: 30})


def _findings_sheet(wb, snap, report, school, stamp, mask_id, mask_ph) -> None:
    ws = wb.create_sheet("未达标清单")
    headers = ["序号", "类型", "教师", "问题", "怎么做", "处理页面", "依据"]
    _title(ws, f"{school} 未达标清单（共 {len(report.blocking)} 项必须处理、{len(report.warnings)} 项提醒；"
               f"统计日期 {stamp}）", len(headers))
    write_header(ws, 2, headers)
    rows = [[i, "必须处理" if f.is_blocking else "提醒", f.teacher_name or "学校", f.message, f.action, f.page,
             f.basis] for i, f in enumerate(report.findings, 1)]
    if not rows:
        rows = [["", "", "", "全部要求均已达到。", "", "", ""]]
    _rows(ws, 3, rows)
    style = stamp_for(wb)
    for r in range(3, 3 + len(rows)):
        kind = ws.cell(row=r, column=2)
        if kind.value == "必须处理":
            style(kind, font=BAD_FONT)
        for c in (4, 5, 7):
            style(ws.cell(row=r, column=c), alignment=WRAP)
    _finish(ws, len(headers), fixed={4: 40, 5: 36, 7: 50}, landscape=True)


def _overview_sheet(wb, snap, report, school, stamp, mask_id, mask_ph) -> None:
    ws = wb.create_sheet("概况")
    s = report.summary
    _title(ws, f"{school} 提升工程2.0 推进概况（{stamp}）", 2)
    write_header(ws, 2, ["项目", "数值"])
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
    _rows(ws, 3, rows)
    _finish(ws, 2, fixed={1: 24, 2: 40}, landscape=False)
