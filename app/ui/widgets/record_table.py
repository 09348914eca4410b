"""A searchable table of records: search box (filters as you type), view, count, context menu.

    table = RecordTable(TeacherTableModel(), settings_name="teachers", settings=ctx.settings)
    table.set_rows(rows)
    table.current_row()          # the selected DTO (via ROW_ROLE, independent of sorting/filtering)
    table.select_key(teacher_id) # select and scroll to a record; False if it is filtered out or gone
    table.row_activated          # double-click / Enter on a row, with the DTO

Action buttons go into `table.button_bar` (left of the search box); the same
QActions are offered in the right-click menu via `add_action`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu, QTableView,
                               QToolButton, QVBoxLayout, QWidget)

from app.ui.widgets.selection import SelectionFollower, selected_row
from app.ui.widgets.table_model import RowDelegate, RowTableModel, SearchProxy


class RecordTable(QWidget):
    row_activated = Signal(object)
    selection_changed = Signal(object)      # the selected DTO or None

    def __init__(self, model: RowTableModel, *, settings_name: str = "", settings=None,
                 placeholder: str = "搜索（姓名、学科、工号等，空格分隔多个词）", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.model.setParent(self)
        self.proxy = SearchProxy(self)
        self.proxy.setSourceModel(model)
        self._settings_name, self._settings = settings_name, settings
        self._actions: list[QAction] = []
        self._build_ui(placeholder)
        self._connect_signals()
        self._restore_header()

    def _build_ui(self, placeholder: str) -> None:
        self.search = QLineEdit(placeholderText=placeholder, clearButtonEnabled=True)
        self.search.setToolTip(f"{placeholder}\n输入几个词（用空格分开）时，显示同时含有每个词的行。")
        self.search.setObjectName("search")
        self.search.setMinimumWidth(180)
        self.search.setMaximumWidth(380)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        self.button_bar = QHBoxLayout()
        self.button_bar.setSpacing(6)
        top = QHBoxLayout()
        top.addLayout(self.button_bar)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addWidget(self.search)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(RowDelegate(self.proxy, self.view))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # No row numbers: through the filter proxy they would be the unsorted, unfiltered
        # positions (37, 105, 6…), which mean nothing to the reader; the count label says how many.
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(28)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for i, col in enumerate(self.model.COLUMNS):
            self.view.setColumnWidth(i, col.width)
        self._apply_stretch()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self._on_search_text_changed)
        # `activated` is the platform's own "open this row": a double-click on Windows, or Enter.
        # (Connecting doubleClicked as well emitted row_activated twice and opened two dialogs.)
        self.view.activated.connect(self._on_view_double_clicked)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu)
        # Follow the selection itself: after a mouse click the current index moves before the
        # row is selected, so reading the row on currentRowChanged left buttons grey.
        self._follower = SelectionFollower(self.view, self.selection_changed.emit)
        # A filter change arrives as many row-range signals: count once, after them all.
        self._count_timer = QTimer(self, singleShot=True, interval=0)
        self._count_timer.timeout.connect(self.update_count)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._count_timer.start)
        self.view.horizontalHeader().sectionResized.connect(self._save_header)
        self.view.horizontalHeader().sortIndicatorChanged.connect(self._save_header)

    def add_button(self, action: QAction) -> QToolButton:
        """Show an action as a button above the table and in the right-click menu."""
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button_bar.addWidget(button)
        self.add_action(action)
        return button

    def add_action(self, action: QAction) -> None:
        self._actions.append(action)

    def set_rows(self, rows: list[Any]) -> None:
        keep = self.current_key()
        self.model.set_rows(rows)
        if keep is not None:
            self.select_key(keep, scroll=False)
        self._follower.update()          # listeners see the reloaded row (or that none is left)
        self.update_count()

    def current_row(self) -> Any | None:
        """The selected row's DTO (what the buttons act on), None when no row is selected."""
        return selected_row(self.view, RowTableModel.ROW_ROLE)

    def current_key(self) -> Any | None:
        row = self.current_row()
        return self.model.key(row) if row is not None else None

    def select_key(self, key: Any, *, scroll: bool = True) -> bool:
        """Select the record with this key; clears the search first if it hides the record."""
        pos = self.model.position_of(key)
        if pos is None:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(pos, 0))
        if not proxy_index.isValid() and self.search.text():
            self.search.clear()
            proxy_index = self.proxy.mapFromSource(self.model.index(pos, 0))
        if not proxy_index.isValid():
            return False
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.view.selectionModel().setCurrentIndex(proxy_index, flags)
        if scroll:
            self.view.scrollTo(proxy_index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def visible_rows(self) -> list[Any]:
        return [self.proxy.index(i, 0).data(RowTableModel.ROW_ROLE) for i in range(self.proxy.rowCount())]

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def update_count(self, *args) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        text = f"共 {total} 条" if shown == total else f"显示 {shown} / 共 {total} 条"
        if text != self.count_label.text():
            self.count_label.setText(text)

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self.update_count()

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        row = index.data(RowTableModel.ROW_ROLE)
        if row is not None:
            self.row_activated.emit(row)

    def _on_view_context_menu(self, pos: QPoint) -> None:
        if not self._actions:
            return
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.selectRow(index.row())
        menu = QMenu(self)
        for action in self._actions:
            menu.addAction(action)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _restore_header(self) -> None:
        if self._settings is None or not self._settings_name:
            return
        from app.ui.settings import table_state_key
        state = self._settings.get(table_state_key(self._settings_name))
        if not state.isEmpty():
            self.view.horizontalHeader().restoreState(state)
            self._apply_stretch()

    def _apply_stretch(self) -> None:
        """A long-text column marked `stretch` takes the spare width (else the last column does)."""
        header = self.view.horizontalHeader()
        stretch = [i for i, col in enumerate(self.model.COLUMNS) if col.stretch]
        header.setStretchLastSection(not stretch)
        for i in stretch:
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)

    def _save_header(self, *args) -> None:
        if self._settings is None or not self._settings_name:
            return
        from app.ui.settings import table_state_key
        self._settings.set(table_state_key(self._settings_name), self.view.horizontalHeader().saveState())


def standard_action(parent: QWidget, text: str, slot, shortcut: QKeySequence | str | None = None,
                    tip: str = "") -> QAction:
    """A QAction with Chinese text, an optional shortcut (active while the parent page is shown)."""
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        parent.addAction(action)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action
