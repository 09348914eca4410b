"""Frozen entry point of the windowed program (tisheng.exe): no console, so no stdout."""

import os
import sys

if sys.stdout is None:          # windowed build: give print() somewhere harmless to go
    sys.stdout = open(os.devnull, "w", encoding="utf-8")
if sys.stderr is None:
    sys.stderr = open(os.devnull, "w", encoding="utf-8")

if sys.argv[1:2] == ["--forms-worker"]:     # a forms layout process (app/services/forms/worker.py)
    from app.services.forms.worker import main as forms_worker
    forms_worker()           # ends the process

from app.cli.main import main  # noqa: E402

sys.exit(main())
