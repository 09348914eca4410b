"""Where a data folder lives: a network share or a removable drive gets a warning at start-up.

SQLite's WAL mode does not work on network file systems, and a stick pulled while the
app runs can damage the database; both are told to the user, neither is refused.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable

DRIVE_UNKNOWN, DRIVE_NO_ROOT_DIR, DRIVE_REMOVABLE, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK = range(7)
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "fuse.sshfs", "afs", "ncpfs",
               "9p", "fuse.rclone", "davfs", "fuse.davfs2"}


def _win_drive_type(root: str) -> int:  # pragma: no cover - Windows only
    import ctypes
    return int(ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))


def _posix_drive_type(path: str) -> int:
    """Network file systems from /proc/self/mounts (the longest matching mount point)."""
    best, fstype = "", ""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mnt = parts[1].replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, fstype = mnt, parts[2]
    except OSError:
        return DRIVE_UNKNOWN
    return DRIVE_REMOTE if fstype in _NETWORK_FS else DRIVE_FIXED


def drive_type(path: str | os.PathLike, getter: Callable[[str], int] | None = None) -> int:
    """GetDriveTypeW for the drive holding `path`; a UNC path (\\\\server\\share) is remote.

    `getter` receives the drive root ("C:\\\\") on Windows or the path elsewhere; tests inject it.
    """
    s = os.fspath(path)
    if s.startswith(("\\\\?\\UNC\\", "//?/UNC/")):
        return DRIVE_REMOTE
    if s.startswith(("\\\\?\\", "\\\\.\\", "//?/", "//./")):
        s = s[4:]
    elif s.startswith(("\\\\", "//")):
        return DRIVE_REMOTE
    if re.match(r"^[A-Za-z]:", s):
        root = s[:2] + "\\"
    else:
        root = s
    if getter is None:
        getter = _win_drive_type if sys.platform == "win32" else _posix_drive_type
    try:
        return int(getter(root))
    except (OSError, AttributeError, ValueError):
        return DRIVE_UNKNOWN


def storage_warning(path: str | os.PathLike, drive_type_value: int | Callable[[str], int] | None = None
                    ) -> str | None:
    """A Chinese warning when the data folder is on a network share or a removable drive."""
    kind = drive_type_value if isinstance(drive_type_value, int) else drive_type(path, drive_type_value)
    if kind == DRIVE_REMOTE:
        return (f"数据文件夹“{path}”位于网络共享（网络驱动器）上。SQLite 数据库在网络共享上可能损坏，"
                "多台电脑同时打开更会造成数据丢失。请把数据文件夹移到本机硬盘（例如 C 盘或 D 盘），"
                "需要共享时用“完整备份”拷贝。")
    if kind == DRIVE_REMOVABLE:
        return (f"数据文件夹“{path}”位于U盘或移动硬盘上。拔出前务必先关闭本软件，否则数据可能损坏；"
                "建议把数据文件夹放在本机硬盘上，U盘只用于备份。")
    return None


