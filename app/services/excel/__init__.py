"""Rosters and hours in and out of Excel, as school offices really have them.

Public API (no Qt here; the GUI calls these on a worker thread):

- templates:  write_roster_template(dest, ...), write_hours_template(dest, ...),
              write_template(ws, "roster" | "hours", dest)
- rosters:    read_roster(path, sheet=None, header_row=None) → Table (no DB);
              preview_roster(ws, path | Table, mapping=None) → ImportPreview (nothing written;
              .columns, .rows, .errors, .warnings, .notices, .blocked);
              remap_roster(ws, preview, {column index: field key | None}) → ImportPreview;
              commit_roster(ws, preview, skip_invalid=False) → ImportResult (one transaction);
              import_roster(ws, path, dry_run=False, skip_invalid=False) → ImportResult (CLI)
- hours:      read_hours / preview_hours / remap_hours / commit_hours / import_hours (same shape)
- peek(path): the first rows of each sheet, to let a user point at the header row
- errors:     write_error_workbook(preview.table, preview.errors) → Path
- report:     write_report(ws, dest, unmask=False, progress=NO_PROGRESS) → Path

Reading is hardened: a zip pre-scan (safezip and the part limits in safety.py), then
python-calamine on the very file handle that was checked, after a byte scan that refuses any
DOCTYPE and sends sheets that would make too large a grid to openpyxl's streaming reader
(readers.py); openpyxl, loaded through xl.py, only with defusedxml; a row limit, and Chinese
messages that name the file for every refusal.
"""

from __future__ import annotations

import importlib

# The parts are loaded on first use (PEP 562), so that importing a roster loads neither openpyxl
# (only the workbook writers need it, through xl.py) nor the writers.
_HOMES = {"write_error_workbook": "error_workbook", "commit_hours": "hours_import", "import_hours": "hours_import",
          "preview_hours": "hours_import", "read_hours": "hours_import", "remap_hours": "hours_import",
          "write_report": "report", "ImportPreview": "results", "ImportResult": "results",
          "PlannedRow": "results", "RowProblem": "results", "commit_roster": "roster_import",
          "import_roster": "roster_import", "preview_roster": "roster_import", "read_roster": "roster_read",
          "remap_roster": "roster_import", "DEFAULT_LIMITS": "safety", "FileRejected": "safety",
          "Limits": "safety", "Table": "table", "peek": "table", "write_hours_template": "templates",
          "write_roster_template": "templates", "write_template": "templates", "openpyxl": "xl"}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = sorted(set(_HOMES) - {"openpyxl"})
