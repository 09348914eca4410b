"""Streaming BagIt writer: a folder (the default; a single stored ZIP64 archive is zip_sink.py).

Evidence files are copied from the store to the target by the kernel where it can
(sendfile), not hashed on the way: the read-back pass hashes what the device holds
against the hash recorded at import, and when a file differs the store's copy is
hashed again to say which side is damaged (local bit rot is still named as such and
never reaches the district). Everything is on the device before the read-back, which
drops each file from the OS cache as it opens it, so that it reads what the device
holds (on Windows through an unbuffered handle): that is what catches fake-capacity
sticks. The read-back starts only once the last file is written, because such a stick
overwrites early files with later ones – or once room for the files still to come has been
reserved and written (reserve / check_now, see reserved.py): those are then rewritten in that
room and read back alone at the end. On Linux the files reach the device with
syncfs, every SYNC_EVERY bytes in a flusher thread while the copy goes on and once
more before the read-back (one journal commit instead of one fsync per file: 13,000
small files took twice as long to copy with a fsync each); elsewhere a flusher
thread fsyncs each file while the next one is copied.

Everything is written under a `.partial` name; `finish()` renames it. A
crash, a cancel or a pulled stick therefore never leaves a final-named bag.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.errors import StorageError
from app.services.bundle import reserved
from app.services.bundle.device_read import BUF, OnBytes, _drop_cache, hash_from_device  # noqa: F401
from app.services.fileio import (COPY_CHUNK, FileSystemSync, advise_sequential,  # noqa: F401
                                 can_sync_filesystem, fsync_dir, os_errors, remove_tree, replace_with_retry)
from app.services.progress import Progress

log = logging.getLogger(__name__)

# four files in flight: hashing takes both cores, and small files need several reads queued
# at the device (13,000 files of a large school read back in ~40% less time than with two)
READBACK_THREADS = 4
COPY_THREADS = 4             # small files copied at once (DirSink.put_files)
SYNC_EVERY = 256 * 1024 ** 2  # Linux: bytes copied between two background syncfs calls


class ReadbackError(StorageError):
    """A file read back from the target differs from what was written."""


def copy_plain(src: Path, dst_fd: int, progress: Progress | None, on_bytes: OnBytes | None) -> int:
    """Copy src into the open file descriptor dst_fd, in the kernel where the platform allows;
    returns the bytes copied. No hash: the read-back from the device checks them."""
    total = 0
    with open(src, "rb", buffering=0) as fh:
        advise_sequential(fh)
        if sys.platform.startswith("linux"):
            in_fd = fh.fileno()
            while n := os.sendfile(dst_fd, in_fd, total, BUF):
                total += n
                if on_bytes is not None:
                    on_bytes(n)
                if progress is not None:
                    progress.check()
            return total
        buf = bytearray(COPY_CHUNK)
        view = memoryview(buf)
        while n := fh.readinto(buf):
            written = 0
            while written < n:
                written += os.write(dst_fd, view[written:n])
            total += n
            if on_bytes is not None:
                on_bytes(n)
            if progress is not None:
                progress.check()
    return total


def _flush_file(path: Path) -> None:
    """fsync a file written earlier and drop it from the cache, so a later read comes from the
    device (Windows needs a handle open for writing to flush)."""
    with os_errors(path):
        fd = os.open(path, (os.O_RDWR if sys.platform == "win32" else os.O_RDONLY) | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(fd)
            _drop_cache(fd)
        finally:
            os.close(fd)


def bytes_under(folder: Path) -> int:
    """Bytes of the files below a folder (what an interrupted export already wrote)."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for f in files:
            try:
                total += os.stat(os.path.join(dirpath, f)).st_size
            except OSError:
                pass
    return total


