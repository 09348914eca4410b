"""Frozen entry point of the console program (tisheng-cli.exe) for district staff and scripts."""

import sys

from app.cli.main import main

if sys.platform == "win32":
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass

sys.exit(main())
