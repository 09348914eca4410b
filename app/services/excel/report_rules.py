"""The summary workbook's 项目方案 sheet (every rule applied, its 依据, changes from the preset)
and 学校自评 sheet (the school's own rating of each indicator, where the programme has them)."""

from __future__ import annotations

from app.services.excel.xw_cells import BAD, GREY, WRAP


def programme_sheet(workspace):
    def step(book, snap, report, school, stamp, mask_id, mask_ph) -> None:
        from app.services.programmes.adjust import show_programme
        view = show_programme(workspace)
        sheet = book.sheet("项目方案")
        headers = ["类别", "规则", "要求", "是否启用", "来源", "依据", "与内置方案相比"]
        base = f"；内置方案：{view.preset_name}" if view.preset_name else "；自定义方案"
        sheet.title(f"{school} 适用的项目方案：{view.name}（方案哈希 {view.applied_hash[:16]}{base}）", len(headers))
        sheet.header(2, headers)
        r = 3
        for rule in view.rules:
            diff = ("已调整：内置方案为" + rule.preset_text) if rule.changed and not rule.school_choice else \
                ("学校选定" if rule.changed else "")
            values = [rule.group, rule.label, rule.text, "启用" if rule.on else "未启用", rule.origin_label,
                      rule.basis, diff]
            styles = {3: (WRAP,), 6: (WRAP,), 7: (WRAP, BAD if diff.startswith("已调整") else None),
                      4: (None if rule.on else GREY,)}
            for c, v in enumerate(values, 1):
                sheet.put(r, c, v, *styles.get(c, ()))
            r += 1
        if view.changes:
            r += 1
            sheet.header(r, ["调整时间", "调整人", "规则", "调整前", "调整后", "说明", ""])
            for ch in view.changes:
                r += 1
                for c, v in enumerate([ch.at, ch.by, ch.label, ch.before, ch.after, ch.note], 1):
                    sheet.put(r, c, v, WRAP)
        sheet.fit_widths(min_width=6, max_width=60, fixed={1: 10, 2: 22, 3: 40, 6: 60, 7: 30})
        sheet.print_setup(header_row=2, landscape=True, columns=len(headers))
    return step


def self_assessment_sheet(workspace):
    def step(book, snap, report, school, stamp, mask_id, mask_ph) -> None:
        from app.services.self_assessment import list_indicators
        rows = list_indicators(workspace)
        if not rows:
            return
        sheet = book.sheet("学校自评")
        headers = ["编号", "一级指标", "二级指标", "指标描述", "自评结果", "说明", "填写人", "填写时间"]
        done = sum(1 for x in rows if x.level)
        sheet.title(f"{school} 按考核要点自评（已填写 {done}/{len(rows)} 项；{stamp}）", len(headers))
        sheet.header(2, headers)
        for r, x in enumerate(rows, 3):
            for c, v in enumerate([x.key, x.level1, x.level2, x.text, x.level or "未填写", x.note, x.by,
                                   x.updated_at], 1):
                style = WRAP if c in (4, 6) else BAD if c == 5 and not x.level else None
                sheet.put(r, c, v, style, text=c == 1)
        sheet.fit_widths(min_width=6, max_width=60, fixed={4: 60, 6: 36})
        sheet.print_setup(header_row=2, landscape=True, columns=len(headers))
    return step
