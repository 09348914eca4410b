"""Pick several teachers (activity and course participants, group members): search, tick, count."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QListView, QPushButton, QVBoxLayout, QWidget


class _CheckModel(QAbstractListModel):
    ID_ROLE = Qt.ItemDataRole.UserRole
    SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, teachers: list, checked: set[int], parent=None) -> None:
        super().__init__(parent)
        self._rows = [(t.id, f"{t.name}　{t.subject}" + (f"　{t.staff_no}" if t.staff_no else "")
                       + ("" if t.status == "在岗" else f"（{t.status}）")) for t in teachers]
        self._search = [text.casefold() for _id, text in self._rows]
        self.checked = set(checked)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        tid, text = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if tid in self.checked else Qt.CheckState.Unchecked
        if role == self.ID_ROLE:
            return tid
        if role == self.SEARCH_ROLE:
            return self._search[index.row()]
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        tid = self._rows[index.row()][0]
        on = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        (self.checked.add if on else self.checked.discard)(tid)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def set_checked(self, ids: Iterable[int], on: bool) -> None:
        ids = set(ids)
        if on:
            self.checked |= ids
        else:
            self.checked -= ids
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1), [Qt.ItemDataRole.CheckStateRole])


class _Proxy(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent) -> bool:
        hay = self.sourceModel().index(row, 0).data(_CheckModel.SEARCH_ROLE)
        return all(w in hay for w in self._words)


class TeacherPicker(QWidget):
    """A searchable checklist of teachers. `value()` is the list of ticked teacher ids."""

    changed = Signal()

    def __init__(self, teachers: list, checked: Iterable[int] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = _CheckModel(teachers, set(checked), self)
        self.proxy = _Proxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit(placeholderText="搜索姓名、学科或工号", clearButtonEnabled=True)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setMinimumHeight(180)
        self.select_all = QPushButton("全选（当前显示的）")
        self.select_none = QPushButton("全不选")
        self.count = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.select_all)
        buttons.addWidget(self.select_none)
        buttons.addStretch(1)
        buttons.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.search)
        lay.addWidget(self.list, 1)
        lay.addLayout(buttons)
        self.search.textChanged.connect(self.proxy.set_text)
        self.select_all.clicked.connect(lambda: self._set_visible(True))
        self.select_none.clicked.connect(lambda: self._set_visible(False))
        self.model.dataChanged.connect(self._on_model_changed)
        self._update_count()

    def value(self) -> list[int]:
        return sorted(self.model.checked)

    def set_checked(self, ids: Iterable[int], on: bool = True) -> None:
        self.model.set_checked(ids, on)

    def visible_ids(self) -> list[int]:
        return [self.proxy.index(i, 0).data(_CheckModel.ID_ROLE) for i in range(self.proxy.rowCount())]

    def _set_visible(self, on: bool) -> None:
        self.model.set_checked(self.visible_ids() if on else [r[0] for r in self.model._rows], on)

    def _on_model_changed(self, *args) -> None:
        self._update_count()
        self.changed.emit()

    def _update_count(self) -> None:
        self.count.setText(f"已选 {len(self.model.checked)} 人")


def teacher_combo(teachers: list, current_id: int | None = None, blank: str = "（不选）"):
    """A combo of teachers (data: id) you can type into to find one by name, subject or 工号."""
    from PySide6.QtWidgets import QComboBox, QCompleter
    box = QComboBox()
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    box.addItem(blank, None)
    for t in teachers:
        box.addItem(f"{t.name}（{t.subject or '未填学科'}{'，' + t.staff_no if t.staff_no else ''}）", t.id)
    completer = box.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    i = box.findData(current_id) if current_id is not None else 0
    box.setCurrentIndex(max(i, 0))
    return box


def combo_teacher_id(box) -> int | None:
    """The chosen teacher's id, also when the user typed a name exactly as listed."""
    i = box.findText(box.currentText())
    return box.itemData(i) if i >= 0 else None
