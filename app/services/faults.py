"""Named fault-injection points for crash and I/O tests.

Production code calls `hit("store.after_copy")` between write steps. Nothing
happens unless a test asks for it:

- `TISHENG_FAULT=store.after_copy` kills the process (SIGKILL) at that point;
  `store.after_copy@3` only at its third hit; several entries are separated by
  commas.
- `TISHENG_FAULT=store.after_copy:oserror:28` raises OSError errno 28 (disk
  full) there instead; `:oserror` alone raises EIO.
- `TISHENG_FAULT=db.full` makes every database connection unable to grow its file
  (PRAGMA max_page_count), so writes fail with SQLITE_FULL as on a full disk
  (read in app/models/db.py, which may not import this module);
- `TISHENG_FAULT_LOG=/path/file` appends every point passed, one per line, so
  a test can list the steps of an operation and then kill after each of them.
- `inject(point, action)` runs an in-process action (raise, corrupt a file…).

The environment is read on every hit, so a forked test child only has to set
os.environ before it starts the operation.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable

_hooks: dict[str, Callable[[], None]] = {}
_counts: dict[str, int] = {}


def inject(point: str, action: Callable[[], None] | None) -> None:
    """Install (or with None remove) an in-process action for a point."""
    if action is None:
        _hooks.pop(point, None)
    else:
        _hooks[point] = action


def clear() -> None:
    _hooks.clear()
    _counts.clear()


def reset_counts() -> None:
    """Forget how often each point was hit (a forked child starts counting afresh)."""
    _counts.clear()


def kill_now() -> None:
    """Die at once, as a power cut or Task Manager would: no cleanup, no flush."""
    os.kill(os.getpid(), signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)


def _parse(entry: str) -> tuple[str, int | None, str]:
    name, _, rest = entry.strip().partition(":")
    nth = None
    if "@" in name:
        name, _, n = name.partition("@")
        nth = int(n)
    return name, nth, rest


def hit(point: str) -> None:
    count = _counts[point] = _counts.get(point, 0) + 1
    log_file = os.environ.get("TISHENG_FAULT_LOG")
    if log_file:
        with open(log_file, "a", encoding="utf-8") as fh:
            fh.write(point + "\n")
    action = _hooks.get(point)
    if action is not None:
        action()
    spec = os.environ.get("TISHENG_FAULT")
    if not spec:
        return
    for entry in spec.split(","):
        name, nth, rest = _parse(entry)
        if name != point or (nth is not None and nth != count):
            continue
        if rest.startswith("oserror"):
            code = int(rest.split(":")[1]) if ":" in rest else errno.EIO
            raise OSError(code, os.strerror(code))
        kill_now()
