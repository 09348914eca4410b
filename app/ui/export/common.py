"""Small helpers shared by the 导出与打印 widgets: status notes, remembered folders, file names."""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QMainWindow, QWidget

from app.ui.settings import LAST_FILE_DIR, Key, Settings

log = logging.getLogger(__name__)

LAST_EXPORT_DIR = Key("paths/last_export_dir", "")
LAST_VERIFY_DIR = Key("paths/last_verify_dir", "")


def status_note(widget: QWidget | None, text: str, ms: int = 10000) -> None:
    """A message in the main window's status bar (logged when there is no window)."""
    window = widget.window() if widget is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, ms)
    else:
        log.info("%s", text)


def remembered_dir(key: Key[str] = LAST_FILE_DIR, fallback: Path | None = None) -> str:
    folder = Settings().get(key)
    if folder and Path(folder).is_dir():
        return folder
    return str(fallback or Path.home())


def remember_dir(path: str | Path, key: Key[str] = LAST_FILE_DIR) -> None:
    p = Path(path)
    Settings().set(key, str(p if p.is_dir() else p.parent))


def safe_file_part(text: str) -> str:
    """Text usable in a Windows file name."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" .") or "本校"


def school_name(school) -> str:
    """The name to put in file names, from a SchoolRow (or None before the school is read)."""
    return school.name if school is not None and school.name else "本校"


def dated_name(school: str, what: str, suffix: str) -> str:
    """「示例小学_签字确认表_20261123.pdf」 (`school`: the school's name)."""
    return f"{safe_file_part(school or '本校')}_{safe_file_part(what)}_{date.today():%Y%m%d}{suffix}"


def teacher_ref(row) -> str:
    """How the forms service finds one teacher: 工号, else the ID number, else the name."""
    return (getattr(row, "staff_no", "") or getattr(row, "id_number", "") or getattr(row, "name", "")).strip()
