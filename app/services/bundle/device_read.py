"""Reading a file back from the device that holds it, not from the OS cache.

Used by the bag writer's read-back after an export or a full backup: the file is
dropped from the cache as it is opened (on Windows it is read through an unbuffered
handle), which is what catches fake-capacity sticks.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from app.services.progress import Progress

log = logging.getLogger(__name__)

BUF = 4 * 1024 * 1024
_local = threading.local()
OnBytes = Callable[[int], None]


def _drop_cache(fd: int) -> None:
    if hasattr(os, "posix_fadvise"):
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass


def _win_read_unbuffered(path: Path, consume: Callable[[bytes], None]) -> None:
    """Read a file with FILE_FLAG_NO_BUFFERING so the data comes from the device."""
    import ctypes
    from ctypes import wintypes

    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    k32.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, ctypes.c_void_p,
                                wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE]
    k32.CreateFileW.restype = wintypes.HANDLE
    k32.ReadFile.argtypes = [wintypes.HANDLE, ctypes.c_void_p, wintypes.DWORD,
                             ctypes.POINTER(wintypes.DWORD), ctypes.c_void_p]
    k32.ReadFile.restype = wintypes.BOOL
    k32.VirtualAlloc.argtypes = [ctypes.c_void_p, ctypes.c_size_t, wintypes.DWORD, wintypes.DWORD]
    k32.VirtualAlloc.restype = ctypes.c_void_p
    k32.VirtualFree.argtypes = [ctypes.c_void_p, ctypes.c_size_t, wintypes.DWORD]
    k32.CloseHandle.argtypes = [wintypes.HANDLE]
    generic_read, share_rw, open_existing = 0x80000000, 0x1 | 0x2, 3
    no_buffering, sequential = 0x20000000, 0x08000000
    handle = k32.CreateFileW(str(path), generic_read, share_rw, None, open_existing,
                             no_buffering | sequential, None)
    if handle is None or handle == ctypes.c_void_p(-1).value:
        raise ctypes.WinError(ctypes.get_last_error())
    buf = k32.VirtualAlloc(None, BUF, 0x3000, 0x04)      # page-aligned, sector-aligned
    if not buf:
        k32.CloseHandle(handle)
        raise ctypes.WinError(ctypes.get_last_error())
    try:
        got = wintypes.DWORD()
        while True:
            if not k32.ReadFile(handle, buf, BUF, ctypes.byref(got), None):
                raise ctypes.WinError(ctypes.get_last_error())
            if got.value == 0:
                break
            consume(ctypes.string_at(buf, got.value))
    finally:
        k32.VirtualFree(buf, 0, 0x8000)
        k32.CloseHandle(handle)


def hash_from_device(path: Path, progress: Progress | None = None,
                     on_bytes: OnBytes | None = None) -> tuple[str, int]:
    """(sha256, size) of a file as the device holds it, not as the cache remembers it."""
    h = hashlib.sha256()
    total = 0

    def consume(chunk) -> None:
        nonlocal total
        h.update(chunk)
        total += len(chunk)
        if on_bytes is not None:
            on_bytes(len(chunk))
        if progress is not None:
            progress.check()

    if sys.platform == "win32":
        try:
            _win_read_unbuffered(path, consume)
            return h.hexdigest(), total
        except OSError as exc:
            if total:
                raise
            log.info("unbuffered read of %s not possible (%s); using a normal read", path, exc)
    buf = _buffer()
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as fh:
        _drop_cache(fh.fileno())
        while n := fh.readinto(buf):
            consume(view[:n])
    return h.hexdigest(), total


def _buffer() -> bytearray:
    """This thread's read buffer (one per thread, not a fresh 4 MB per file read back)."""
    buf = getattr(_local, "buf", None)
    if buf is None:
        buf = _local.buf = bytearray(BUF)
    return buf
