"""Locate files under resources/, both from a checkout and from a frozen build."""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Return a path under resources/ (PyInstaller puts it under sys._MEIPASS)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base.joinpath("resources", *parts)


@lru_cache(maxsize=None)
def load_json(*parts: str):
    """Read a JSON resource once; callers must not mutate the result."""
    with open(resource_path(*parts), encoding="utf-8") as fh:
        return json.load(fh)


def manual_path() -> Path:
    """The user manual (docs/用户手册.md with its images), in a checkout and in a frozen build."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base / "docs" / "用户手册.md"
