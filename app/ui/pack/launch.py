"""Opening the collecting window: `tisheng pack open PATH`, or by itself when the app starts on a PC
without a school and a stick with a pack is plugged in."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QStorageInfo
from PySide6.QtWidgets import QInputDialog, QWidget

from app.services.packs.folder import PackFolder
from app.services.packs.startup import packs_on, removable, school_missing
from app.ui import jobs
from app.ui.errors import show_error

log = logging.getLogger(__name__)


def _wait(fn, timeout_ms: int = 60000):
    """Run a service call as a job and wait for it (start-up, before any window exists)."""
    box: dict = {}
    jobs.run_in_background(None, fn, on_done=lambda r: box.setdefault("result", r),
                           on_failed=lambda e: box.setdefault("error", e))
    jobs.wait_idle(timeout_ms)
    if "error" in box:
        raise box["error"]
    return box.get("result")


def open_pack_window(path: str | Path, parent: QWidget | None = None):
    """The PackWindow on the pack at `path`, shown; None (after a message) when it cannot be opened."""
    from app.ui.pack.pack_window import PackWindow
    try:
        pack = _wait(lambda ctx: PackFolder.open(path))
    except Exception as exc:              # noqa: BLE001 - shown to the user, whatever it is
        show_error(parent, exc)
        return None
    window = PackWindow(pack, parent)
    window.show()
    return window


def run_pack(path: str | Path) -> int:
    """`tisheng pack open PATH`: the collecting window only (no school data folder is opened)."""
    from app.ui.app import make_application
    from app.ui.errors import install_excepthook
    app = make_application()
    install_excepthook()
    window = open_pack_window(path)
    if window is None:
        return 2
    app.setQuitOnLastWindowClosed(True)
    return int(app.exec())


def mounted_roots() -> list[str]:
    """Every mounted, ready volume as Qt lists it (which of them are removable is asked in a job)."""
    return [v.rootPath() for v in QStorageInfo.mountedVolumes() if v.isValid() and v.isReady()]


def pack_at_start(database: Path) -> Path | None:
    """The pack to open instead of the set-up wizard: only when this data folder has no school and a
    stick holds a pack (several: the user picks one)."""
    roots = mounted_roots()
    if not roots:
        return None
    try:
        found = _wait(lambda ctx: packs_on(removable(roots)) if school_missing(database) else [], 20000) or []
    except Exception:                     # noqa: BLE001 - a stick that cannot be read: start as usual
        log.exception("looking for packs on %s", roots)
        return None
    if len(found) <= 1:
        return found[0] if found else None
    names = [str(p) for p in found]
    chosen, ok = QInputDialog.getItem(None, "打开采集包", "U盘上有几个采集包，请选择要打开的一个：", names, 0, False)
    return Path(chosen) if ok else None
