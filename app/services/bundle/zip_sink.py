"""The bag as a single stored ZIP64 archive (`export --zip`): the folder writer's alternative."""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from app.errors import StorageError
from app.services.bundle.bag_writer import ReadbackError, store_damaged
from app.services.bundle.device_read import BUF, OnBytes, _drop_cache
from app.services.fileio import COPY_CHUNK, advise_sequential, fsync_dir, os_errors, remove_tree, replace_with_retry
from app.services.progress import Progress


def copy_hashing(src: Path, dst, progress: Progress | None, on_bytes: OnBytes | None) -> tuple[str, int]:
    """Stream src into the open binary file dst; returns (sha256, bytes)."""
    h = hashlib.sha256()
    total = 0
    buf = bytearray(COPY_CHUNK)
    view = memoryview(buf)
    with open(src, "rb", buffering=0) as fh:
        advise_sequential(fh)
        while n := fh.readinto(buf):
            chunk = view[:n]
            dst.write(chunk)
            h.update(chunk)
            total += n
            if on_bytes is not None:
                on_bytes(n)
            if progress is not None:
                progress.check()
    return h.hexdigest(), total


class ZipSink:
    """Writes `<dest>/<name>.zip.partial` (stored, ZIP64, UTF-8 names), renamed to `<name>.zip`.

    Entries sit under `<name>/` as BagIt's serialization rules ask. The central
    directory is only written at the end, so an interrupted zip is useless by
    construction, and the `.partial` name says so.
    """

    kind = "zip"

    def __init__(self, dest: Path, name: str, progress: Progress) -> None:
        self.dest = dest
        self.name = name
        self.final = dest / f"{name}.zip"
        self.root = dest / f"{name}.zip.partial"
        self.progress = progress
        self.written: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.reused = 0
        self._stamp = time.localtime()[:6]
        with os_errors(self.root):
            self._fh = open(self.root, "wb")
            self._zip = zipfile.ZipFile(self._fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True)

    def _info(self, rel: str, size: int) -> zipfile.ZipInfo:
        zi = zipfile.ZipInfo(f"{self.name}/{rel}", date_time=self._stamp)
        zi.compress_type = zipfile.ZIP_STORED
        zi.file_size = size
        zi.external_attr = 0o644 << 16
        return zi

    def put_file(self, rel: str, src: Path, expected_sha: str, size: int,
                 on_bytes: OnBytes | None = None) -> None:
        with os_errors(self.root):
            with self._zip.open(self._info(rel, size), "w", force_zip64=size >= 2 ** 31) as out:
                sha, n = copy_hashing(src, out, self.progress, on_bytes)
        if sha != expected_sha or n != size:
            raise store_damaged(rel)
        self.written[rel] = sha
        self.sizes[rel] = n

    def put_files(self, items, on_bytes: OnBytes | None = None,
                  after_each: Callable[[str], None] | None = None) -> None:
        """One after another: a zip is one stream."""
        for rel, src, sha, size in items:
            self.put_file(rel, src, sha, size, on_bytes)
            if after_each is not None:
                after_each(rel)

    def put_bytes(self, rel: str, data: bytes) -> None:
        with os_errors(self.root):
            with self._zip.open(self._info(rel, len(data)), "w") as out:
                out.write(data)
        self.written[rel] = hashlib.sha256(data).hexdigest()
        self.sizes[rel] = len(data)

    def prune(self, keep: set[str]) -> None:
        return None

    def read_back(self, expected: dict[str, str], on_bytes: OnBytes | None = None,
                  progress_text: Callable[[str], None] | None = None) -> None:
        """Deferred to finish(): a zip can only be read once its central directory exists."""
        self._expected = dict(expected)
        self._on_bytes = on_bytes
        self._progress_text = progress_text

    def finish(self) -> Path:
        expected = dict(getattr(self, "_expected", {}))
        expected.update({k: v for k, v in self.written.items() if k not in expected})
        with os_errors(self.root):
            self._zip.close()
            self._fh.flush()
            os.fsync(self._fh.fileno())
            _drop_cache(self._fh.fileno())
            self._fh.close()
            self._verify_zip(expected)
            if self.final.exists():
                raise StorageError(f"目标位置已存在同名文件“{self.final}”，未覆盖。请重新导出。")
            replace_with_retry(self.root, self.final)
            fsync_dir(self.dest)
        return self.final

    def _verify_zip(self, expected: dict[str, str]) -> None:
        from app.services.safezip import SafeZip, ZipDamaged, ZipRefused
        prefix = f"{self.name}/"
        seen: dict[str, str] = {}
        bad = []
        with open(self.root, "rb") as fh:
            _drop_cache(fh.fileno())
        try:
            zf = SafeZip(self.root)
        except (ZipDamaged, ZipRefused) as exc:
            raise ReadbackError("写入后回读校验失败：U盘上的压缩包无法完整读回。U盘可能已损坏、被拔出，或是扩容盘。"
                                "报送包未封存，请换一个U盘重试。", details=exc.details[:50]) from None
        with zf:
            for entry in zf.files():
                rel = entry.name[len(prefix):] if entry.name.startswith(prefix) else entry.name
                if getattr(self, "_progress_text", None):
                    self._progress_text(rel)
                h = hashlib.sha256()
                try:
                    with zf.open(entry) as src:
                        while chunk := src.read(BUF):
                            h.update(chunk)
                            if getattr(self, "_on_bytes", None):
                                self._on_bytes(len(chunk))
                            self.progress.check()
                except ZipDamaged:
                    bad.append(rel)
                    continue
                seen[rel] = h.hexdigest()
        missing = sorted(set(expected) - set(seen))
        extra = sorted(set(seen) - set(expected))
        bad += [r for r in sorted(seen) if r in expected and seen[r] != expected[r]]
        if missing or extra or bad:
            details = ([f"缺少：{p}" for p in missing] + [f"多出：{p}" for p in extra]
                       + [f"内容不符：{p}" for p in bad])
            raise ReadbackError("写入后回读校验失败：U盘上的压缩包与写入的内容不一致。U盘可能已损坏、"
                                "被拔出，或是扩容盘。报送包未封存，请换一个U盘重试。", details=details[:50])

    def abort(self) -> None:
        try:
            self._zip.close()
        except Exception:  # noqa: BLE001  (a half-written zip may fail to close; it is removed anyway)
            pass
        try:
            self._fh.close()
        except OSError:
            pass
        remove_tree(self.root)
