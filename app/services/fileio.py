"""Safe file writing: temp name, fsync, rename; and plain-Chinese OS errors."""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.errors import StorageError

CHUNK = 1024 * 1024
FAT32_LIMIT = 4 * 1024 ** 3  # files of 4 GiB or more cannot live on a FAT32 stick


def describe_os_error(exc: OSError, path: Path | str) -> str:
    """A Chinese sentence naming the file and the cause."""
    code = exc.errno
    winerror = getattr(exc, "winerror", None)
    if code == errno.ENOSPC or winerror == 112:
        cause = "磁盘空间不足"
    elif code in (errno.EACCES, errno.EPERM) or winerror in (5, 32):
        cause = "没有写入权限，或文件正被其他程序（如杀毒软件、WPS）占用"
    elif code == errno.EROFS or winerror == 19:
        cause = "磁盘或U盘是只读的（请检查写保护开关）"
    elif code == errno.ENOENT:
        cause = "文件或文件夹不存在（可能已被移走或U盘已拔出）"
    elif code in (errno.EIO, errno.ENXIO, errno.ENODEV) or winerror in (21, 1167, 55):
        cause = "读写设备出错（U盘可能已拔出或损坏）"
    elif code == errno.ENAMETOOLONG or winerror == 206:
        cause = "路径太长"
    else:
        cause = exc.strerror or str(exc)
    return f"处理文件“{path}”时出错：{cause}。"


@contextmanager
def os_errors(path: Path | str) -> Iterator[None]:
    """Turn OSError inside the block into a StorageError with a Chinese message."""
    try:
        yield
    except OSError as exc:
        raise StorageError(describe_os_error(exc, path)) from exc


def fsync_dir(path: Path) -> None:
    if os.name != "nt":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_with_retry(src: Path, dst: Path, attempts: int = 5) -> None:
    """os.replace, retried briefly: on Windows antivirus may hold the target open."""
    for i in range(attempts):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if i == attempts - 1:
                raise
            time.sleep(0.2 * (i + 1))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with os_errors(path):
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        replace_with_retry(tmp, path)
        fsync_dir(path.parent)


def sha256_file(path: Path, progress=None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            if progress is not None:
                progress.check()
    return h.hexdigest()
