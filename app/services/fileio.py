"""Safe file writing: temp name, fsync, rename; and plain-Chinese OS errors."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from app.errors import StorageError

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024          # reads that only hash
# Copies (a read, then a write of the same bytes) go COPY_CHUNK at a time. Elsewhere than Windows,
# 128 KiB, coreutils' size for read/write copies: a large read waits for its whole block and leaves
# the disk to the write that follows, a small one lets the kernel's readahead run on. Copying 2.2 GB
# in 64 MB files on one Linux disk, source not cached: dd bs=128K 4.2–4.4 s, bs=1M 8.9–11.8 s, bs=4M
# 12.9–19.5 s. On Windows, 1 MiB: what CPython's shutil uses there, measured against CopyFileEx for
# uncached copies (bpo-33671); not measurable here.
COPY_CHUNK = 1024 * 1024 if os.name == "nt" else 128 * 1024
FAT32_LIMIT = 4 * 1024 ** 3  # files of 4 GiB or more cannot live on a FAT32 stick


def describe_os_error(exc: OSError, path: Path | str, action: str | None = None) -> str:
    """A Chinese sentence naming the file and the cause (and, if given, what was being done)."""
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
    elif code == errno.EEXIST or winerror in (80, 183):
        cause = "同名文件已存在"
    elif code in (errno.ENOTDIR, errno.EISDIR) or winerror == 267:
        cause = "路径中有同名的文件或文件夹冲突"
    elif code == errno.EINVAL or winerror == 123:
        cause = "文件名不被该磁盘接受（可能含有非法字符）"
    elif code == errno.EFBIG or winerror == 223:
        cause = "文件太大，该磁盘（如 FAT32 格式的U盘）无法存放"
    elif code in (errno.ESTALE, errno.ETIMEDOUT, errno.ENETUNREACH, errno.EHOSTDOWN) \
            or winerror in (53, 59, 64, 67, 1231):
        cause = "网络位置无法访问（网络共享已断开）"
    elif winerror in (2, 3, 15):
        cause = "文件、文件夹或盘符不存在（可能已被移走或U盘已拔出）"
    elif winerror in (433, 483, 1117, 1392):
        cause = "读写设备出错（U盘可能已拔出或损坏）"
    else:
        cause = exc.strerror or str(exc)
    if action:
        return f"{action}时出错：{cause}（位置：{path}）。"
    return f"处理文件“{path}”时出错：{cause}。"


@contextmanager
def os_errors(path: Path | str, action: str | None = None) -> Iterator[None]:
    """Turn OSError inside the block into a StorageError with a Chinese message."""
    try:
        yield
    except OSError as exc:
        raise StorageError(describe_os_error(exc, path, action)) from exc


def fsync_dir(path: Path) -> None:
    if os.name != "nt":
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@lru_cache(maxsize=1)
def _libc_syncfs():
    """libc's syncfs(fd) on Linux, else None (looked up once)."""
    import ctypes

    from app.services.clib import libc_function
    return libc_function("syncfs", [ctypes.c_int], ctypes.c_int, use_errno=True)


def can_sync_filesystem() -> bool:
    """Whether FileSystemSync is available here (Linux: syncfs)."""
    return _libc_syncfs() is not None


class FileSystemSync:
    """Writes every file of the file system holding `path` to the device, in one call (Linux
    syncfs: what thousands of per-file fsyncs do, at the cost of one journal commit). Callers
    check can_sync_filesystem() first.

    syncfs reports a write-back error (since Linux 5.8) only if it happened after the
    descriptor it is given was opened, so one descriptor is opened here, before the writes
    it is to cover, and every sync goes through it; a fresh one per call could miss an error
    from the writes before it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = os.open(self.path, os.O_RDONLY)

    def sync(self) -> None:
        """Raises OSError (an error since the descriptor was opened, not yet reported)."""
        fn = _libc_syncfs()
        if fn is None:
            raise OSError(errno.ENOSYS, "syncfs is not available", str(self.path))
        if self._fd is None:
            raise OSError(errno.EBADF, "already closed", str(self.path))
        import ctypes
        if fn(self._fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(self.path))

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
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


def advise_sequential(fh) -> None:
    """Tell the OS a file is about to be read from start to end (a larger readahead, as cp asks)."""
    if hasattr(os, "posix_fadvise"):
        try:
            os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
        except (OSError, ValueError, AttributeError):
            pass                         # a pipe, a stream without a descriptor: nothing to advise


def sha256_file(path: Path, progress=None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            if progress is not None:
                progress.check()
    return h.hexdigest()


def temp_tag(nbytes: int = 4) -> str:
    """Random hex digits (two a byte) for a temporary file's name: os.urandom, as uuid4 uses (the
    uuid module takes 3 ms to load, on the start-up path of every command)."""
    return os.urandom(nbytes).hex()


def copy_verified(src: Path, dst: Path, expected_sha256: str | None = None,
                  on_bytes=None) -> tuple[str, int]:
    """Copy src to dst through a temporary name, fsynced and read back; returns (sha256, size).

    dst appears only complete and checked: a kill, a full disk or a pulled stick
    leaves at most a `*.tmp-…` file, which callers sweep away. With
    expected_sha256 a source that changed or was damaged is refused.
    """
    src, dst = Path(src), Path(dst)
    tmp = dst.with_name(f"{dst.name}.tmp-{temp_tag()}")
    h = hashlib.sha256()
    size = 0
    try:
        with os_errors(dst.parent):
            dst.parent.mkdir(parents=True, exist_ok=True)
        with os_errors(src), open(src, "rb") as fin:
            advise_sequential(fin)
            with os_errors(dst), open(tmp, "wb") as fout:
                while chunk := fin.read(COPY_CHUNK):
                    fout.write(chunk)
                    h.update(chunk)
                    size += len(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
                fout.flush()
                os.fsync(fout.fileno())
        digest = h.hexdigest()
        if expected_sha256 is not None and digest != expected_sha256:
            raise StorageError(f"文件“{src}”的内容与记录的校验值不符（可能已损坏），未复制。")
        with os_errors(dst):
            if sha256_file(tmp) != digest:
                raise StorageError(f"写入“{dst}”后回读校验失败，磁盘或U盘可能有问题。")
            replace_with_retry(tmp, dst)
            fsync_dir(dst.parent)
        return digest, size
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass


def remove_tree(path: Path) -> bool:
    """Delete a folder or file we created (staging, partial copies), read-only files too. Best
    effort, never raises: a pulled stick cannot be cleaned, and that is fine (a `.partial` name
    never passes for a finished copy). False if something is left."""
    import shutil
    import stat

    def _retry(func, p, _exc):
        try:
            os.chmod(p, stat.S_IWRITE | stat.S_IREAD)
            func(p)
        except OSError:
            pass

    path = Path(path)
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, onerror=_retry)
        elif path.exists() or path.is_symlink():
            path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)
    if path.exists() or path.is_symlink():
        log.warning("could not remove all of %s", path)
        return False
    return True


def tree_size(path: Path) -> int:
    total = 0
    for p in Path(path).rglob("*"):
        try:
            if p.is_file():
                total += p.stat().st_size
        except OSError:
            pass
    return total
