"""Ending a process without taking the interpreter apart (the `tisheng` command, the forms layout process).

When a process's work is over, Python waits for running threads and runs its exit hooks, then
frees every module and object one at a time: 0.2–0.3 s after an export, a check or a district
intake (SQLAlchemy's, pydantic's and our own objects), 0.04–0.1 s in a forms layout process
(reportlab and the fonts), time someone waits for with nothing left to happen. end_process() does
the first part as the interpreter would and then ends the process at once (os._exit). Nothing of
ours relies on a finalizer (the data folder's lock is an open handle the system lets go; see
instance_lock.py).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def end_process(code: int | None) -> None:
    """What the interpreter does at exit that anyone can see – wait for non-daemon threads, run
    the exit hooks (logging's among them), flush the output – then end the process."""
    shutdown = getattr(threading, "_shutdown", None)
    run_hooks = getattr(atexit, "_run_exitfuncs", None)
    if shutdown is None or run_hooks is None:          # not CPython: the usual way
        sys.exit(code)
    shutdown()                                         # as Py_FinalizeEx: joins threads, stops executors
    run_hooks()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    if code is None:                                   # as sys.exit(None): success
        code = 0
    os._exit(int(code) if isinstance(code, int) and 0 <= code <= 255 else 1)
