"""合计 and footer rows: the cheap pre-check (_cannot_be_summary) may skip a cell only when the
full check could not have matched it."""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime

from app.services.excel.headers import (_STRIP, FOOTER_WORDS, SUMMARY_WORDS, summary_cells,
                                        summary_in)
from app.services.excel.readers import cell_text


def _full_check(values, columns) -> bool:
    """The check as it was before the pre-check (every cell normalised and compared)."""
    for c in dict.fromkeys([*range(min(3, len(values))), *columns]):
        if c >= len(values) or values[c] is None:
            continue
        text = _STRIP.sub("", unicodedata.normalize("NFKC", cell_text(values[c])))
        if not text:
            continue
        if text.startswith(SUMMARY_WORDS):
            return True
        raw = unicodedata.normalize("NFKC", cell_text(values[c])).strip()
        if raw.startswith(FOOTER_WORDS) or raw.replace(" ", "").startswith(FOOTER_WORDS):
            return True
    return False


PIECES = ["合计", "合 计", "＊合计", "小计：", "⼩计", "總計", "总　计", "填表人：张", "注:", "注：见背面", "备　注：",
          "制表", "王芳", "王小明", "张三", "说明", "审核", "盖章处", "Total", "13800000001", " ", "", "-", "★累计",
          "\u3000合计", "ｘ", "单位盖章", "报送日期：", "校长签字", "负责人", "共 计"]


def test_the_pre_check_never_hides_a_summary_row():
    rng = random.Random(7)
    cells = PIECES + [1, 2.5, datetime(2026, 9, 1), True, None]
    for _ in range(3000):
        row = tuple(rng.choice(cells) if rng.random() < 0.8 else
                    "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 6)))
        columns = rng.sample(range(6), rng.randint(0, 2))
        assert summary_in(row, summary_cells(columns)) == _full_check(row, columns), (row, columns)
