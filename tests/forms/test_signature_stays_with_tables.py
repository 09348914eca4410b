"""Issue 14 item 10: in the personal sign-off form the signatures stay on the page of the last table rows.

With 8 or more items the signature block went to a page of its own: a signature under nothing it
confirms. Rendered for 3 to 9 points (6 to 27 items) and read back page by page.
"""

from datetime import date

import pytest

from app.services.forms.dto import KIND_PERSONAL, FormSet, ItemLine, PointBlock
from app.services.forms.render import render
from tests.forms.helpers import pages_text
from tests.forms.samples import KEY, SCHOOL, SEAL, SUMMARY, stress_teacher, teacher


def _teacher(points: int, items: int):
    pts = tuple(PointBlock(f"A{k + 1}", "技术支持的学情分析", "学情分析", "合格",
                           tuple(ItemLine(f"考核材料{j + 1}", (f"王芳_A{k + 1}_材料{j + 1}.docx",), "合格", "李明")
                                 for j in range(items)))
                for k in range(points))
    return teacher(1, "王芳", points=pts)


@pytest.mark.parametrize("points, items", [(3, 2), (4, 2), (5, 2), (6, 2), (7, 2), (9, 3), (5, 3)])
def test_signatures_share_a_page_with_the_tables_they_confirm(tmp_path, points, items):
    pdf = tmp_path / "个人.pdf"
    render(FormSet(SCHOOL, date(2026, 12, 1), SUMMARY, (_teacher(points, items),), None, KEY), pdf,
           kinds=(KIND_PERSONAL,), seal=SEAL)
    pages = [p for p in pages_text(pdf) if p.strip()]
    signed = next(p for p in pages if "三、考核结果与签字确认" in p)
    assert "教师本人（签字）" in signed
    assert "二、学时完成情况" in signed and "实践应用学时占比" in signed     # the last table, whole, above them


def test_the_stress_teacher_too(tmp_path):
    pdf = tmp_path / "个人.pdf"
    render(FormSet(SCHOOL, date(2026, 12, 1), SUMMARY, (stress_teacher(),), None, KEY), pdf,
           kinds=(KIND_PERSONAL,), seal=SEAL)
    signed = next(p for p in pages_text(pdf) if "三、考核结果与签字确认" in p)
    assert "二、学时完成情况" in signed
