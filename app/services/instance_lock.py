"""One writer per data folder: an OS lock on `<data>/tisheng.lock`.

The lock is held by an open file handle (fcntl.flock elsewhere, msvcrt.locking
on Windows), so the OS releases it when the process dies, however it dies: a
stale lock file never blocks the next start. A second instance gets
AlreadyRunningError; the GUI then brings the first window forward (QLocalServer,
in app/ui). The file also records who holds it, for the message.

Public API: `acquire_instance_lock(paths) -> InstanceLock` (raises
AlreadyRunningError), `InstanceLock.release()`, usable as a context manager;
`is_locked(paths) -> bool`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path

from app.errors import AppError, StorageError
from app.paths import DataPaths
from app.services import safejson
from app.services.fileio import describe_os_error

log = logging.getLogger(__name__)

LOCK_NAME = "tisheng.lock"
_INFO_OFFSET = 16          # Windows locks byte 0 only; the holder's details live after it


class AlreadyRunningError(AppError):
    """Another copy of the app has this data folder open."""

    exit_code = 4

    def __init__(self, root: Path, holder: dict | None = None) -> None:
        who = ""
        if holder and holder.get("pid"):
            who = f"（进程号 {holder['pid']}，{holder.get('started', '')} 启动）"
        super().__init__(f"本软件已经在运行{who}，数据文件夹“{root}”正被它使用。"
                         "为防止两个窗口同时写入造成数据冲突，不能再打开一次。请切换到已打开的窗口；"
                         "如果确实没有打开，请稍等片刻再试。")
        self.root = root
        self.holder = holder or {}


def _lock_fd(fd: int) -> bool:
    """Try to take the lock without waiting; False if someone else holds it."""
    if sys.platform == "win32":
        import msvcrt
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:  # e.g. ENOLCK on a network share without lock support
        log.warning("flock failed on the data folder (%s); continuing without a lock", exc)
        return True
    return True


def _unlock_fd(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
    else:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_UN)


def _read_holder(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            fh.seek(_INFO_OFFSET)
            text = fh.read(4096).decode("utf-8").strip("\x00 \r\n") or "{}"
        return safejson.loads(text, what="锁文件", max_bytes=4096, max_depth=4)
    except (OSError, ValueError, UnicodeDecodeError, safejson.JsonRefused):
        return {}


class InstanceLock:
    """Held while the app has the data folder open. Release it on exit (or let the OS do it).

    Deliberately no __del__: dropping the object must not drop the lock; the handle stays
    open (and the folder locked) until release() or the end of the process."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock_fd(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> "InstanceLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()



def acquire_instance_lock(paths: DataPaths) -> InstanceLock:
    """Take the data folder's single-writer lock or raise AlreadyRunningError."""
    root = Path(paths.root)
    path = root / LOCK_NAME
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    except OSError as exc:
        raise StorageError(describe_os_error(exc, path) + "无法打开数据文件夹。") from exc
    if not _lock_fd(fd):
        os.close(fd)
        raise AlreadyRunningError(root, _read_holder(path))
    import socket                                # (only here: 4 ms of every command's start)
    info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                       "started": datetime.now().strftime("%Y-%m-%d %H:%M")}, ensure_ascii=False)
    try:
        os.lseek(fd, _INFO_OFFSET, os.SEEK_SET)
        data = info.encode("utf-8")
        os.write(fd, data)
        os.ftruncate(fd, _INFO_OFFSET + len(data))
    except OSError:
        pass                        # the details are a courtesy; the lock is what matters
    return InstanceLock(path, fd)


def is_locked(paths: DataPaths) -> bool:
    """True when another open handle holds the lock (used by tests and diagnostics)."""
    path = Path(paths.root) / LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        if _lock_fd(fd):
            _unlock_fd(fd)
            return False
        return True
    finally:
        os.close(fd)
