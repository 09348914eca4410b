"""UI-only settings (window geometry, last page, last folders), typed, in one INI file.

The file is `<app.paths.config_dir()>/tisheng-ui.ini`. School data never goes
here. Every key is declared once below with its default; read and write them
through `Settings.get/set`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from app.paths import config_dir

T = TypeVar("T")
FILE_NAME = "tisheng-ui.ini"
VERSION = 1


@dataclass(frozen=True)
class Key(Generic[T]):
    name: str
    default: T


WINDOW_GEOMETRY = Key("window/geometry", QByteArray())
WINDOW_STATE = Key("window/state", QByteArray())
LAST_PAGE = Key("window/last_page", "首页")
LAST_FILE_DIR = Key("paths/last_file_dir", "")
LAST_DATA_DIR_PARENT = Key("paths/last_data_dir_parent", "")
RECENT_DATA_DIRS = Key("paths/recent_data_dirs", "")        # one folder per line, newest first
WIZARD_DRAFT = Key("wizard/draft", "")      # JSON: what the set-up wizard held when it was closed, and for which folder


def table_state_key(table: str) -> Key[QByteArray]:
    """Column widths/order/sort of one table (QHeaderView.saveState)."""
    return Key(f"tables/{table}", QByteArray())


_redirected: str | None = None


def redirect(path: str | None) -> None:
    """Send every `Settings()` of this process to another file (None: back to the user's own).

    `gui --screenshot` uses a throw-away file, so taking pictures never touches the user's settings.
    """
    global _redirected
    _redirected = path


class Settings:
    def __init__(self, qs: QSettings | None = None) -> None:
        self._qs = qs or QSettings(_redirected or str(config_dir() / FILE_NAME), QSettings.Format.IniFormat)
        if int(self._qs.value("meta/version", 0) or 0) < VERSION:
            self._qs.setValue("meta/version", VERSION)

    @property
    def path(self) -> str:
        return self._qs.fileName()

    def get(self, key: Key[T]) -> T:
        value = self._qs.value(key.name, key.default)
        if value is None:
            return key.default
        if isinstance(key.default, QByteArray):
            return value if isinstance(value, QByteArray) else QByteArray(value)
        if isinstance(key.default, bool):
            return value in (True, "true", "1", 1)
        if isinstance(key.default, int):
            try:
                return int(value)  # type: ignore[return-value]
            except (TypeError, ValueError):
                return key.default
        return str(value)  # type: ignore[return-value]

    def set(self, key: Key[T], value: T) -> None:
        self._qs.setValue(key.name, value)

    def sync(self) -> None:
        self._qs.sync()

    def recent_data_dirs(self) -> list[str]:
        return [line for line in self.get(RECENT_DATA_DIRS).splitlines() if line.strip()]

    def remember_data_dir(self, folder: str) -> None:
        dirs = [folder] + [d for d in self.recent_data_dirs() if d != folder]
        self.set(RECENT_DATA_DIRS, "\n".join(dirs[:8]))
