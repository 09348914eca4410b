"""The county summary workbook (全县汇总表): what the county dashboard shows, printable on A4.

Sheets: 全县汇总 (one row per school and teaching point, with totals), 复核差异 (every difference
between a school's own check and the district's), 材料雷同 (the same file from different
teachers), 同一人员 (the same ID number in two schools), 报送记录 (every version received).
Every sheet is A4, one page wide, header rows repeated on each page; every text cell is written
through `cells.put` (never a formula).
"""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import select

from app.models.district import ReceivedBundle
from app.services.choices import DIMENSIONS
from app.services.district.county import load_county
from app.services.district.duplicates import duplicate_evidence, same_persons
from app.services.district.office import require_office
from app.services.district.queries import list_bundles
from app.services.district.recheck import ENVIRONMENTS
from app.services.excel.cells import (BAD_FONT, TITLE_FONT, fit_widths, print_setup, put, save_workbook,
                                      write_header)
from app.services.progress import NO_PROGRESS, Progress

SUMMARY_HEADERS = (["学校 / 教学点", "代码", "类型", "报送", "版本", "参训教师", "达标", "达标率", "总学时", "人均学时"]
                   + [f"选点·{d}" for d in DIMENSIONS] + [f"环境·{e}" for e in ENVIRONMENTS]
                   + ["帮扶未结", "优秀案例", "案例应有", "过期事项", "确认表", "回执", "区县复核"])


def _title(ws, text: str, ncols: int) -> None:
    put(ws.cell(row=1, column=1), text).font = TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, ncols))


def _summary(wb: Workbook, view) -> None:
    ws = wb.active
    ws.title = "全县汇总"
    _title(ws, f"{view.district} 提升工程2.0 全县汇总（{view.programme}；优秀案例按参训教师 {view.case_share:.0%} 计）",
           len(SUMMARY_HEADERS))
    write_header(ws, 2, SUMMARY_HEADERS)
    r = 3
    for row in view.rows:
        name = f"  └ {row.name}" if row.parent else row.name
        values = ([name, row.unit_code, row.kind, "已报送" if row.submitted else "未报送",
                   row.version or None, row.active, row.meeting,
                   f"{row.pass_rate:.0%}" if row.pass_rate is not None else "", row.hours,
                   row.hours_per_teacher]
                  + list(row.dimensions) + list(row.environments)
                  + [row.support_open, row.cases, row.case_quota, row.deadlines_passed,
                     "已收" if row.paper else ("未收" if row.submitted else ""),
                     "已发" if row.receipt else ("未发" if row.submitted else ""), row.recheck])
        for c, v in enumerate(values, 1):
            cell = put(ws.cell(row=r, column=c), v)
            if c == len(values) and row.differences:
                cell.font = BAD_FONT
            if c == 4 and not row.submitted:
                cell.font = BAD_FONT
        r += 1
    t = view.totals()
    put(ws.cell(row=r, column=1), f"合计：{t['submitted']}/{t['units']} 个单位已报送")
    put(ws.cell(row=r, column=6), t["active"])
    put(ws.cell(row=r, column=7), t["meeting"])
    put(ws.cell(row=r, column=8), f"{t['pass_rate']:.0%}" if t["pass_rate"] is not None else "")
    fit_widths(ws, max_width=30, fixed={1: 24, len(SUMMARY_HEADERS): 36})
    print_setup(ws, header_row=2, landscape=True, columns=len(SUMMARY_HEADERS))


def _differences(wb: Workbook, bundles: list[ReceivedBundle]) -> None:
    ws = wb.create_sheet("复核差异")
    headers = ["学校", "代码", "类别", "内容", "学校的结论", "区县复核的结论"]
    _title(ws, "区县按本区县方案复核与学校自查结论的差异", len(headers))
    write_header(ws, 2, headers)
    r = 3
    for b in bundles:
        try:
            rc = json.loads(b.recheck_json) if b.recheck_json else {}
        except ValueError:
            rc = {}
        lines = []
        if rc.get("error"):
            lines.append(("无法复核", rc["error"], "", ""))
        for d in (rc.get("school_programme") or {}).get("rule_differences") or []:
            lines.append(("方案规则" + ("（学校选定）" if d.get("school_choice") else ""), d.get("label", ""),
                          d.get("school", ""), d.get("district", "")))
        for f in rc.get("only_district") or []:
            lines.append(("区县发现的问题", f.get("message", ""), "（未发现）", f.get("severity") == "blocking" and "必须处理" or "提醒"))
        for f in rc.get("only_school") or []:
            lines.append(("学校列出而区县方案下没有的问题", f.get("message", ""), "问题", "（无此问题）"))
        for ch in rc.get("changed") or []:
            lines.append(("同一问题结论不同", ch["district"].get("message", ""), ch["school"].get("message", ""),
                          ch["district"].get("message", "")))
        for v in rc.get("verdicts") or []:
            lines.append(("教师结论", v.get("name", ""), v.get("school", ""), v.get("district", "")))
        for note in rc.get("notes") or []:
            lines.append(("说明", note, "", ""))
        for kind, what, school, district in lines:
            for c, v in enumerate([b.school_name, b.unit_code, kind, what, school, district], 1):
                put(ws.cell(row=r, column=c), v)
            r += 1
    fit_widths(ws, max_width=50, fixed={4: 50, 5: 28, 6: 28})
    print_setup(ws, header_row=2, landscape=True, columns=len(headers))


