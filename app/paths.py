"""Where a school's data lives.

Priority: an explicit --data-dir, then TISHENG_DATA_DIR, then the platform's
per-user data folder. Everything a school owns lives below one folder, so two
data folders share nothing and a whole school moves with one copy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

ENV_VAR = "TISHENG_DATA_DIR"
_DIRS = PlatformDirs(appname="Tisheng", appauthor="Tisheng", roaming=False)


def default_data_dir() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(_DIRS.user_data_path)


def config_dir() -> Path:
    """UI-only settings (window geometry, last folder); never school data."""
    env = os.environ.get(ENV_VAR)
    path = Path(env).expanduser() / "ui" if env else Path(_DIRS.user_config_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class DataPaths:
    """All file locations inside one school's data folder."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "tisheng.sqlite3"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def ensure(self) -> "DataPaths":
        for p in (self.root, self.store, self.backups, self.logs, self.keys, self.tmp):
            p.mkdir(parents=True, exist_ok=True)
        return self


def data_paths(data_dir: str | os.PathLike | None = None) -> DataPaths:
    root = Path(data_dir).expanduser() if data_dir else default_data_dir()
    return DataPaths(root.resolve())
