"""The common page base, and the small protocol the main window relies on.

A page is a QWidget built as `PageClass(ws, events, parent=None)` with a class
attribute `TITLE` (its name in the navigation list). The window also uses,
when present (duck-typed, so a page need not subclass `Page`):

* `refresh()`: reload from the services (the base calls it when the page is
  shown after its data changed);
* `show_record(teacher_id=None, record_id=None, kind=None)` or
  `show_teacher(teacher_id, record_id=None)`: navigation from a finding;
* `add_record()`, `edit_record()`, `delete_record()`, `focus_search()`: the
  编辑 menu and toolbar; `SUPPORTS` lists which of "add", "edit", "delete",
  "search" apply;
* `navigate_requested(title, teacher_id, record_id, kind)`: a signal a page
  emits to send the user to another page (the 首页 findings do).

`Page` implements all of this: list `LISTENS_TO` event topics, override
`refresh()` and the actions you support. Reloads are lazy: a change while
the page is hidden only marks it stale.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget


class Page(QWidget):
    TITLE: ClassVar[str] = ""
    SUBTITLE: ClassVar[str] = ""
    SUPPORTS: ClassVar[frozenset[str]] = frozenset()
    LISTENS_TO: ClassVar[tuple[str, ...]] = ()

    navigate_requested = Signal(str, object, object, object)   # title, teacher_id, record_id, kind

    def __init__(self, ws, events, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.events = ws, events
        self._stale = True
        if self.LISTENS_TO:
            events.changed.connect(self._on_events_changed)

    def header(self, subtitle: str | None = None, extra: QWidget | None = None) -> QWidget:
        """A title row for the top of the page."""
        box = QWidget()
        title = QLabel(self.TITLE)
        title.setProperty("role", "pageTitle")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(title)
        row.addStretch(1)
        if extra is not None:
            row.addWidget(extra)
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 4)
        col.setSpacing(2)
        col.addLayout(row)
        text = self.SUBTITLE if subtitle is None else subtitle
        if text:
            sub = QLabel(text)
            sub.setProperty("role", "pageSubtitle")
            sub.setWordWrap(True)
            col.addWidget(sub)
        return box

    def refresh(self) -> None:
        """Override: reload the page's data from the services."""

    def ensure_loaded(self) -> None:
        if self._stale:
            self._stale = False
            self.refresh()

    def mark_stale(self) -> None:
        if self.isVisible():
            self._stale = False
            self.refresh()
        else:
            self._stale = True

    def show_record(self, teacher_id: int | None = None, record_id: int | None = None,
                    kind: str | None = None) -> None:
        """Override: select the record a finding points at."""

    def add_record(self) -> None: ...
    def edit_record(self) -> None: ...
    def delete_record(self) -> None: ...
    def focus_search(self) -> None: ...

    def notify(self, *topics: str) -> None:
        """After a write: tell every page (including this one) what changed."""
        self.events.emit(*topics)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def _on_events_changed(self, topic: str) -> None:
        if topic in self.LISTENS_TO or topic == "data":
            self.mark_stale()

