"""Reading a zipped bag without trusting it.

Names are decoded as the archive says (UTF-8 flag) or, without the flag, as
strict UTF-8 and then GB18030 (Chinese Windows' "发送到 → 压缩文件夹" writes
the ANSI code page). Before any content is read, every entry is checked:
escapes (`../`, absolute paths, drive letters, UNC, colons), links, encrypted
entries and duplicate names refuse the whole archive. Reading is bounded by a
byte budget derived from the bag's own Payload-Oxum, so a zip bomb stops long
before it matters. Verification streams entries and writes nothing;
`safe_extract` is for a caller that really needs files on disk and only writes
inside the folder it is given.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError, StorageError
from app.services.bundle.safe_names import check_bag_path, fold
from app.services.fileio import os_errors

BUF = 4 * 1024 * 1024
OUTSIDE = "[包外]/"


class UnsafeZipError(AppError):
    """The archive has an entry that could escape, or cannot be read safely."""


class ZipBudgetExceeded(AppError):
    """The archive holds far more than its bag says (zip bomb or wrong archive)."""


def decode_name(info: zipfile.ZipInfo) -> str:
    """The entry name as the author meant it (UTF-8 flag, else UTF-8, else GB18030)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:          # zipfile already decoded it another way
        return info.filename
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return True
    # MS-DOS attributes: FILE_ATTRIBUTE_REPARSE_POINT (0x400)
    return info.create_system == 0 and bool(info.external_attr & 0x400)


@dataclass(frozen=True)
class ZipEntry:
    name: str                  # decoded, '/'-separated, NFC, relative to the bag root
    info: zipfile.ZipInfo


class ZipBag:
    """A bag inside a zip, opened read-only after every entry passed the checks."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with os_errors(self.path):
            self._fh = open(self.path, "rb")
        try:
            self._zip = zipfile.ZipFile(self._fh)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self._fh.close()
            raise UnsafeZipError(f"“{self.path.name}”不是有效的 zip 压缩包，或已损坏：{exc}") from None
        try:
            self.entries, self.prefix = self._check_entries()
        except Exception:
            self.close()
            raise
        self.budget = 0                 # bytes still allowed to be read; set by set_budget
        self.read_total = 0

    def close(self) -> None:
        try:
            self._zip.close()
        finally:
            self._fh.close()

    def __enter__(self) -> "ZipBag":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_entries(self) -> tuple[dict[str, ZipEntry], str]:
        problems: list[str] = []
        names: list[tuple[str, zipfile.ZipInfo]] = []
        seen: dict[str, str] = {}
        for info in self._zip.infolist():
            name = unicodedata.normalize("NFC", decode_name(info)).replace("\\", "/")
            if info.is_dir() or name.endswith("/"):
                why = check_bag_path(name.rstrip("/")) if name.rstrip("/") else None
                if why:
                    problems.append(f"{name}：{why}")
                continue
            why = check_bag_path(name)
            if why:
                problems.append(f"{name}：{why}")
                continue
            if _is_link(info):
                problems.append(f"{name}：是链接（符号链接或重解析点）")
                continue
            if info.flag_bits & 0x1:
                problems.append(f"{name}：已加密")
                continue
            key = fold(name)
            if key in seen:
                problems.append(f"{name}：与“{seen[key]}”重名（不区分大小写）")
                continue
            seen[key] = name
            names.append((name, info))
        if problems:
            raise UnsafeZipError(f"压缩包“{self.path.name}”中有不安全的条目，已拒绝读取（未解压任何文件）。",
                                 details=problems[:50])
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
        for name, info in names:
            rel = name[len(prefix):] if prefix and name.startswith(prefix) else name
            if prefix and not name.startswith(prefix):
                rel = OUTSIDE + name        # outside the bag folder: reported as extra
            entries[rel] = ZipEntry(rel, info)
        return entries, prefix

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
            with self._zip.open(entry.info) as fh:
                data = fh.read(cap + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise StorageError(f"读取压缩包中的“{rel}”失败：{exc}") from None
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
            with self._zip.open(entry.info) as fh:
                while chunk := fh.read(BUF):
                    h.update(chunk)
                    n += len(chunk)
                    self._count(len(chunk))
                    if on_bytes is not None:
                        on_bytes(len(chunk))
                    if progress is not None:
                        progress.check()
        except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError):
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
                with bag._zip.open(entry.info) as src, open(target, "xb") as dst:
                    while chunk := src.read(BUF):
                        bag._count(len(chunk))
                        dst.write(chunk)
                        if progress is not None:
                            progress.check()
            out[rel] = Path(target)
        return out
