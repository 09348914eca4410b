"""Reading a zipped bag without trusting it.

The archive is opened through `app.services.safezip`, which refuses it before any content is
read when an entry escapes (`../`, absolute paths, drive letters, UNC, colons), is a link or
encrypted, collides with another after Windows folds the names, or would be named differently
by another tool (UTF-8 flag, GBK, CP437, Info-ZIP Unicode Path fields, local headers). Names
without the UTF-8 flag are read as strict UTF-8 and then GB18030 (Chinese Windows' "发送到 →
压缩文件夹" writes the ANSI code page). Reading is bounded by a byte budget derived from the
bag's own Payload-Oxum, so a zip bomb stops long before it matters. Verification streams
entries and writes nothing; `safe_extract` is for a caller that really needs files on disk and
only writes inside the folder it is given.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError, StorageError
from app.services.bundle.safe_names import check_bag_path
from app.services.fileio import os_errors
from app.services.safezip import Entry, SafeZip, ZipDamaged, ZipRefused
from app.services.safezip.names import chosen

BUF = 4 * 1024 * 1024
OUTSIDE = "[包外]/"


class UnsafeZipError(AppError):
    """The archive has an entry that could escape, or cannot be read safely."""


class ZipBudgetExceeded(AppError):
    """The archive holds far more than its bag says (zip bomb or wrong archive)."""


def decode_name(info) -> str:
    """The entry name as the author meant it (UTF-8 flag, else UTF-8, else GB18030)."""
    flag = bool(info.flag_bits & 0x800)
    try:
        raw = info.filename.encode("utf-8" if flag else "cp437")
    except UnicodeEncodeError:          # zipfile already decoded it another way
        return info.filename
    return chosen(raw, flag) or info.filename


@dataclass(frozen=True)
class ZipEntry:
    name: str                  # decoded, '/'-separated, NFC, relative to the bag root
    info: object               # the zipfile.ZipInfo
    entry: Entry


class ZipBag:
    """A bag inside a zip, opened read-only after every entry passed the checks."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._zip = SafeZip(self.path, check_name=check_bag_path)
        except ZipRefused as exc:
            raise UnsafeZipError(exc.user_message, details=exc.details) from None
        except ZipDamaged as exc:
            raise UnsafeZipError(f"“{self.path.name}”不是有效的 zip 压缩包，或已损坏。") from exc
        self.entries, self.prefix = self._bag_entries()
        self.budget = 0                 # bytes still allowed to be read; set by set_budget
        self.read_total = 0

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> "ZipBag":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _bag_entries(self) -> tuple[dict[str, ZipEntry], str]:
        names = [(e.name, e) for e in self._zip.files()]
        prefix = ""
        if not any(n == "bagit.txt" for n, _ in names):
            tops = {n.split("/", 1)[0] for n, _ in names}
            if len(tops) == 1 and any(n == f"{next(iter(tops))}/bagit.txt" for n, _ in names):
                prefix = next(iter(tops)) + "/"
            else:
                candidates = sorted(n[: -len("bagit.txt")] for n, _ in names if n.endswith("/bagit.txt"))
                if candidates:
                    prefix = candidates[0]
        entries = {}
        for name, e in names:
            rel = name[len(prefix):] if prefix and name.startswith(prefix) else name
            if prefix and not name.startswith(prefix):
                rel = OUTSIDE + name        # outside the bag folder: reported as extra
            entries[rel] = ZipEntry(rel, e.info, e)
        return entries, prefix

    @property
    def folder_name(self) -> str:
        """The bag folder's name inside the zip ('' when the files sit at the top)."""
        return self.prefix.rstrip("/").rsplit("/", 1)[-1]

    def declared_total(self) -> int:
        return sum(e.info.file_size for e in self.entries.values())

    def set_budget(self, limit: int) -> None:
        self.budget = limit
        total = self.declared_total()
        if total > limit:
            raise ZipBudgetExceeded(
                f"压缩包“{self.path.name}”解开后约 {total / 1024 ** 2:.0f} MB，远超报送包清单所列大小，"
                "已停止读取（可能是压缩炸弹或不是本报送包）。")

    def _count(self, n: int) -> None:
        self.read_total += n
        if self.budget and self.read_total > self.budget:
            raise ZipBudgetExceeded(f"读取压缩包“{self.path.name}”时数据量远超清单所列大小，已停止。")

    def read_small(self, rel: str, cap: int) -> bytes | None:
        """A tag file's bytes (None if absent); refuses anything over cap."""
        entry = self.entries.get(rel)
        if entry is None:
            return None
        if entry.info.file_size > cap:
            raise ZipBudgetExceeded(f"压缩包中的“{rel}”过大（{entry.info.file_size} 字节），不像报送包的标签文件。")
        try:
            with self._zip.open(entry.entry) as fh:
                data = fh.read(cap + 1)
        except ZipDamaged:
            raise StorageError(f"压缩包“{self.path.name}”中的“{rel}”已损坏（压缩数据校验失败），无法读取。") from None
        if len(data) > cap:
            raise ZipBudgetExceeded(f"压缩包中的“{rel}”过大，不像报送包的标签文件。")
        self._count(len(data))
        return data

    def hash(self, rel: str, progress=None, on_bytes=None) -> tuple[str, int] | None:
        """(sha256, size) of one entry, streamed; None when the entry cannot be read (bad CRC…)."""
        entry = self.entries[rel]
        h = hashlib.sha256()
        n = 0
        try:
            with self._zip.open(entry.entry) as fh:
                while chunk := fh.read(BUF):
                    h.update(chunk)
                    n += len(chunk)
                    self._count(len(chunk))
                    if on_bytes is not None:
                        on_bytes(len(chunk))
                    if progress is not None:
                        progress.check()
        except ZipDamaged:
            return None
        return h.hexdigest(), n


def safe_extract(zip_path: Path, dest: Path, *, limit: int | None = None, progress=None) -> dict[str, Path]:
    """Extract a zipped bag into dest (a new or empty folder), never outside it.

    All names are checked first (the whole archive is refused on any bad entry),
    each target is resolved and must stay inside dest (commonpath, not
    startswith), and extraction stops once `limit` bytes (default: twice the
    declared size plus 64 MiB) have been written.
    """
    dest = Path(dest)
    with ZipBag(zip_path) as bag:
        with os_errors(dest):
            dest.mkdir(parents=True, exist_ok=True)
            if any(dest.iterdir()):
                raise StorageError(f"解压目标文件夹“{dest}”不是空的，为安全起见未解压。")
        base = os.path.realpath(dest)
        bag.set_budget(limit if limit is not None else 2 * bag.declared_total() + 64 * 1024 ** 2)
        out: dict[str, Path] = {}
        for rel, entry in bag.entries.items():
            if rel.startswith(OUTSIDE):
                continue
            target = os.path.realpath(os.path.join(base, *rel.split("/")))
            if os.path.commonpath([base, target]) != base:
                raise UnsafeZipError(f"压缩包条目“{rel}”会写到目标文件夹之外，已停止。")
            with os_errors(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with bag._zip.open(entry.entry) as src, open(target, "xb") as dst:
                    while chunk := src.read(BUF):
                        bag._count(len(chunk))
                        dst.write(chunk)
                        if progress is not None:
                            progress.check()
            out[rel] = Path(target)
        return out
