"""Named fault-injection points for crash and I/O tests.

Production code calls `hit("store.after_copy")` between write steps. Nothing
happens unless TISHENG_FAULT names that point, e.g. `TISHENG_FAULT=store.after_copy`
(kill the process there) or `store.after_copy:oserror:28` (raise OSError errno 28,
disk full). Tests use `inject()` to raise from inside the same process.
"""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable

_hooks: dict[str, Callable[[], None]] = {}


def inject(point: str, action: Callable[[], None] | None) -> None:
    """Install (or with None remove) an in-process action for a point."""
    if action is None:
        _hooks.pop(point, None)
    else:
        _hooks[point] = action


def clear() -> None:
    _hooks.clear()


def hit(point: str) -> None:
    action = _hooks.get(point)
    if action is not None:
        action()
    spec = os.environ.get("TISHENG_FAULT")
    if not spec:
        return
    for entry in spec.split(","):
        name, _, rest = entry.partition(":")
        if name != point:
            continue
        if rest.startswith("oserror"):
            code = int(rest.split(":")[1]) if ":" in rest else errno.EIO
            raise OSError(code, os.strerror(code))
        os.kill(os.getpid(), signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
