"""Compliance check of a 1,000-teacher school against a bare read of the same rows."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from make_school import make_school
from timing import best

TABLES = ("teacher", "hoursrecord", "abilitychoice", "evidencefile", "assessment", "evidenceitem",
          "supportrecord", "excellentcase", "activityattendance", "plandocument")


def run(quick: bool):
    from app.services.compliance import run_check
    from app.services.workspace import Workspace
    n = 200 if quick else 1000
    with tempfile.TemporaryDirectory() as d:
        make_school(Path(d), teachers=n)
        with Workspace.open(d) as ws:
            ours = best(lambda: run_check(ws))
            db = ws.paths.database

            def bare():
                con = sqlite3.connect(db)
                for t in TABLES:
                    con.execute(f"SELECT * FROM {t}").fetchall()
                con.close()
            base = best(bare)
    from timing import Result
    return [Result(f"check_{n}_teachers_in_process", ours, base)]