class DirSink:
    """Writes the bag as a folder `<dest>/<name>.partial`, renamed to `<dest>/<name>`."""

    kind = "folder"

    def __init__(self, dest: Path, name: str, progress: Progress, resume_from: Path | None = None,
                 unfinished: str = "报送包未封存") -> None:
        self.unfinished = unfinished              # what a failed read-back means (a full backup: 未完成)
        self.dest = dest
        self.name = name
        self.final = dest / name
        self.root = dest / f"{name}.partial"
        self.progress = progress
        self.written: dict[str, str] = {}        # bag path → sha256 written
        self.reused = 0
        self._sources: dict[str, tuple[Path, str]] = {}   # bag path → (store file, recorded sha256)
        self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-flush")
        self._flushes: deque = deque()
        self._syncfs = can_sync_filesystem()      # one syncfs for many files instead of a fsync each
        self._unsynced = 0                         # bytes copied since the last background syncfs
        self._dirty = False                        # files copied since the last syncfs started
        self._made_dirs: set[Path] = set()       # folders made by this sink: one mkdir per folder, not per file
        self._fs_sync: FileSystemSync | None = None
        # room reserved for files written after an early read-back (see reserved.py)
        self._room: dict[str, int] = {}            # bag path → bytes reserved, until rewritten
        self._pattern: dict[str, str] = {}         # bag path → sha256 of the pattern it holds meanwhile
        self._checked: dict[str, str] | None = None  # what the early read-back found intact
        self._void = False                          # a new write since then: read everything back
        with os_errors(self.root):
            if resume_from is not None and resume_from != self.root and resume_from.is_dir():
                os.replace(resume_from, self.root)
            self.root.mkdir(parents=True, exist_ok=True)
            # opened before the first write: a write-back error after this point is reported
            self._fs_sync = FileSystemSync(self.root) if self._syncfs else None
            # Files of an earlier attempt can only be there when its folder was taken over; in a
            # fresh folder no file is looked for before it is written (one stat less per file).
            self._resuming = (self.root / "data").is_dir()
            # a stale attempt's tag files (and above all its signature) must never survive
            for child in self.root.iterdir():
                if child.name == "data" and child.is_dir() and not child.is_symlink():
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()

    def _target(self, rel: str) -> Path:
        return self.root.joinpath(*rel.split("/"))

    def put_file(self, rel: str, src: Path, expected_sha: str, size: int,
                 on_bytes: OnBytes | None = None) -> None:
        if self._fits(rel, size):
            self._rewrite_file(rel, src, expected_sha, size, on_bytes)
            return
        self._make_parent(rel)
        self._copied(rel, src, expected_sha, *self._copy_one(rel, src, expected_sha, size, on_bytes))

    # ---- room reserved before the early read-back (reserved.py)

    def reserve(self, rel: str, size: int) -> None:
        """Set `size` bytes aside at `rel` for a file written after check_now(): a random pattern
        until then, read back with everything else."""
        self._make_parent(rel)
        target = self._target(rel)
        with os_errors(target):
            self._pattern[rel] = reserved.write_pattern(target, size)
        self._room[rel] = size

    def check_now(self, on_bytes: OnBytes | None = None,
                  progress_text: Callable[[str], None] | None = None) -> None:
        """Read back everything written so far, reserved room included; the final read_back() then
        reads only what was written since, as long as that went into reserved room."""
        self.read_back(dict(self.written), on_bytes, progress_text)
        self._checked = {**self._pattern, **self.written}
        self._void = False

    def _fits(self, rel: str, size: int) -> bool:
        return rel in self._room and size <= self._room[rel]

    def _allocating(self, rel: str) -> None:
        """A write that may take new room on the target (a new file, or one outgrowing its room)."""
        if rel in self._room:
            self._leave_room(rel)
        if self._checked is not None:
            self._void = True

    def _leave_room(self, rel: str, sha: str | None = None) -> None:
        """`rel` no longer holds its pattern: rewritten in its room (with `sha`), or written anew."""
        del self._room[rel], self._pattern[rel]
        if sha is not None:
            self.written[rel] = sha

    def _rewrite_file(self, rel: str, src: Path, expected_sha: str, size: int, on_bytes: OnBytes | None) -> None:
        target = self._target(rel)
        with os_errors(target):
            fd = os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0))
            try:
                n = copy_plain(src, fd, self.progress, on_bytes)
                os.ftruncate(fd, n)
                os.fsync(fd)
                _drop_cache(fd)
            finally:
                os.close(fd)
        if n != size:
            raise store_damaged(rel)
        self._leave_room(rel, expected_sha)
        self._sources[rel] = (src, expected_sha)

    def put_files(self, items, on_bytes: OnBytes | None = None,
                  after_each: Callable[[str], None] | None = None) -> None:
        """put_file for many (rel, src, sha256, size), COPY_THREADS at a time: small files are
        latency-bound (opening, a read from the store, a write), so several in flight keep
        both disks busy; files larger than BUF go one at a time (a stick writes one stream
        best). after_each(rel) runs in this thread as each file is done, in order. The first
        error (or cancel) stops the rest and is raised once no copy is running."""
        lock = threading.Lock()
        big = threading.Lock()

        def counted(n: int) -> None:
            if on_bytes is not None:
                with lock:
                    on_bytes(n)

        def one(rel, src, sha, size):
            if size > BUF:
                with big:
                    return self._copy_one(rel, src, sha, size, counted)
            return self._copy_one(rel, src, sha, size, counted)

        pool = ThreadPoolExecutor(max_workers=COPY_THREADS, thread_name_prefix="export-copy")
        window: deque = deque()

        def settle() -> None:
            (rel, src, sha), future = window.popleft()
            self._copied(rel, src, sha, *future.result())
            if after_each is not None:
                after_each(rel)

        try:
            for rel, src, sha, size in items:
                self.progress.check()
                self._make_parent(rel)
                window.append(((rel, src, sha), pool.submit(one, rel, src, sha, size)))
                if len(window) >= 2 * COPY_THREADS:
                    settle()
            while window:
                settle()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _make_parent(self, rel: str) -> None:
        parent = self._target(rel).parent
        if parent not in self._made_dirs:
            with os_errors(parent):
                parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(parent)

    def _copy_one(self, rel: str, src: Path, expected_sha: str, size: int,
                  on_bytes: OnBytes | None) -> tuple[bool, int]:
        """Copy one file whose folder exists (any thread): (kept from an earlier attempt, bytes)."""
        target = self._target(rel)
        self._allocating(rel)
        with os_errors(target):
            if self._resuming and target.is_file() and target.stat().st_size == size:
                # resuming: a file an interrupted attempt already wrote is kept if intact
                sha, _n = hash_from_device(target, self.progress)
                if sha == expected_sha:
                    if on_bytes is not None:
                        on_bytes(size)
                    return True, size
        if not src.is_file():
            raise StorageError(f"本机存储中缺少文件“{src.name}”（将写入 {rel}），无法导出。")
        with os_errors(target):
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o644)
            try:
                n = copy_plain(src, fd, self.progress, on_bytes)
            finally:
                os.close(fd)
        if n != size:
            raise store_damaged(rel)
        return False, n

    def _copied(self, rel: str, src: Path, expected_sha: str, reused: bool, n: int) -> None:
        """Bookkeeping once a file is on the target (this sink's thread only)."""
        self.written[rel] = expected_sha
        if reused:
            self.reused += 1
            return
        self._sources[rel] = (src, expected_sha)
        self._reap()
        if not self._syncfs:
            self._flushes.append(self._flusher.submit(_flush_file, self._target(rel)))
            return
        self._dirty = True
        self._unsynced += n
        if self._unsynced >= SYNC_EVERY and not self._flushes:
            self._unsynced = 0
            self._flushes.append(self._flusher.submit(self._sync))

    def _sync(self) -> None:
        with os_errors(self.root):
            self._fs_sync.sync()

    def _close_sync(self) -> None:
        if self._fs_sync is not None:
            self._fs_sync.close()

    def _reap(self) -> None:
        """Forget finished flushes (a school's worth of futures need not pile up); the first
        failure is raised now rather than after the whole copy."""
        while self._flushes and self._flushes[0].done():   # one flusher thread: they finish in order
            self._flushes.popleft().result()

    def _drain_flushes(self) -> None:
        """Wait until every copied file is on the device; the first failure is raised."""
        flushes, self._flushes = self._flushes, deque()
        for f in flushes:
            f.result()
        if self._dirty:                           # what the background syncs may have missed
            self._dirty = False
            self._sync()

    def put_bytes(self, rel: str, data: bytes) -> None:
        target = self._target(rel)
        if self._fits(rel, len(data)):
            with os_errors(target):
                reserved.rewrite(target, data)
            self._leave_room(rel, hashlib.sha256(data).hexdigest())
            return
        self._allocating(rel)
        with os_errors(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
                _drop_cache(out.fileno())
        self.written[rel] = hashlib.sha256(data).hexdigest()

    def prune(self, keep: set[str]) -> None:
        """Delete whatever an earlier attempt left that is not part of this bag."""
        data = self.root / "data"
        if not data.is_dir():
            return
        for dirpath, dirs, files in os.walk(data, topdown=False):
            for f in files:
                p = Path(dirpath) / f
                rel = p.relative_to(self.root).as_posix()
                if rel not in keep:
                    with os_errors(p):
                        p.unlink()
            for d in dirs:
                p = Path(dirpath) / d
                try:
                    p.rmdir()
                except OSError:
                    pass

    def list_files(self) -> set[str]:
        found = set()
        for dirpath, _dirs, files in os.walk(self.root):
            for f in files:
                found.add((Path(dirpath) / f).relative_to(self.root).as_posix())
        return found

    def read_back(self, expected: dict[str, str], on_bytes: OnBytes | None = None,
                  progress_text: Callable[[str], None] | None = None) -> None:
        """Every file from the device must match; nothing else may be there. Reserved room still
        holds its pattern. After check_now(), only what was written since is read, unless something
        was written outside reserved room."""
        self._drain_flushes()
        expected = {**self._pattern, **expected}
        with os_errors(self.root):
            present = self.list_files()
        missing = sorted(set(expected) - present)
        extra = sorted(present - set(expected))
        checked = self._checked if self._checked is not None and not self._void else {}
        bad = sorted(rel for rel, sha in self._hash_all([r for r in expected if r not in missing
                                                         and checked.get(r) != expected[r]],
                                                        on_bytes, progress_text)
                     if sha != expected[rel])
        for rel in bad:                          # which side is damaged: the store's copy, or the stick?
            if rel in self._sources:
                src, recorded = self._sources[rel]
                with os_errors(src):
                    if not src.is_file() or hash_from_device(src, self.progress)[0] != recorded:
                        raise store_damaged(rel)
        if missing or extra or bad:
            details = ([f"缺少：{p}" for p in missing] + [f"多出：{p}" for p in extra]
                       + [f"内容不符：{p}" for p in bad])
            raise ReadbackError("写入后回读校验失败：U盘上的文件与写入的内容不一致。U盘可能已损坏、"
                                f"被拔出，或是扩容盘。{self.unfinished}，请换一个U盘重试。", details=details[:50])

    def _hash_all(self, rels: list[str], on_bytes: OnBytes | None,
                  progress_text: Callable[[str], None] | None) -> list[tuple[str, str]]:
        """(rel, sha256 as the device holds it) for every file, largest first, READBACK_THREADS
        at a time: one file's hashing overlaps another's reading (hashlib and reads release
        the GIL). The first error cancels what has not started and is raised."""
        sizes = {}
        for rel in rels:
            with os_errors(self._target(rel)):
                sizes[rel] = self._target(rel).stat().st_size
        lock = threading.Lock()

        def counted(n: int) -> None:
            if on_bytes is not None:
                with lock:
                    on_bytes(n)

        def one(rel: str) -> tuple[str, str]:
            if progress_text is not None:
                progress_text(rel)
            with os_errors(self._target(rel)):
                return rel, hash_from_device(self._target(rel), self.progress, counted)[0]

        order = sorted(rels, key=lambda r: (-sizes[r], r))
        pool = ThreadPoolExecutor(max_workers=READBACK_THREADS, thread_name_prefix="export-readback")
        futures = [pool.submit(one, rel) for rel in order]
        try:
            return [f.result() for f in futures]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def finish(self) -> Path:
        if self._room:                           # never seal a bag with a pattern in it
            raise StorageError("内部错误：为 " + "、".join(sorted(self._room)) + " 预留的位置没有写入，"
                               f"{self.unfinished}。请重试。")
        self._drain_flushes()
        self._flusher.shutdown(wait=True)
        self._close_sync()
        with os_errors(self.final):
            fsync_dir(self.root)
            if self.final.exists():
                raise StorageError(f"目标位置已存在同名文件夹“{self.final}”，未覆盖。请重新导出。")
            replace_with_retry(self.root, self.final)
            fsync_dir(self.dest)
        return self.final

    def abort(self) -> None:
        self._flusher.shutdown(wait=True, cancel_futures=True)
        self._close_sync()
        remove_tree(self.root)


def store_damaged(rel: str) -> StorageError:
    return StorageError(f"本机存储中的文件已损坏（将写入 {rel}）：内容与添加时记录的校验值不符。"
                        "请从备份恢复该文件，或删除后重新添加。")
