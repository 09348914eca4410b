"""The export target: does it exist, take a file, have room, and which file system is it.

Checked before anything is written, so a full or write-protected stick is refused
with the size needed, and FAT32's 4 GiB file limit is enforced up front.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.errors import StorageError, ValidationError
from app.services.fileio import FAT32_LIMIT, describe_os_error, os_errors

TAG_ALLOWANCE = 16 * 1024 ** 2       # forms PDF, manifests, README …


@dataclass
class Destination:
    path: Path
    free: int
    fs_type: str
    cluster: int


def human_size(n: float) -> str:
    for unit in ("字节", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "字节" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def filesystem_type(path: Path) -> str:
    """FAT32 / exFAT / NTFS / … as far as the platform tells (empty when unknown)."""
    try:
        if sys.platform == "win32":
            import ctypes
            root = ctypes.create_unicode_buffer(261)
            if not ctypes.windll.kernel32.GetVolumePathNameW(str(path), root, 261):
                return ""
            fs = ctypes.create_unicode_buffer(64)
            if ctypes.windll.kernel32.GetVolumeInformationW(root.value, None, 0, None, None, None, fs, 64):
                return fs.value
            return ""
        best, fs = "", ""
        target = os.path.realpath(path)
        with open("/proc/mounts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 3:
                    continue
                mnt = parts[1].replace("\\040", " ")
                if (target == mnt or target.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                    best, fs = mnt, parts[2]
        return {"vfat": "FAT32", "msdos": "FAT", "exfat": "exFAT", "ntfs": "NTFS", "ntfs3": "NTFS",
                "fuseblk": ""}.get(fs, fs)
    except (OSError, AttributeError, ValueError):
        return ""


def _cluster_size(path: Path) -> int:
    try:
        if hasattr(os, "statvfs"):
            st = os.statvfs(path)
            return max(512, st.f_frsize or st.f_bsize)
        import ctypes
        spc, bps, _f, _t = (ctypes.c_ulong() for _ in range(4))
        if ctypes.windll.kernel32.GetDiskFreeSpaceW(str(path.anchor or path), ctypes.byref(spc),
                                                    ctypes.byref(bps), ctypes.byref(_f), ctypes.byref(_t)):
            return max(512, spc.value * bps.value)
    except (OSError, AttributeError, ValueError):
        pass
    return 32 * 1024


def probe_destination(dest: str | Path) -> Destination:
    """The target exists, is a folder and takes a test file; its free space and file system."""
    path = Path(dest).expanduser()
    if not path.exists():
        raise StorageError(f"导出位置“{path}”不存在。请插入U盘，并选择U盘或其中的一个文件夹。")
    if not path.is_dir():
        raise StorageError(f"导出位置“{path}”不是文件夹。")
    probe = path / f".tisheng-probe-{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"probe")
            fh.flush()
            os.fsync(fh.fileno())
        probe.unlink()
    except OSError as exc:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
        raise StorageError(f"无法写入导出位置“{path}”：{describe_os_error(exc, path)}"
                           "请检查U盘写保护开关，或换一个位置。") from exc
    with os_errors(path):
        free = shutil.disk_usage(path).free
    return Destination(path.resolve(), free, filesystem_type(path), _cluster_size(path))


def space_needed(sizes: list[int], cluster: int, *, as_zip: bool) -> int:
    """Bytes the bag will take on the target, with cluster slack and a 5 % margin."""
    if as_zip:
        raw = sum(sizes) + 200 * len(sizes) + TAG_ALLOWANCE
    else:
        raw = sum(max(1, math.ceil(s / cluster)) * cluster for s in sizes) + TAG_ALLOWANCE
        raw += cluster * max(16, len(sizes) // 8)        # folders
    return int(raw * 1.05)


def check_room(d: Destination, sizes: list[int], *, as_zip: bool, reusable: int = 0) -> int:
    needed = max(0, space_needed(sizes, d.cluster, as_zip=as_zip) - reusable)
    if d.free < needed:
        raise StorageError(f"导出位置“{d.path}”剩余空间不足：本次导出约需 {human_size(needed)}，"
                           f"目前只有 {human_size(d.free)} 可用。请清理U盘或换一个更大的U盘。")
    if d.fs_type.upper().startswith("FAT") and d.fs_type.upper() != "FAT12":
        big = [s for s in sizes if s >= FAT32_LIMIT]
        if big:
            raise ValidationError(f"U盘是 FAT32 格式，不能存放 4 GB 及以上的单个文件，而报送包中有 {len(big)} 个。"
                                  "请把U盘格式化为 exFAT 或 NTFS 后重试。")
        if as_zip and sum(sizes) + TAG_ALLOWANCE >= FAT32_LIMIT:
            raise ValidationError("U盘是 FAT32 格式，放不下 4 GB 及以上的单个压缩包。请不要选择“压缩为单个 zip”，"
                                  "或把U盘格式化为 exFAT 后重试。")
    return needed
