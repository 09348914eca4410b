"""The row of combo boxes above the preview table: which field each column of the file is imported as.

Each combo sits exactly over its column (it follows column resizing and
horizontal scrolling), so the user reads "this column → 身份证号" the way
spreadsheet import screens show it. Choosing an entry emits
`mapping_changed(file column index, field key or None)`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QTableView, QWidget

from app.services.excel import ImportPreview
from app.ui.importing.preview_model import LEAD_COLUMNS, field_text

NOT_IMPORTED = "（不导入）"
STYLE = """
QComboBox[unmapped="true"] { color: #8a8a8a; font-style: italic; }
QComboBox[required="true"] { font-weight: bold; }
"""


class MappingBar(QWidget):
    mapping_changed = Signal(int, object)        # file column index, field key (None: not imported)

    def __init__(self, view: QTableView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._combos: list[QComboBox] = []
        self._indexes: list[int] = []
        self.setStyleSheet(STYLE)
        self.lead = QLabel("导入为 →", self)
        self.lead.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.lead.setToolTip("每一列的下拉框表示这列数据导入为哪一项；识别错了可以在这里改。")
        self.setFixedHeight(QComboBox().sizeHint().height() + 6)
        header = view.horizontalHeader()
        header.sectionResized.connect(self._reposition)
        header.geometriesChanged.connect(self._reposition)
        view.horizontalScrollBar().valueChanged.connect(self._reposition)
        view.viewport().installEventFilter(self)

    def set_preview(self, preview: ImportPreview | None) -> None:
        """One combo per file column, showing the field it is imported as."""
        for combo in self._combos:
            combo.deleteLater()
        self._combos, self._indexes = [], []
        if preview is not None:
            required = {f.key for f in preview.fields if f.required}
            choices = preview.field_choices
            for col in preview.columns:
                combo = QComboBox(self)
                combo.setObjectName(f"mapping_{col.letter}")
                combo.addItem(NOT_IMPORTED, None)
                for key, label in choices:
                    combo.addItem(field_text(key, label) + ("（必填）" if key in required else ""), key)
                combo.setCurrentIndex(max(0, combo.findData(col.field)) if col.field else 0)
                combo.setProperty("unmapped", not col.field)
                combo.setProperty("required", col.field in required)
                combo.setToolTip(self._tooltip(col, combo.currentText()))
                combo.setMaxVisibleItems(20)
                combo.currentIndexChanged.connect(lambda _i, c=combo, idx=col.index: self._on_combo_changed(c, idx))
                combo.show()
                self._combos.append(combo)
                self._indexes.append(col.index)
        self._reposition()

    def combo_for(self, column_index: int) -> QComboBox:
        """The combo of the file column with this 0-based index (A = 0)."""
        return self._combos[self._indexes.index(column_index)]

    def combos(self) -> list[QComboBox]:
        return list(self._combos)

    def _tooltip(self, col, text: str) -> str:
        head = f"{col.letter} 列“{col.header}”" if col.header else f"{col.letter} 列"
        tip = f"{head} 导入为：{text}" if col.field else f"{head} 不导入。如需导入，请选择它对应的项目。"
        return tip + (f"\n{col.note}" if col.note else "")

    def _on_combo_changed(self, combo: QComboBox, column_index: int) -> None:
        self.mapping_changed.emit(column_index, combo.currentData())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._reposition()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._reposition()

    def _reposition(self, *args) -> None:
        view = self._view
        header = view.horizontalHeader()
        left = view.viewport().x() + (view.x() - self.x())
        right = left + view.viewport().width()
        h = self.height() - 6
        lead_w = sum(header.sectionSize(i) for i in range(min(LEAD_COLUMNS, header.count())))
        lead_x = left + (header.sectionViewportPosition(0) if header.count() else 0)
        self.lead.setGeometry(lead_x, 3, max(0, lead_w - 6), h)
        self.lead.setVisible(lead_x + lead_w > left)
        for i, combo in enumerate(self._combos):
            section = LEAD_COLUMNS + i
            if section >= header.count():
                combo.hide()
                continue
            x = left + header.sectionViewportPosition(section)
            w = header.sectionSize(section)
            combo.setGeometry(x + 1, 3, max(0, w - 2), h)
            combo.setVisible(x + w > left and x < right)
