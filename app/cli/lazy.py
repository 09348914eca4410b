"""Service modules for the command handlers, imported when a handler first uses them.

`tisheng --help`, `--version` and every usage error build the whole parser, which imports
every cmd_* module; with this, none of them pulls in SQLAlchemy, openpyxl or reportlab
until a command actually runs.

    teachers = lazy("app.services.teachers")      # at module level
    teachers.list_teachers(ws)                     # imports it here, the first time
"""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    """Stands for a module until the first attribute is read, then forwards to it."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str):
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}{'' if self._module is None else ' (loaded)'}>"


def lazy(name: str) -> LazyModule:
    return LazyModule(name)
