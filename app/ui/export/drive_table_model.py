"""The drives offered as export targets (U盘 first), read from QStorageInfo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStorageInfo

from app.services.bundle.destination import human_size
from app.services.drives import DriveInfo, drive_kind, order_drives, usable
from app.ui.style import MUTED, OK
from app.ui.widgets.table_model import ALIGN_RIGHT, Column, RowTableModel


def list_drives() -> list[DriveInfo]:
    """Mounted, ready, writable volumes, removable ones first."""
    found = []
    for vol in QStorageInfo.mountedVolumes():
        if not vol.isValid() or not vol.isReady():
            continue
        root = vol.rootPath()
        if not Path(root).is_dir():
            continue
        fs = bytes(vol.fileSystemType().data()).decode("ascii", errors="replace")
        found.append(DriveInfo(root=str(Path(root)), label=vol.name(), fs_type=fs, free=vol.bytesAvailable(),
                               total=vol.bytesTotal(), read_only=vol.isReadOnly(), kind=drive_kind(root)))
    return order_drives(d for d in found if usable(d))


class DriveTableModel(RowTableModel):
    COLUMNS = (
        Column("位置", lambda d: d.display_name, width=170,
               tooltip=lambda d: d.root),
        Column("类型", lambda d: d.kind_name, width=100,
               colour=lambda d: OK if d.removable else None),
        Column("格式", lambda d: d.fs_type, width=70, colour=lambda _d: MUTED),
        Column("可用空间", lambda d: human_size(d.free), sort=lambda d: d.free, width=90, align=ALIGN_RIGHT),
    )

    @staticmethod
    def key(row: DriveInfo) -> str:
        return row.root
