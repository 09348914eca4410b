"""The numbers at the top of 校本考核: what is waiting, results, 帮扶 and excellent cases."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services.review_queue import AssessmentSummary

CARDS = (("to_grade", "待评证据"), ("to_regrade", "待复评"), ("excellent", "优秀"), ("pass", "合格"),
         ("fail", "不合格"), ("unfinished", "未完成"), ("support_open", "帮扶进行中"), ("cases", "优秀案例"))


class DashboardStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: dict[str, QLabel] = {}
        self._notes: dict[str, QLabel] = {}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        for key, title in CARDS:
            card = QFrame()
            card.setObjectName(f"card_{key}")
            card.setStyleSheet("QFrame{background:#f5f8fc;border:1px solid #d5e0ee;border-radius:6px}"
                               "QLabel{border:none;background:transparent}")
            value = QLabel("–")
            value.setObjectName(f"value_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            value.setStyleSheet("font-size:20px;font-weight:bold")
            name = QLabel(title)
            name.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note = QLabel()
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            note.setStyleSheet("color:#808080;font-size:11px")
            col = QVBoxLayout(card)
            col.setContentsMargins(6, 4, 6, 4)
            col.setSpacing(0)
            col.addWidget(value)
            col.addWidget(name)
            col.addWidget(note)
            lay.addWidget(card, 1)
            self._values[key], self._notes[key] = value, note

    def set_summary(self, s: AssessmentSummary) -> None:
        excellent, fail = s.scale[0], s.fail
        passing = [g for g in s.scale if g not in (excellent, fail)]
        results = s.results
        values = {
            "to_grade": s.to_grade, "to_regrade": s.to_regrade,
            "excellent": results.get(excellent, 0), "pass": sum(results.get(g, 0) for g in passing),
            "fail": results.get(fail, 0),
            "unfinished": sum(n for r, n in results.items() if r not in s.scale),
            "support_open": s.support_open, "cases": s.cases,
        }
        for key, v in values.items():
            self._values[key].setText(str(v))
        colour = {"fail": "#c0392b" if values["fail"] else "", "support_open": "#a15c00" if values["support_open"] else "",
                  "to_grade": "#2a6fdb" if values["to_grade"] else ""}
        for key, c in colour.items():
            self._values[key].setStyleSheet(f"font-size:20px;font-weight:bold;color:{c or '#333333'}")
        self._notes["excellent"].setText(f"共 {s.active} 人")
        self._notes["fail"].setText(f"{len(s.needs_support)} 人待建帮扶" if s.needs_support else "")
        self._notes["support_open"].setText(f"已结束 {s.support_closed}")
        target = f"目标 ≥{s.share_min * 100:g}%" if s.share_min else "无比例要求"
        self._notes["cases"].setText(f"{s.share * 100:.1f}%，{target}")

    def value(self, key: str) -> int:
        text = self._values[key].text()
        return int(text) if text.isdigit() else -1

    def note(self, key: str) -> str:
        return self._notes[key].text()
