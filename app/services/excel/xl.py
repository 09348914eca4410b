"""openpyxl as this app loads it: without numpy, and only with defusedxml.

Import this module before any `from openpyxl import …` (the workbook writers do). openpyxl
imports numpy whenever it is installed, only to recognise numpy number types, which this app
never gives it: ~13 MB and 60 ms in every process that writes a workbook (the installer ships
without numpy). numpy is hidden for that one import and stays importable for anything else.
"""

from __future__ import annotations

import sys


def _import_openpyxl():
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
