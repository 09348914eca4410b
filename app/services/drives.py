"""Which kind of drive a folder is on (U盘, local disk, network…), and the order to offer drives in.

Qt lists mounted volumes but cannot say "removable"; on Windows this asks
`GetDriveTypeW` through ctypes (no pywin32). Elsewhere a volume mounted under
/media, /run/media or /Volumes counts as removable. No Qt here: the GUI builds
`DriveInfo` rows from QStorageInfo and sorts them with `order_drives`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

REMOVABLE = "removable"
FIXED = "fixed"
NETWORK = "network"
OPTICAL = "optical"
UNKNOWN = "unknown"

KIND_NAMES = {REMOVABLE: "U盘/移动硬盘", FIXED: "本地磁盘", NETWORK: "网络驱动器", OPTICAL: "光盘",
              UNKNOWN: "磁盘"}
_ORDER = {REMOVABLE: 0, FIXED: 1, NETWORK: 2, UNKNOWN: 3, OPTICAL: 4}

# GetDriveTypeW results (winbase.h)
_WIN_KINDS = {2: REMOVABLE, 3: FIXED, 4: NETWORK, 5: OPTICAL, 6: FIXED}   # 6 = RAM disk

# Linux pseudo file systems that never make sense as an export target.
PSEUDO_FS = frozenset({"tmpfs", "devtmpfs", "proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue",
                       "securityfs", "pstore", "debugfs", "tracefs", "configfs", "fusectl", "hugetlbfs",
                       "autofs", "binfmt_misc", "bpf", "nsfs", "ramfs", "squashfs", "efivarfs", "rpc_pipefs"})


@dataclass(frozen=True)
class DriveInfo:
    """One mounted volume as the export page lists it."""

    root: str             # "E:\\" or "/media/usb"
    label: str            # volume label ("KINGSTON"), may be empty
    fs_type: str          # "FAT32", "exFAT", "NTFS", "ext4" …
    free: int             # bytes available to this user
    total: int
    read_only: bool
    kind: str             # REMOVABLE / FIXED / NETWORK / OPTICAL / UNKNOWN

    @property
    def id(self) -> str:
        return self.root

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, KIND_NAMES[UNKNOWN])

    @property
    def removable(self) -> bool:
        return self.kind == REMOVABLE

    @property
    def display_name(self) -> str:
        """「E: KINGSTON」 on Windows, the mount point elsewhere."""
        root = self.root.rstrip("\\/") if len(self.root) > 1 else self.root
        return f"{root} {self.label}".strip() if self.label and self.label != root else root


def drive_kind(root: str | os.PathLike) -> str:
    """REMOVABLE, FIXED, NETWORK, OPTICAL or UNKNOWN for the volume whose root this is."""
    text = str(root)
    if sys.platform == "win32":
        try:
            import ctypes
            anchor = PurePath(text).anchor or text
            if not anchor.endswith("\\"):
                anchor += "\\"
            return _WIN_KINDS.get(int(ctypes.windll.kernel32.GetDriveTypeW(anchor)), UNKNOWN)
        except (AttributeError, OSError, ValueError):
            return UNKNOWN
    norm = text.replace("\\", "/")
    if norm.startswith(("/media/", "/run/media/", "/mnt/usb")) or (
            sys.platform == "darwin" and norm.startswith("/Volumes/")):
        return REMOVABLE
    return FIXED


def usable(drive: DriveInfo) -> bool:
    """Worth offering as an export target: writable, not a pseudo or optical volume."""
    if drive.read_only or drive.kind == OPTICAL:
        return False
    if sys.platform != "win32" and drive.fs_type.lower() in PSEUDO_FS:
        return False
    return True


def order_drives(drives: Iterable[DriveInfo]) -> list[DriveInfo]:
    """Removable drives first (a U盘 is what the user came for), then local disks, then the rest."""
    seen: set[str] = set()
    out = []
    for d in sorted(drives, key=lambda d: (_ORDER.get(d.kind, 9), d.root.casefold())):
        if d.root not in seen:
            seen.add(d.root)
            out.append(d)
    return out
