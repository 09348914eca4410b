"""The `tisheng` process: run the command, then end it without taking the interpreter apart.

When main() returns, a command's work is over: the data folder is closed, the log closed and
the output flushed. Python would then wait for running threads and run its exit hooks, which
is done here as well, and finally free every module and object one at a time: 0.2–0.3 s after
an export, a check or a district intake (SQLAlchemy's, pydantic's and our own objects), time a
user waits for with nothing left to happen. So after the threads and the hooks the process
ends at once (os._exit). Nothing of ours relies on a finalizer (the data folder's lock is an
open handle the system lets go; see instance_lock.py).

A process that loaded Qt (the window, screenshots) ends normally: Qt's own teardown runs there.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

from app.cli.main import main


def run_command() -> None:
    """Entry point of `tisheng`, `python -m app` and the frozen console program."""
    code = main()
    if "PySide6.QtCore" in sys.modules:
        sys.exit(code)
    end_process(code)


def end_process(code: int) -> None:
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
    os._exit(code if isinstance(code, int) and 0 <= code <= 255 else 1)
