"""python-calamine's parse of a workbook's sheets, started on a thread as soon as the checks pass.

python-calamine lays out a sheet's grid with the GIL released (pyo3's allow_threads), so the
caller's own work – opening the data folder, loading the row checks – goes on meanwhile
(table.load_table's `meanwhile`): a roster of 5,000 rows is parsed in about the time the
command line takes to open the school's database. The workbook is used by this thread alone
until `wait()` returns; `close()` waits too, so that the workbook is never closed under a parse.
"""

from __future__ import annotations

import threading
from typing import Any


class ParseAhead:
    """Each named sheet of an open CalamineWorkbook, parsed in order on one thread."""

    def __init__(self, workbook: Any, names: list[str]) -> None:
        self._workbook = workbook
        self._sheets: dict[str, Any] = {}
        self._errors: dict[str, BaseException] = {}
        self._thread = threading.Thread(target=self._run, args=(names,), name="calamine-parse", daemon=True)
        self._thread.start()

    def _run(self, names: list[str]) -> None:
        for name in names:
            try:
                self._sheets[name] = self._workbook.get_sheet_by_name(name)
            except BaseException as exc:         # raised where the sheet is asked for
                self._errors[name] = exc

    def wait(self) -> None:
        self._thread.join()

    def sheet(self, name: str) -> Any:
        """The parsed sheet (parsed now if it was not among the names); raises the parse's error."""
        self.wait()
        if name in self._errors:
            raise self._errors[name]
        found = self._sheets.get(name)
        return found if found is not None else self._workbook.get_sheet_by_name(name)
