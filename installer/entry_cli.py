"""Frozen entry point of the console program (tisheng-cli.exe) for district staff and scripts."""

import sys

if sys.argv[1:2] == ["--forms-worker"]:     # a forms layout process (app/services/forms/worker.py)
    from app.services.forms.worker import main as forms_worker
    forms_worker()           # ends the process

from app.cli.entry import run_command  # noqa: E402

if sys.platform == "win32":
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass

run_command()
