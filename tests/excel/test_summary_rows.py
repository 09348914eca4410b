"""合计 and footer rows: the cheap pre-checks (the row's texts looked at together, then
_cannot_be_summary for each cell) may skip a row or a cell only when the full check could not have
matched it."""

from __future__ import annotations

import random
from datetime import datetime

from app.services.excel.headers import summary_cells, summary_in


def _full_check(values, columns) -> bool:
    """The check as it was before the pre-checks: every cell looked at, none skipped."""
    from app.services.excel import headers
    real = headers._cannot_be_summary
    headers._cannot_be_summary = lambda value: False
    try:
        return headers._summary_in_cells(values, summary_cells(columns))
    finally:
        headers._cannot_be_summary = real


PIECES = ["合计", "合 计", "＊合计", "小计：", "⼩计", "總計", "总　计", "填表人：张", "注:", "注：见背面", "备　注：",
          "制表", "王芳", "王小明", "张三", "说明", "审核", "盖章处", "Total", "13800000001", " ", "", "-", "★累计",
          "\u3000合计", "ｘ", "单位盖章", "报送日期：", "校长签字", "负责人", "共 计",
          "\u0301", "e\u0301", "\u0301合计", "ﾟ", "ｶ", "\uff08合计\uff09", "㊣"]


def test_the_pre_check_never_hides_a_summary_row():
    rng = random.Random(7)
    cells = PIECES + [1, 2.5, datetime(2026, 9, 1), True, None]
    for _ in range(3000):
        row = tuple(rng.choice(cells) if rng.random() < 0.8 else
                    "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 6)))
        columns = rng.sample(range(6), rng.randint(0, 2))
        assert summary_in(row, summary_cells(columns)) == _full_check(row, columns), (row, columns)
