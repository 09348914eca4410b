"""Reading a roster file into a Table: the checks of the file and its header, no database and no
checks of the rows (roster_import.py), so that a caller can start reading before it has loaded
those or opened the school's data folder (see table.load_table's `meanwhile`); read_with_teachers
does both at once, for the command line and import_roster alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.services.excel.fields import ROSTER_FIELDS
from app.services.excel.safety import DEFAULT_LIMITS, Limits
from app.services.excel.table import Table, load_table
from app.services.progress import NO_PROGRESS, Progress

if TYPE_CHECKING:
    from app.services.excel.roster_db import EarlyState


def read_roster(path: Path, *, sheet: str | None = None, header_row: int | None = None,
                limits: Limits = DEFAULT_LIMITS, progress: Progress = NO_PROGRESS,
                meanwhile: Callable[[], Any] | None = None) -> Table:
    """Read the file and find its header (or use the given sheet / header row); no database access."""
    return load_table(Path(path), ROSTER_FIELDS, limits=limits, progress=progress, what="教师花名册",
                      sheet=sheet, header_row=header_row, meanwhile=meanwhile)


@contextmanager
def read_with_teachers(path: Path, open_ws: Callable[[], Any], *, limits: Limits = DEFAULT_LIMITS,
                       progress: Progress = NO_PROGRESS, also: Callable[[], Any] | None = None,
                       backup: bool = False) -> Iterator[tuple[Table, EarlyState]]:
    """read_roster, and while python-calamine parses the file: `also()` (the caller's own loading),
    then the school's data folder (`open_ws()`) and its teachers (EarlyState, for import_roster's
    `early`; `backup`: and the safety backup, for an import that may write), closed when the block
    ends."""
    made: list[EarlyState] = []

    def meanwhile() -> None:
        from app.services.excel.roster_db import EarlyState   # (sqlite3 too: loaded during the parse)
        if also is not None:
            also()
        made.append(EarlyState(open_ws(), backup=backup))
    try:
        table = read_roster(path, limits=limits, progress=progress, meanwhile=meanwhile)
        yield table, made[0]
    finally:
        for e in made:
            e.close()