def _duplicates(wb: Workbook, ws_data) -> None:
    ws = wb.create_sheet("材料雷同")
    headers = ["序号", "文件 SHA-256（前16位）", "大小（KB）", "学校数", "教师数", "学校", "教师", "报送包中的位置"]
    _title(ws, "材料雷同：同一文件由不同教师提交（按内容哈希比对，供复核）", len(headers))
    write_header(ws, 2, headers)
    r = 3
    for n, d in enumerate(duplicate_evidence(ws_data), 1):
        for h in d.holders:
            for c, v in enumerate([n, d.sha256[:16], round(d.size / 1024, 1), d.schools, d.teachers,
                                   h.school_name, h.teacher_name, h.path], 1):
                put(ws.cell(row=r, column=c), v)
            r += 1
    fit_widths(ws, max_width=60)
    print_setup(ws, header_row=2, landscape=True, columns=len(headers))
    ws2 = wb.create_sheet("同一人员")
    headers = ["类别", "姓名", "身份证号（已打码）", "学校", "该校记录的姓名", "说明"]
    _title(ws2, "同一身份证号出现在两个单位", len(headers))
    write_header(ws2, 2, headers)
    r = 3
    for p in same_persons(ws_data):
        for unit, school, name in p.holders:
            for c, v in enumerate([p.kind, p.name, p.masked_id, f"{school}（{unit}）", name, p.note], 1):
                put(ws2.cell(row=r, column=c), v, text=(c == 3))
            r += 1
    fit_widths(ws2, max_width=50)
    print_setup(ws2, header_row=2, landscape=True, columns=len(headers))


def _versions(wb: Workbook, ws_data) -> None:
    ws = wb.create_sheet("报送记录")
    headers = ["学校", "代码", "版本", "当前", "封存码", "导出时间", "接收时间", "确认表", "回执", "与上一版相比", "提醒"]
    _title(ws, "全部报送版本", len(headers))
    write_header(ws, 2, headers)
    r = 3
    for b in list_bundles(ws_data):
        values = [b.school_name, b.unit_code, b.version, "是" if b.current else "", b.seal_code, b.exported_at[:16].replace("T", " "),
                  b.received_at, "已收" if b.paper_received_at else "未收", "已发" if b.receipt_at else "未发",
                  b.changes_summary, "；".join(b.warnings)]
        for c, v in enumerate(values, 1):
            put(ws.cell(row=r, column=c), v)
        r += 1
    fit_widths(ws, max_width=40)
    print_setup(ws, header_row=2, landscape=True, columns=len(headers))


def write_county_workbook(ws_data, dest: str | Path, progress: Progress = NO_PROGRESS) -> Path:
    view = load_county(ws_data)
    progress.report(1, 5, "正在写入全县汇总…", force=True)
    wb = Workbook()
    _summary(wb, view)
    with ws_data.sessions() as s:
        require_office(s)
        bundles = list(s.exec(select(ReceivedBundle).where(ReceivedBundle.current == True)  # noqa: E712
                              .order_by(ReceivedBundle.unit_code)))
    progress.report(2, 5, "正在写入复核差异…", force=True)
    _differences(wb, bundles)
    progress.report(3, 5, "正在查找材料雷同…", force=True)
    _duplicates(wb, ws_data)
    progress.report(4, 5, "正在写入报送记录…", force=True)
    _versions(wb, ws_data)
    path = save_workbook(wb, Path(dest))
    progress.report(5, 5, "完成", force=True)
    return path
