"""The selected row of a single-selection view, and a signal that follows it.

Buttons that act on "the row" must follow the *selection*, not the current
index: a mouse click moves the current index first and selects afterwards, a
programmatic `setCurrentIndex(…, ClearAndSelect)` selects first and moves the
current index afterwards. Reading the row on `currentChanged` therefore sees the
old selection after a click (the button stays grey until an arrow key), and
reading the current index on `selectionChanged` sees the old row after a
programmatic selection. `SelectionFollower` listens to both and reports the
row that is actually selected, once per change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QAbstractItemView

from app.ui.widgets.table_model import RowTableModel

ROW_ROLE = RowTableModel.ROW_ROLE          # the DTO of a row


def selected_row(view: QAbstractItemView, role: int = ROW_ROLE) -> Any | None:
    """The DTO of the selected row (None when nothing is selected)."""
    model = view.selectionModel()
    if model is None:
        return None
    rows = model.selectedRows()
    if not rows:
        indexes = model.selectedIndexes()
        rows = indexes[:1]
    return rows[0].data(role) if rows else None


class SelectionFollower(QObject):
    """Calls `slot(row)` whenever the selected row of `view` changes (row is None when none is)."""

    def __init__(self, view: QAbstractItemView, slot: Callable[[Any], None], role: int = ROW_ROLE) -> None:
        super().__init__(view)
        self._view, self._slot, self._role = view, slot, role
        self._last: Any = None
        model = view.selectionModel()
        model.selectionChanged.connect(self.update)
        model.currentRowChanged.connect(self.update)

    def update(self, *_args) -> None:
        """Report the selected row if it is another one than last reported (e.g. after a reload)."""
        row = selected_row(self._view, self._role)
        if row is self._last:
            return
        self._last = row
        self._slot(row)

    def forget(self) -> None:
        """The rows were replaced: report the next selection even if it looks the same."""
        self._last = None
