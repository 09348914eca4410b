"""The one place that opens a zip for reading: bundles, full backups and .xlsx workbooks.

A zip is read only after every entry passed these checks, so no other tool a school or a
district uses (Explorer, 7-Zip, `unzip`, WPS) can take a different file from it than we did:

* each name, in every way a tool could read it (UTF-8 flag, UTF-8, GBK, CP437, an Info-ZIP
  Unicode Path field 0x7075), neither escapes (`..`, absolute, drive) nor collides with another
  entry once Windows has folded it (case, NFC, trailing dots and spaces, a file beside a folder
  of the same name);
* a Unicode Path field must carry the CRC of the header's name and name the same file;
* the local header in front of each entry's data says what the central directory says
  (name, flags, method, sizes, CRC), and no entry's data overlaps another's header;
* links, encrypted entries and entries `check_name` refuses (the caller's own rules) are refused.

Opening failures are `ZipDamaged` (not a zip, cut short); refused entries are `ZipRefused` with
one detail line per entry; damage met while reading a member is `ZipDamaged` too. Callers turn
them into their own messages. No module outside this package may open `zipfile.ZipFile` for
reading (tests/test_safezip_only_reader.py).
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError, StorageError
from app.services.safezip import headers, names
from app.services.safezip.names import generic_problem

__all__ = ["Entry", "SafeZip", "ZipDamaged", "ZipRefused", "generic_problem", "is_zip"]

_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError)
MAX_DETAILS = 50


class ZipDamaged(AppError):
    """Not a zip, cut short, or a member whose data fails its checks."""


class ZipRefused(AppError):
    """Entries that escape, collide, or would be read differently by other tools."""


@dataclass(frozen=True)
class Entry:
    name: str                  # as the reader uses it: decoded, NFC, '/'-separated
    info: zipfile.ZipInfo
    is_dir: bool

    @property
    def size(self) -> int:
        return self.info.file_size

    @property
    def compress_size(self) -> int:
        return self.info.compress_size


def is_zip(path: Path) -> bool:
    """Whether the file starts like a zip (local header or an empty archive's end record)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    # zipfile decoded the bytes strictly (UTF-8 with the flag, else CP437, which maps every
    # byte), so encoding back gives exactly the bytes in the header.
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")


def _is_link(info: zipfile.ZipInfo) -> bool:
    if stat.S_ISLNK(info.external_attr >> 16):
        return True
    return info.create_system == 0 and bool(info.external_attr & 0x400)   # reparse point


class SafeZip:
    """A zip opened read-only after all its entries passed the checks (see the module)."""

    def __init__(self, path: Path, *, label: str | None = None,
                 check_name: Callable[[str], str | None] = generic_problem,
                 max_entries: int | None = None, too_many: Callable[[int], AppError] | None = None) -> None:
        self.path = Path(path)
        self.label = label or f"压缩包“{self.path.name}”"
        try:
            self._fh = open(self.path, "rb")
        except OSError as exc:
            from app.services.fileio import describe_os_error
            raise StorageError(describe_os_error(exc, self.path)) from None
        try:
            self._zip = zipfile.ZipFile(self._fh)
        except (*_DAMAGE, OSError) as exc:
            self._fh.close()
            raise ZipDamaged(f"{self.label}不是有效的 zip 压缩包，或已损坏、不完整（可能复制中断）。",
                             details=[type(exc).__name__]) from None
        try:
            infos = self._zip.infolist()
            if max_entries is not None and len(infos) > max_entries:
                raise (too_many(len(infos)) if too_many else
                       ZipRefused(f"{self.label}有 {len(infos)} 个条目，超过上限 {max_entries}。"))
            self.entries = self._check(infos, check_name)
        except BaseException:
            self.close()
            raise
        self._by_name = {e.name: e for e in self.entries}

    @property
    def fileobj(self):
        """The open file, for a library that reads the already checked archive itself (openpyxl)."""
        self._fh.seek(0)
        return self._fh

    def files(self) -> list[Entry]:
        return [e for e in self.entries if not e.is_dir]

    def get(self, name: str) -> Entry | None:
        return self._by_name.get(name)

    def open(self, entry: Entry) -> "Member":
        return Member(self, entry)

    def read(self, entry: Entry, cap: int) -> bytes:
        """A whole member, refusing one that unpacks to more than `cap` bytes."""
        if entry.size > cap:
            raise ZipRefused(f"{self.label}中的“{entry.name}”解压后有 {entry.size} 字节，超过上限 {cap}。")
        with self.open(entry) as fh:
            data = fh.read(cap + 1)
        if len(data) > cap:
            raise ZipRefused(f"{self.label}中的“{entry.name}”解压后超过上限 {cap} 字节。")
        return data

    def close(self) -> None:
        try:
            self._zip.close()
        finally:
            self._fh.close()

    def __enter__(self) -> "SafeZip":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the checks

    def _check(self, infos: list[zipfile.ZipInfo], check_name) -> list[Entry]:
        problems: list[str] = []
        entries: list[Entry] = []
        keys: dict[str, tuple[int, str]] = {}  # windows key -> (entry index, name) that claimed it
        file_keys: dict[str, str] = {}
        folder_keys: dict[str, str] = {}
        spans: list[tuple[int, int, str]] = []
        for index, info in enumerate(infos):
            raw = _raw_name(info)
            flag = bool(info.flag_bits & 0x800)
            name = names.chosen(raw, flag)
            shown = names.normal(name if name is not None else raw.decode("cp437"))
            if name is None:
                problems.append(f"“{shown}”：标为 UTF-8 编码，但名称不是有效的 UTF-8")
                continue
            readings = names.interpretations(raw)
            try:
                local = headers.read_local_header(self._fh, info.header_offset)
            except (headers.HeaderDamaged, OSError):
                raise ZipDamaged(f"{self.label}已损坏或不完整：条目“{shown}”的文件头无法读取（可能复制中断）。") \
                    from None
            why, unicode_names = ("已加密" if info.flag_bits & 0x1 else None), []
            for extra in (info.extra, local.extra) if why is None else ():
                why, found = _unicode_paths(extra, raw)
                if why:
                    break
                unicode_names += found
            if why is None and unicode_names:
                # Without the UTF-8 flag the field may settle which reading was meant (GBK bytes
                # that also happen to be valid UTF-8); it must still be one of the readings.
                options = {names.normal(name)} if flag else {names.normal(r) for r in readings}
                wanted = {names.normal(u) for u in unicode_names}
                if len(wanted) == 1 and wanted <= options:
                    name = unicode_names[0]
                else:
                    why = (f"Unicode Path 扩展字段写的是“{'”“'.join(sorted(wanted))}”，与文件名不一致"
                           "（不同的解压软件会解出不同的文件）")
            if why is None:
                bad = headers.disagreements(local, raw, info.flag_bits, info.compress_type, info.CRC,
                                            info.compress_size, info.file_size)
                why = "；".join(bad) or None
            name = names.normal(name)
            is_dir = name.endswith("/")
            plain = name.rstrip("/")
            if why is None:
                why = check_name(plain) if plain else None
            if why is None:
                why = next((f"按另一种编码读作“{names.normal(r)}”时{w}" for r in readings
                            if (w := names.escapes(r))), None)
            if why is None and _is_link(info):
                why = "是链接（符号链接或重解析点）"
            if why:
                problems.append(f"“{shown}”：{why}")
                continue
            spans.append((info.header_offset, local.data_offset + info.compress_size, shown))
            entries.append(Entry(name, info, is_dir))
            if is_dir:
                folder_keys.setdefault(names.windows_key(plain), shown)
                continue
            clash = None
            for reading in {names.normal(r) for r in readings + unicode_names} | {name}:
                key = names.windows_key(reading)
                other = keys.get(key)
                if other is not None and other[0] != index:
                    clash = other[1]
                    break
                keys[key] = (index, shown)
            if clash is not None:
                problems.append(f"“{shown}”：与“{clash}”在 Windows 上是同一个文件（不区分大小写、"
                                "忽略结尾的点和空格，或按另一种编码读取）")
                continue
            key = names.windows_key(name)
            file_keys[key] = shown
            for folder in names.folders_of(key):
                folder_keys.setdefault(folder, shown)
        for key, shown in file_keys.items():
            if key in folder_keys:
                problems.append(f"“{shown}”：与同名的文件夹冲突")
        spans.sort()
        directory = getattr(self._zip, "start_dir", None)
        for (_, end, shown), (start, _, nxt) in zip(spans, spans[1:] + [(directory, 0, "文件目录")]):
            if start is not None and end > start:
                problems.append(f"“{shown}”：数据与“{nxt}”重叠（压缩包被改过，可能是压缩炸弹）")
        if problems:
            raise ZipRefused(f"{self.label}中有不安全的条目（压缩包被改动过，或已损坏），已拒绝读取（未解压任何文件）。",
                             details=problems[:MAX_DETAILS])
        return entries


def _unicode_paths(extra: bytes, raw: bytes) -> tuple[str | None, list[str]]:
    """(why the extra fields cannot be trusted or None, the names their Unicode Path fields give)."""
    fields, well_formed = headers.extra_fields(extra)
    if not well_formed:
        return "扩展字段格式错误", []
    found = []
    for field in fields.get(headers.UNICODE_PATH, []):
        uname, why = headers.unicode_path_problem(raw, field)
        if why:
            return why, []
        found.append(uname)
    return None, found


class Member:
    """One member being read; damage inside the zip becomes ZipDamaged naming the member."""

    def __init__(self, owner: SafeZip, entry: Entry) -> None:
        self._owner, self._entry = owner, entry
        self._fh = self._guard(lambda: owner._zip.open(entry.info))

    def _guard(self, fn):
        try:
            return fn()
        except _DAMAGE:
            raise ZipDamaged(f"{self._owner.label}中的“{self._entry.name}”已损坏（压缩数据校验失败），无法读取。") \
                from None
        except OSError as exc:
            from app.services.fileio import describe_os_error
            raise StorageError(describe_os_error(exc, self._owner.path)) from None

    def read(self, n: int = -1) -> bytes:
        return self._guard(lambda: self._fh.read(n))

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "Member":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
