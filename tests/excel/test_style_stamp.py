"""StyleStamp (app/services/excel/style_stamp.py) gives cells exactly the styles that setting
them one by one gives, whatever each cell had before, in the saved file too."""

from __future__ import annotations

import app.services.excel.xl  # noqa: F401,I001
import pytest
from openpyxl import Workbook, load_workbook

from app.services.excel.cells import BAD_FONT, CENTER, GOOD_FONT, PLAIN_FONT, WRAP, put
from app.services.excel.style_stamp import StyleStamp, stamp_for


def _styles(cell):
    return tuple(getattr(cell, a)._StyleProxy__target for a in ("font", "fill", "border", "alignment",
                                                                "protection")) + (cell.number_format,)


def _fill(ws, set_style):
    looks = [(GOOD_FONT, CENTER), (BAD_FONT, WRAP), (PLAIN_FONT, CENTER), (BAD_FONT, CENTER)]
    for r in range(1, 41):
        for c in range(1, 6):
            cell = put(ws.cell(row=r, column=c), f"第{r}行" if c != 3 else 1234567, text=c in (2, 3))
            font, alignment = looks[(r * c) % len(looks)]
            set_style(cell, font=font, alignment=alignment)


def test_stamped_cells_look_exactly_like_cells_styled_one_by_one(tmp_path):
    def one_by_one(cell, **styles):
        for key, value in styles.items():
            setattr(cell, key, value)

    a, b = Workbook(), Workbook()
    _fill(a.active, one_by_one)
    _fill(b.active, stamp_for(b))
    assert stamp_for(b) is stamp_for(b)
    for ra, rb in zip(a.active.iter_rows(), b.active.iter_rows()):
        assert [_styles(c) for c in ra] == [_styles(c) for c in rb]
    a.save(tmp_path / "a.xlsx")
    b.save(tmp_path / "b.xlsx")
    la, lb = load_workbook(tmp_path / "a.xlsx"), load_workbook(tmp_path / "b.xlsx")
    for ra, rb in zip(la.active.iter_rows(), lb.active.iter_rows()):
        assert [(_styles(c), c.value) for c in ra] == [(_styles(c), c.value) for c in rb]


def test_a_cell_never_shares_its_style_array_with_another():
    wb = Workbook()
    stamp = StyleStamp()
    x, y = wb.active["A1"], wb.active["A2"]
    stamp(x, alignment=CENTER)
    stamp(y, alignment=CENTER)
    y.font = BAD_FONT                       # changing one cell later leaves the other alone
    assert x.font._StyleProxy__target != y.font._StyleProxy__target
    with pytest.raises(ValueError):
        stamp(x, number_format="@")
