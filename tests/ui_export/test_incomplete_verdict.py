"""Issue 14 item 9: a bundle exported with 不完整报送 gets its own verdict, as visible as 通过.

The verify list showed "✔ 通过" for it, with only a small orange line further down the details.
"""

from PySide6.QtCore import Qt

from app.services.bundle.verify import BagReport
from app.ui.export.verify_report import (INCOMPLETE, PASSED, VerifyRow, VerifyTableModel, report_html,
                                         summary_text)
from app.ui.style import OK, WARN


def _row(ok: bool, incomplete: bool) -> VerifyRow:
    return VerifyRow("/u/2102810001_20261206", BagReport(path="/u/x", ok=ok, info={"allow_incomplete": incomplete}))


def test_verdicts_and_their_colours():
    model = VerifyTableModel()
    rows = [_row(True, False), _row(True, True), _row(False, True)]
    model.set_rows(rows)
    texts = [model.index(i, 0).data() for i in range(3)]
    assert texts == ["✔ 通过", "✔ 完整未改动 · 不完整报送", "✘ 未通过"]
    colours = [model.index(i, 0).data(Qt.ItemDataRole.ForegroundRole).color().name() for i in range(3)]
    assert colours[0] == OK and colours[1] == WARN and colours[1] != colours[0]
    assert summary_text(rows) == "共核验 3 个报送包：通过 1 个，完整未改动但为不完整报送 1 个，未通过 1 个。"
    assert rows[1].verdict == INCOMPLETE and rows[0].verdict == PASSED


def test_the_headline_says_it_as_large_as_a_pass():
    complete, incomplete = report_html(_row(True, False).report), report_html(_row(True, True).report)
    assert "✔ 通过" in complete.split("</p>")[0] and "font-size:17px" in complete.split("</p>")[0]
    head = incomplete.split("</p>")[0]
    assert "✔ 完整未改动 · 不完整报送" in head and "font-size:17px" in head and WARN in head
    assert "通过：" not in head


def test_the_verdict_column_is_wide_enough(qtbot):
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication
    width = QFontMetrics(QApplication.font()).horizontalAdvance("✔ 完整未改动 · 不完整报送") + 12
    assert VerifyTableModel.COLUMNS[0].width >= width
