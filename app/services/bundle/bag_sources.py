"""Where `verify` reads a bag from: a folder (walked without following links) or a zip.

Both offer the same small interface: `files` (NFC bag path → path as stored), `sizes`,
`names` (the folder or zip names to compare with the sealed name), `problems`,
`read_small(rel, cap)`, `hash(rel)` and `close()`.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import unicodedata
from pathlib import Path

from app.errors import StorageError
from app.services.bundle import layout as L
from app.services.bundle.zip_reader import ZipBag

BUF = 4 * 1024 * 1024
MAX_DEPTH = 64                    # folders inside a bag; ours are at most 5 deep


class FolderBag:
    """A bag folder, listed without following links (a link is an error, never read)."""

    kind = "folder"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.names = [("文件夹名", self.root.name)]
        self.files: dict[str, str] = {}      # NFC bag path → path as on disk
        self.sizes: dict[str, int] = {}
        self.problems: list[str] = []
        with os_errors_safe(self.root):
            self._walk(self.root, "")

    def _walk(self, top: Path, _prefix: str) -> None:
        """Every regular file under `top`, with a stack instead of recursion (a bag with 1,100
        nested folders must not end in RecursionError) and no deeper than MAX_DEPTH."""
        stack = [(top, "", 0)]
        while stack:
            folder, prefix, depth = stack.pop()
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
            for entry in entries:
                rel = prefix + entry.name
                nfc = unicodedata.normalize("NFC", rel)
                st = entry.stat(follow_symlinks=False)
                reparse = getattr(st, "st_file_attributes", 0) & 0x400
                if entry.is_symlink() or reparse:
                    self.problems.append(f"{nfc}：是链接（符号链接或快捷方式目录），不予读取")
                    continue
                if stat.S_ISDIR(st.st_mode):
                    if depth + 1 >= MAX_DEPTH:
                        self.problems.append(f"{nfc[:120]}…：文件夹层级超过 {MAX_DEPTH} 层，"
                                             "不是本软件写出的报送包结构，未再深入读取")
                        continue
                    stack.append((Path(entry.path), rel + "/", depth + 1))
                elif stat.S_ISREG(st.st_mode):
                    if nfc in self.files:
                        self.problems.append(f"{nfc}：有两个仅 Unicode 规范化形式不同的同名文件")
                        continue
                    self.files[nfc] = rel
                    self.sizes[nfc] = st.st_size
                else:
                    self.problems.append(f"{nfc}：不是普通文件")

    def _path(self, rel: str) -> Path:
        return self.root.joinpath(*self.files[rel].split("/"))

    def read_small(self, rel: str, cap: int) -> bytes | None:
        if rel not in self.files:
            return None
        if self.sizes[rel] > cap:
            raise StorageError(f"“{rel}”过大（{self.sizes[rel]} 字节），不像报送包的标签文件。")
        with os_errors_safe(self._path(rel)):
            with open(self._path(rel), "rb") as fh:
                return fh.read(cap + 1)[:cap + 1]

    def _buffer(self) -> bytearray:
        # One buffer per reading thread, not per file: a fresh 4 MB bytearray is zeroed each time, which
        # for a bag of thousands of small files costs more than hashing them.
        local = self.__dict__.setdefault("_local", threading.local())
        if not hasattr(local, "buf"):
            local.buf = bytearray(BUF)
        return local.buf

    def hash(self, rel: str, progress=None, on_bytes=None) -> tuple[str, int] | None:
        h = hashlib.sha256()
        n = 0
        buf = self._buffer()
        view = memoryview(buf)
        try:
            with open(self._path(rel), "rb", buffering=0) as fh:
                while k := fh.readinto(buf):
                    h.update(view[:k])
                    n += k
                    if on_bytes is not None:
                        on_bytes(k)
                    if progress is not None:
                        progress.check()
        except OSError:
            return None
        return h.hexdigest(), n

    def close(self) -> None:
        pass


class ZipAdapter:
    kind = "zip"

    def __init__(self, bag: ZipBag) -> None:
        self.bag = bag
        outer = bag.path.name.removesuffix(L.PARTIAL)
        outer = outer[:-4] if outer.lower().endswith(".zip") else outer
        self.names = [("压缩包文件名", outer)] + ([("压缩包内的文件夹名", bag.folder_name)] if bag.folder_name else [])
        self.files = {rel: rel for rel in bag.entries}
        self.sizes = {rel: e.info.file_size for rel, e in bag.entries.items()}
        self.problems: list[str] = []

    def read_small(self, rel: str, cap: int) -> bytes | None:
        return self.bag.read_small(rel, cap)

    def hash(self, rel, progress=None, on_bytes=None):
        return self.bag.hash(rel, progress, on_bytes)

    def close(self) -> None:
        self.bag.close()


class os_errors_safe:
    """Like fileio.os_errors, as a class so FolderBag can use it in __init__."""

    def __init__(self, path) -> None:
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and isinstance(exc, OSError):
            from app.services.fileio import describe_os_error
            raise StorageError(describe_os_error(exc, self.path)) from exc
        return False
