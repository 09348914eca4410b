"""The common page base, and the small protocol the main window relies on.

A page is a QWidget built as `PageClass(api, events, parent=None)` with a class
attribute `TITLE` (its name in the navigation list); `api` is the window's
app.ui.facades.Facades, the only way to the data, called only in work functions
handed to the job runner (app.ui.jobs). The window also uses, when present
(duck-typed, so a page need not subclass `Page`):

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
the page is hidden only marks it stale. refresh() loads in the background with
`self.load(work, fill)`: work(ctx) runs on the database lane (facade calls only
there), fill(result) on the GUI thread, and a newer load of the same slot makes an
older result stale. `when_loaded(fn)` runs fn once the loads under way are in
(navigation to a record that is still loading). Writes need no follow-up: the
runner publishes what they changed.
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

    def __init__(self, api, events, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.api, self.events = api, events
        self._stale = True
        self._loads = 0
        self._after_load: list = []
        self._load_tokens: dict[str, int] = {}
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
        """Override: reload the page's data from the services (in a background job)."""

    def load(self, work, fill, *, slot: str = "main", delay_ms: int = 0):
        """Run work(ctx) in the background; fill(result) on the GUI thread unless a newer load of
        the same slot started meanwhile. Returns the Job."""
        from app.ui import jobs
        token = self._load_tokens[slot] = self._load_tokens.get(slot, 0) + 1
        self.loading()

        def done(result) -> None:
            try:
                if self._load_tokens.get(slot) == token:
                    fill(result)
            finally:
                self.loaded()

        def failed(exc: BaseException) -> None:
            self.loaded()
            if self._load_tokens.get(slot) == token:
                from app.ui.errors import show_error
                show_error(self, exc)

        return jobs.run_in_background(self, work, on_done=done, on_failed=failed, delay_ms=delay_ms)

    def loading(self) -> None:
        self._loads += 1

    def loaded(self) -> None:
        """The rows asked for by refresh() are in: run what waited for them."""
        self._loads = max(0, self._loads - 1)
        if self._loads == 0:
            pending, self._after_load = self._after_load, []
            for fn in pending:
                fn()

    def when_loaded(self, fn) -> None:
        """Run fn now, or once the load under way is in (e.g. select a record navigated to)."""
        if self._loads:
            self._after_load.append(fn)
        else:
            fn()

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

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.ensure_loaded()

    def own_change(self, topic: str) -> bool:
        """Override: a change this page's own widgets made (their job's result has arrived); return
        True if the page brought itself up to date, False to reload as for anyone else's change."""
        return False

    def _on_events_changed(self, topic: str) -> None:
        if topic in self.LISTENS_TO or topic == "data":
            from app.ui.events import comes_from
            if topic != "data" and comes_from(getattr(self.events, "origin", None), self) and self.own_change(topic):
                return
            self.mark_stale()

