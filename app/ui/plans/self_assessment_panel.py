"""学校自评: the school rates itself on each indicator its programme lists (徐汇: 校本应用考核要点)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSplitter,
                               QTextBrowser, QVBoxLayout, QWidget)

from app.services.self_assessment import LEVELS
from app.ui.jobs import run_in_background
from app.ui.style import BAD, OK, WARN
from app.ui.widgets.record_table import RecordTable
from app.ui.widgets.table_model import Column, RowTableModel

LEVEL_COLOUR = {"达成": OK, "基本达成": WARN, "未达成": BAD, "": BAD}


class IndicatorModel(RowTableModel):
    COLUMNS = (Column("编号", lambda r: r.key, width=50),
               Column("一级指标", lambda r: r.level1, width=80),
               Column("二级指标", lambda r: r.level2, width=120),
               Column("自评结果", lambda r: r.level or "未填写", width=80, colour=lambda r: LEVEL_COLOUR[r.level]),
               Column("说明", lambda r: r.note, width=260, stretch=True),
               Column("填写人", lambda r: r.by, width=70))

    @staticmethod
    def key(row):
        return row.key


class SelfAssessmentPanel(QWidget):
    """The indicators and a small form under them; `load()` reads, 保存 writes through the job lane."""

    loaded = Signal(list)             # the indicators ([] when the programme has none)

    def __init__(self, api, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api = api
        self.table = RecordTable(IndicatorModel(), settings_name="self_assessment", placeholder="搜索考核要点")
        self.table.selection_changed.connect(lambda *_: self._show())
        self.text = QTextBrowser()
        self.text.setObjectName("indicatorText")
        self.level = QComboBox()
        self.level.setObjectName("selfLevel")
        self.level.addItems(LEVELS)
        self.note = QLineEdit()
        self.note.setObjectName("selfNote")
        self.note.setPlaceholderText("做了什么、证据在哪里（如：见《整校推进实施方案》第三部分）")
        self.save = QPushButton("保存本项自评")
        self.save.setObjectName("saveSelfAssessment")
        self.save.clicked.connect(self._save)
        self.counter = QLabel()
        form = QFormLayout()
        form.addRow("自评结果", self.level)
        form.addRow("说明", self.note)
        row = QHBoxLayout()
        row.addWidget(self.counter, 1)
        row.addWidget(self.save)
        lower = QWidget()
        lower_lay = QVBoxLayout(lower)
        lower_lay.setContentsMargins(0, 4, 0, 0)
        lower_lay.addWidget(self.text, 1)
        lower_lay.addLayout(form)
        lower_lay.addLayout(row)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setSizes([300, 220])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    def load(self) -> None:
        run_in_background(self, lambda ctx: self.api.programme.list_indicators(), on_done=self._fill)

    def _fill(self, rows) -> None:
        self.loaded.emit(list(rows))
        key = self.table.current_key()
        self.table.set_rows(rows)
        done = sum(1 for r in rows if r.level)
        self.counter.setText(f"已填写 {done}/{len(rows)} 项" + ("" if done == len(rows) else "，未填写的项目是“必须处理”事项"))
        if rows and (key is None or not self.table.select_key(key)):
            self.table.select_key(next((r.key for r in rows if not r.level), rows[0].key))
        self._show()

    def _show(self) -> None:
        r = self.table.current_row()
        self.save.setEnabled(r is not None)
        if r is None:
            self.text.clear()
            return
        self.text.setHtml(f"<b>{escape(r.key)} {escape(r.level1)} › {escape(r.level2)}</b><p>{escape(r.text)}</p>")
        self.level.setCurrentText(r.level or LEVELS[0])
        self.note.setText(r.note)

    def _save(self) -> None:
        r = self.table.current_row()
        if r is None:
            return
        key, level, note = r.key, self.level.currentText(), self.note.text()
        run_in_background(self, lambda ctx: self.api.programme.rate(key, level, note))   # publishes "plans"
