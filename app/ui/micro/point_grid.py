"""The 30 points as check boxes: environments across, dimensions down."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.services.choices import DIMENSIONS, PointInfo, outside_environment_reason
from app.services.evidence import ItemInfo

ENVIRONMENTS = (("多媒体", "A 多媒体教学环境"), ("混合", "B 混合学习环境"), ("智慧", "C 智慧学习环境"))


def point_tooltip(p: PointInfo, items: list[ItemInfo], reason: str | None = None) -> str:
    """Rich text: name, description, the evidence items, and why it is disabled."""
    rows = "".join(f"<li>{html.escape(i.title)}（{'/'.join(i.kinds) or '不限'}"
                   f"{f'，建议不超过 {i.max_mb} MB' if i.max_mb else ''}"
                   f"{f'，视频不超过 {i.max_minutes} 分钟' if i.max_minutes else ''}）</li>" for i in items)
    out = (f"<b>{html.escape(p.label)}</b><br>{html.escape(p.environment)}环境 · {html.escape(p.dimension)}维度"
           f"<p>{html.escape(p.description)}</p><b>需提交的证据：</b><ol>{rows or '<li>（未设置）</li>'}</ol>")
    if reason:
        out += f"<p style='color:#c0392b'>{html.escape(reason)}</p>"
    return out


class PointGrid(QWidget):
    """Emits selection_changed(codes) after each click and point_hovered(code) on hover or focus."""

    selection_changed = Signal(list)
    point_hovered = Signal(str)
    drop_requested = Signal(str)      # a chosen point with evidence is being un-ticked: ask first

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.boxes: dict[str, QCheckBox] = {}
        self._order: list[str] = []
        self._guarded: set[str] = set()
        self._grid = QGridLayout(self)
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(4)
        self._grid.setContentsMargins(4, 4, 4, 4)

    def set_points(self, points: tuple[PointInfo, ...], environment: str, items: dict[str, list[ItemInfo]]) -> None:
        """Build the boxes once per catalogue/environment; disabled boxes carry the reason."""
        while self._grid.count():
            w = self._grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.boxes.clear()
        self._order = [p.code for p in points]
        for c, (env, title) in enumerate(ENVIRONMENTS, 1):
            head = QLabel(f"<b>{title}</b>")
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._grid.addWidget(head, 0, c)
        for r, dim in enumerate(DIMENSIONS, 1):
            label = QLabel(f"<b>{dim}</b>")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            self._grid.addWidget(label, r, 0)
            for c, (env, _title) in enumerate(ENVIRONMENTS, 1):
                cell = QFrame()
                cell.setObjectName("pointCell")
                cell.setFrameShape(QFrame.Shape.StyledPanel)
                lay = QVBoxLayout(cell)
                lay.setContentsMargins(4, 2, 4, 2)
                lay.setSpacing(0)
                inside = [p for p in points if p.environment == env and p.dimension == dim]
                for p in inside:
                    reason = outside_environment_reason(p, environment)
                    box = QCheckBox(p.label)
                    box.setObjectName(f"point_{p.code}")
                    box.setToolTip(point_tooltip(p, items.get(p.code, []), reason))
                    box.setEnabled(reason is None)
                    box.installEventFilter(self)
                    box.clicked.connect(lambda checked, code=p.code: self._on_box_clicked(code, checked))
                    self.boxes[p.code] = box
                    lay.addWidget(box)
                if not inside:
                    none = QLabel("（无）")
                    none.setStyleSheet("color:#808080")
                    lay.addWidget(none)
                lay.addStretch(1)
                self._grid.addWidget(cell, r, c)
        for c in range(1, 4):
            self._grid.setColumnStretch(c, 1)

    def set_checked(self, codes: list[str] | tuple[str, ...], guarded: set[str] | None = None) -> None:
        """Tick exactly `codes`. Un-ticking a guarded code (it has evidence) asks first."""
        self._guarded = set(guarded or ())
        for code, box in self.boxes.items():
            box.setChecked(code in codes)

    def checked_codes(self) -> list[str]:
        return [c for c in self._order if c in self.boxes and self.boxes[c].isChecked()]

    def set_all_enabled(self, enabled: bool, environment_reasons: dict[str, str | None] | None = None) -> None:
        for code, box in self.boxes.items():
            allowed = environment_reasons is None or environment_reasons.get(code) is None
            box.setEnabled(enabled and allowed)

    def toggle(self, code: str) -> None:
        """What a click on the box does (also used by keyboard users and tests)."""
        box = self.boxes[code]
        if box.isEnabled():
            box.click()

    def _on_box_clicked(self, code: str, checked: bool) -> None:
        if not checked and code in self._guarded:
            self.boxes[code].setChecked(True)        # stays ticked until the page confirms
            self.drop_requested.emit(code)
            return
        self.selection_changed.emit(self.checked_codes())

    def confirm_drop(self, code: str) -> None:
        self._guarded.discard(code)
        self.boxes[code].setChecked(False)
        self.selection_changed.emit(self.checked_codes())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Enter, QEvent.Type.FocusIn) and isinstance(obj, QCheckBox):
            code = obj.objectName().removeprefix("point_")
            self.point_hovered.emit(code)
        return False
