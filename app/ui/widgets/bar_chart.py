"""A small horizontal bar chart drawn with QPainter (QtCharts is not in PySide6-Essentials).

    chart = BarChart()
    chart.set_groups([("按维度", [Bar("学情分析", 23), Bar("教学设计", 32)]),
                      ("按环境", [Bar("多媒体", 67), Bar("混合", 44), Bar("智慧", 0)])])

Each group is scaled to its own largest value (or to each bar's `maximum`,
for progress bars such as "37/38 人").
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

PALETTE = ("#3b7dd8", "#43a047", "#f59e0b", "#8e5cc9", "#e05d5d", "#26a6a6")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    maximum: float | None = None      # a progress bar out of this; None: scale to the group
    text: str = ""                    # shown after the bar; default: the value
    colour: str = ""


class BarChart(QWidget):
    ROW_HEIGHT = 22
    GAP = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._groups: list[tuple[str, list[Bar]]] = []
        self._empty_text = "暂无数据"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_groups(self, groups: list[tuple[str, list[Bar]]], empty_text: str = "暂无数据") -> None:
        self._groups = [(title, list(bars)) for title, bars in groups]
        self._empty_text = empty_text
        self.updateGeometry()
        self.update()

    def groups(self) -> list[tuple[str, list[Bar]]]:
        return list(self._groups)

    def sizeHint(self) -> QSize:
        rows = sum(len(b) for _t, b in self._groups)
        titles = sum(1 for t, _b in self._groups if t)
        return QSize(320, max(60, rows * (self.ROW_HEIGHT + self.GAP) + titles * (self.ROW_HEIGHT + 4) + 8))

    def minimumSizeHint(self) -> QSize:
        return QSize(150, self.sizeHint().height())     # narrow screens: labels and bars share less room

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        if not any(bars for _t, bars in self._groups):
            p.setPen(QColor("#888"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._empty_text)
            return
        labels = [b.label for _t, bars in self._groups for b in bars]
        texts = [b.text or f"{b.value:g}" for _t, bars in self._groups for b in bars]
        label_w = max(fm.horizontalAdvance(s) for s in labels) + 10
        text_w = max(fm.horizontalAdvance(s) for s in texts) + 10
        bar_w = max(40, self.width() - label_w - text_w - 8)
        y = 4
        colour_i = 0
        for title, bars in self._groups:
            if title:
                bold = p.font()
                bold.setBold(True)
                p.setFont(bold)
                p.setPen(QColor("#1d2733"))
                p.drawText(QRectF(0, y, self.width(), self.ROW_HEIGHT), Qt.AlignmentFlag.AlignVCenter, title)
                bold.setBold(False)
                p.setFont(bold)
                y += self.ROW_HEIGHT + 4
            top = max((b.value for b in bars), default=0) or 1
            for bar in bars:
                colour = QColor(bar.colour or PALETTE[colour_i % len(PALETTE)])
                colour_i += 1
                scale = bar.maximum if bar.maximum else top
                frac = 0.0 if not scale else max(0.0, min(1.0, bar.value / scale))
                p.setPen(QColor("#333"))
                p.drawText(QRectF(0, y, label_w - 8, self.ROW_HEIGHT),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, bar.label)
                track = QRectF(label_w, y + 4, bar_w, self.ROW_HEIGHT - 8)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor("#eef1f5"))
                p.drawRoundedRect(track, 3, 3)
                if frac > 0:
                    p.setBrush(colour)
                    p.drawRoundedRect(QRectF(track.x(), track.y(), max(4.0, bar_w * frac), track.height()), 3, 3)
                p.setPen(QColor("#333"))
                p.drawText(QRectF(label_w + bar_w + 6, y, text_w, self.ROW_HEIGHT), Qt.AlignmentFlag.AlignVCenter,
                           bar.text or f"{bar.value:g}")
                y += self.ROW_HEIGHT + self.GAP
