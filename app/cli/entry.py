"""Entry point of `tisheng`, `python -m app` and the frozen console program.

The process ends at once after its command (app/process_end.py); a process that loaded Qt
(the window, screenshots) ends the usual way, so that Qt's own teardown runs.
"""

from __future__ import annotations

import sys

from app.cli.main import main
from app.process_end import end_process


def run_command() -> None:
    code = main()
    if "PySide6.QtCore" in sys.modules:
        sys.exit(code)
    end_process(code)
