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

Reading is hardened: a zip pre-scan before openpyxl, defusedxml inside openpyxl
(checked right here), read-only mode, a row limit, and Chinese messages that
name the file for every refusal.
"""

from __future__ import annotations

import sys


def _import_openpyxl():
    """openpyxl imports numpy whenever it is installed, only to recognise numpy number
    types, which this app never gives it: ~13 MB and 60 ms in every process that writes
    a workbook (the installer ships without numpy). numpy is hidden for that one import
    and stays importable for anything else."""
    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        import openpyxl
        return openpyxl
    sys.modules["numpy"] = None                # type: ignore[assignment]  # makes `import numpy` fail
    try:
        import openpyxl
    finally:
        del sys.modules["numpy"]
    return openpyxl


openpyxl = _import_openpyxl()

if openpyxl.DEFUSEDXML is not True:  # pragma: no cover - a packaging mistake, not a user error
    raise ImportError("openpyxl is not using defusedxml: install defusedxml and do not set "
                      "OPENPYXL_DEFUSEDXML=False; hostile .xlsx files could exhaust memory.")

from app.services.excel.error_workbook import write_error_workbook  # noqa: E402
from app.services.excel.hours_import import (commit_hours, import_hours, preview_hours,  # noqa: E402
                                             read_hours, remap_hours)
from app.services.excel.report import write_report  # noqa: E402
from app.services.excel.results import ImportPreview, ImportResult, PlannedRow, RowProblem  # noqa: E402
from app.services.excel.roster_import import (commit_roster, import_roster, preview_roster,  # noqa: E402
                                              read_roster, remap_roster)
from app.services.excel.safety import DEFAULT_LIMITS, FileRejected, Limits  # noqa: E402
from app.services.excel.table import Table, peek  # noqa: E402
from app.services.excel.templates import (write_hours_template, write_roster_template,  # noqa: E402
                                          write_template)

__all__ = ["DEFAULT_LIMITS", "FileRejected", "ImportPreview", "ImportResult", "Limits", "PlannedRow",
           "RowProblem", "commit_hours", "commit_roster", "import_hours", "import_roster",
           "peek", "preview_hours", "preview_roster", "read_hours", "read_roster", "remap_hours",
           "remap_roster", "Table", "write_error_workbook",
           "write_hours_template", "write_report", "write_roster_template", "write_template"]
