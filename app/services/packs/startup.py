"""At start-up on a teaching point PC: is there a school in this data folder, and which packs are on the sticks?"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from app.dbfile import connect_readonly

# The pack reader and the drive probe are imported when a pack is looked for: every start of the app
# asks school_missing first, and a PC with a school never needs them.


def school_missing(database: Path) -> bool:
    """True when the data folder holds no school yet (no database, or one without a school row).

    Read-only and quiet: anything odd (a damaged file) returns False, so the normal start-up checks
    run and say what is wrong.
    """
    if not database.exists() or database.stat().st_size == 0:
        return True
    try:
        con = connect_readonly(database, timeout=2)
        try:
            return con.execute("SELECT count(*) FROM school").fetchone()[0] == 0
        finally:
            con.close()
    except sqlite3.Error:
        return False


def packs_on(roots: list[str | os.PathLike]) -> list[Path]:
    """Pack folders at the top of these drives or one level down, newest name last."""
    from app.services.packs.folder import find_packs
    return sorted(find_packs(roots), key=lambda p: p.name)


def removable(roots: list[str]) -> list[str]:
    """The roots that are U盘 or removable disks (asked of the OS: may take a moment on a dead drive)."""
    from app.services import drives
    return [r for r in roots if drives.drive_kind(r) == drives.REMOVABLE]
