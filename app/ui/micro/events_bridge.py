"""Talking to the shell's AppEvents bus by topic, so pages never reference each other."""

from __future__ import annotations

from collections.abc import Callable


def _signal(events, topic: str):
    return getattr(events, f"{topic}_changed", None) if events is not None else None


def connect_reload(events, slot: Callable, *topics: str) -> None:
    """Call slot() whenever any of these topics changes (topics the bus lacks are skipped)."""
    for topic in topics:
        sig = _signal(events, topic)
        if sig is not None:
            sig.connect(slot)


def notify(events, topic: str) -> bool:
    """Tell the other pages that `topic` changed; False when the bus has no such signal."""
    sig = _signal(events, topic)
    if sig is None:
        return False
    sig.emit()
    return True
