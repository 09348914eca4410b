"""The app-wide event bus: after a write, the UI emits; each page decides whether to reload.

Pages never call each other. A page that saved something calls
`events.emit("teachers")` (or the signal directly); `changed(topic)` is also
emitted for every topic so that summary views (首页) can listen to everything.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

TOPICS = ("school", "teachers", "teams", "hours", "plans", "deadlines", "choices", "evidence", "assessment",
          "data")


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

    def emit(self, *topics: str) -> None:
        for topic in topics:
            if topic not in TOPICS:
                raise ValueError(f"unknown event topic {topic!r}")
            getattr(self, f"{topic}_changed").emit()
            self.changed.emit(topic)
