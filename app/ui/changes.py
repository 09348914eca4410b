"""What a write changed, as topics the window's pages listen to (Anki's OpChanges, small).

A facade write (app.ui.facades) returns `Changed(value, Changes(...))`; the job runner
(app.ui.jobs) publishes the topics on the window's event bus (app.ui.events) and hands
`value` to the caller's on_done. Pages never list topics by hand after a save: a page
listens to the topics it shows (Page.LISTENS_TO) and reloads when one of them changes.
No Qt here: facades run on worker threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TOPICS = ("school", "teachers", "teams", "hours", "plans", "deadlines", "choices", "evidence", "assessment",
          "data")


@dataclass(frozen=True)
class Changes:
    """A set of topics; `Changes("teachers", "hours")`. "data" means anything (an import, a restore)."""

    topics: frozenset[str]

    def __init__(self, *topics: str) -> None:
        unknown = [t for t in topics if t not in TOPICS]
        if unknown:
            raise ValueError(f"unknown change topics {unknown}; known: {TOPICS}")
        object.__setattr__(self, "topics", frozenset(topics))

    def __bool__(self) -> bool:
        return bool(self.topics)

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(*(self.topics | other.topics))

    def ordered(self) -> tuple[str, ...]:
        return tuple(t for t in TOPICS if t in self.topics)


NOTHING = Changes()


@dataclass(frozen=True)
class Changed:
    """A write's own result, and what it changed."""

    value: Any
    changes: Changes

    def map(self, fn) -> "Changed":
        """The same changes with fn(value) as the result (a work function that reads after a write)."""
        return Changed(fn(self.value), self.changes)
