"""The app-wide event bus: after a write, the runner publishes what changed; each page decides whether to reload.

Pages never call each other, and never list topics after a save: a facade write returns
`Changed(value, Changes(...))` (app.ui.changes) and the job runner publishes those topics
here (`publish(parent, changes)`), on the bus of the window the work was started from.
`changed(topic)` is also emitted for every topic so that summary views (首页) can listen
to everything.
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Signal

from app.ui.changes import TOPICS, Changes

_latest: "weakref.ref[AppEvents] | None" = None


class AppEvents(QObject):
    school_changed = Signal()       # profile, programme, teaching points
    teachers_changed = Signal()     # roster (also status, group, teaching point)
    teams_changed = Signal()        # teams, members, 学科研修组
    hours_changed = Signal()        # hours records, activities, courses
    plans_changed = Signal()        # plan documents
    deadlines_changed = Signal()
    choices_changed = Signal()      # micro-ability choices (微能力)
    evidence_changed = Signal()     # evidence files (证据材料)
    assessment_changed = Signal()   # grades, 帮扶, excellent cases (校本考核)
    data_changed = Signal()         # anything may have changed (import, restore): reload all
    changed = Signal(str)           # any of the above, with its topic

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.origin = None          # while a publish runs: the widget whose job made the change
        global _latest
        _latest = weakref.ref(self)

    def emit(self, *topics: str) -> None:
        for topic in topics:
            if topic not in TOPICS:
                raise ValueError(f"unknown event topic {topic!r}")
            getattr(self, f"{topic}_changed").emit()
            self.changed.emit(topic)

    def publish(self, changes: Changes, origin=None) -> None:
        self.origin = origin
        try:
            self.emit(*changes.ordered())
        finally:
            self.origin = None


def bus_for(widget) -> AppEvents | None:
    """The bus of the window a widget belongs to: the nearest `.events` up its parents (a page's,
    the main window's), else the newest bus (a dialog opened before its window was shown)."""
    seen = 0
    while widget is not None and seen < 64:
        bus = getattr(widget, "events", None)
        if isinstance(bus, AppEvents):
            return bus
        parent = getattr(widget, "parent", None)
        try:
            widget = parent() if callable(parent) else None
        except RuntimeError:             # its C++ object is gone (a dialog closed meanwhile)
            widget = None
        seen += 1
    return _latest() if _latest is not None else None


def publish(widget, changes: Changes) -> None:
    """Tell the pages of `widget`'s window what a write changed."""
    bus = bus_for(widget)
    if bus is not None and changes:
        bus.publish(changes, origin=widget)


def comes_from(origin, widget) -> bool:
    """Whether `origin` is `widget` or below it, across dialog windows too (a page's own form)."""
    seen = 0
    while origin is not None and seen < 64:
        if origin is widget:
            return True
        parent = getattr(origin, "parent", None)
        try:
            origin = parent() if callable(parent) else None
        except RuntimeError:
            return False
        seen += 1
    return False
