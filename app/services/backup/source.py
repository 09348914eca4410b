"""Reading a backup: recognise what a file, folder or zip is and check its structure.

A backup to restore from is a database file, a full backup folder or its zip, or a
copied data folder. Nothing is trusted before it is checked: every path in a manifest
must be one this app writes (the database, store/ab/cd/<sha256>, keys/…), zips go
through the one safe reader (app.services.safezip), and damage becomes BackupRejected
naming the file, with nothing changed.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.errors import AppError, StorageError
from app.services import safejson
from app.services.backup.full import FULL_FORMAT, FULL_PREFIX, MANIFEST
from app.services.backup.snapshot import parse_backup_name
from app.services.dbcheck import SQLITE_HEADER
from app.services.fileio import describe_os_error, os_errors
from app.services.safezip import SafeZip, ZipDamaged, ZipRefused
from app.services.store import BLOB_GLOB, sha_of_relpath

log = logging.getLogger(__name__)

KEY_RE = re.compile(r"^keys/(?:retired/)?[A-Za-z0-9][A-Za-z0-9._\-]{0,120}$")
DB_NAME = "tisheng.sqlite3"


class BackupRejected(AppError):
    """The file or folder is not a usable backup; nothing was changed."""


@dataclass(frozen=True)
class SourceEntry:
    path: str                       # relative, "/"-separated: tisheng.sqlite3, store/…, keys/…
    sha256: str | None
    size: int | None


@dataclass
class BackupSource:
    """A backup to restore from: a database file, a full backup folder or zip, or a copied data folder."""

    kind: str                       # "database" | "full" | "full-zip" | "data-folder"
    origin: Path
    db: SourceEntry
    entries: list[SourceEntry] = field(default_factory=list)   # store/ and keys/ files
    created: datetime | None = None
    school: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)           # evidence missing when it was made
    _base: Path | None = None
    _zip: object = None
    _prefix: str = ""

    @property
    def label(self) -> str:
        return {"database": "数据库备份", "full": "完整备份", "full-zip": "完整备份（压缩包）",
                "data-folder": "数据文件夹副本"}[self.kind]

    def open(self, rel: str):
        if self._zip is not None:
            return _ZipMember(self._zip, self._prefix + rel, self.origin)
        return open(self._base / rel, "rb")

    def extra_wal(self) -> Path | None:
        if self.kind == "data-folder":
            wal = self._base / (DB_NAME + "-wal")
            return wal if wal.is_file() and wal.stat().st_size > 0 else None
        return None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> "BackupSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _ZipMember:
    """A member of a backup zip being read; damage inside the zip (a bad CRC, a broken deflate
    stream, a member cut short) becomes BackupRejected naming the zip, not an unexpected error."""

    def __init__(self, zf, name: str, origin: Path) -> None:
        self._name, self._origin = name, origin
        entry = zf.get(name)
        if entry is None:
            raise BackupRejected(f"压缩包“{origin}”不完整：缺少“{name}”。未作任何更改。")
        self._fh = self._guard(lambda: zf.open(entry))

    def _guard(self, fn):
        try:
            return fn()
        except ZipDamaged as exc:
            log.info("damaged member %s in %s: %s", self._name, self._origin, exc)
            raise BackupRejected(f"压缩包“{self._origin.name}”中的“{self._name}”已损坏（压缩数据校验失败），"
                                 "无法读取。已停止恢复，未作任何更改。请换一份备份。") from None

    def read(self, n: int = -1) -> bytes:
        return self._guard(lambda: self._fh.read(n))

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "_ZipMember":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _safe_rel(rel: object) -> str:
    if not isinstance(rel, str):
        raise ValueError(rel)
    parts = rel.split("/")
    if rel.startswith("/") or "\\" in rel or ":" in rel or any(p in ("", ".", "..") for p in parts):
        raise ValueError(rel)
    if rel == DB_NAME or KEY_RE.match(rel):
        return rel
    if rel.startswith("store/") and sha_of_relpath(rel[len("store/"):]) is not None:
        return rel
    raise ValueError(rel)


def _parse_manifest(raw: bytes, where: Path) -> tuple[dict, SourceEntry, list[SourceEntry]]:
    try:
        man = safejson.loads(raw, what=f"“{where}”中的备份清单", max_bytes=50 * 1024 * 1024,
                             max_values=5_000_000)
        if not isinstance(man, dict) or man.get("format") != FULL_FORMAT:
            raise ValueError("format")
    except safejson.JsonRefused as exc:
        raise BackupRejected(exc.user_message + "不能用于恢复，未作任何更改。") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupRejected(f"“{where}”中的备份清单（manifest.json）无法读取或不是本软件的格式，"
                             "不能用于恢复。") from None
    if not isinstance(man.get("version"), int) or man["version"] > 1:
        raise BackupRejected(f"“{where}”是由更新版本的本软件制作的完整备份，请先安装最新版本再恢复。")
    db = None
    entries = []
    seen = set()
    for e in man.get("files") or []:
        try:
            rel = _safe_rel(e.get("path"))
            sha, size = e.get("sha256"), e.get("size")
            if not (isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha)) or \
                    not isinstance(size, int) or size < 0:
                raise ValueError(rel)
            if rel.startswith("store/") and not rel.endswith(sha):
                raise ValueError(rel)
        except (ValueError, AttributeError):
            shown = e.get("path") if isinstance(e, dict) else e
            raise BackupRejected(f"“{where}”的备份清单中有不安全或不合规的条目"
                                 f"（“{str(shown)[:80]}”），已拒绝整个备份，未作任何更改。") from None
        if rel.casefold() in seen:
            raise BackupRejected(f"“{where}”的备份清单中有重复的条目“{rel}”，已拒绝，未作任何更改。")
        seen.add(rel.casefold())
        entry = SourceEntry(rel, sha, size)
        if rel == DB_NAME:
            db = entry
        else:
            entries.append(entry)
    if db is None:
        raise BackupRejected(f"“{where}”的备份清单中没有数据库文件，不能用于恢复。")
    return man, db, entries


def _created_of(man: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(man.get("created", "")).replace(tzinfo=None)
    except (ValueError, TypeError):
        return None


def _open_full_folder(folder: Path) -> BackupSource:
    with os_errors(folder / MANIFEST):
        raw = (folder / MANIFEST).read_bytes()
    man, db, entries = _parse_manifest(raw, folder)
    for e in [db] + entries:
        p = folder / e.path
        if not p.is_file():
            raise BackupRejected(f"完整备份“{folder}”不完整：缺少文件“{e.path}”。请换一份备份。")
        if p.stat().st_size != e.size:
            raise BackupRejected(f"完整备份“{folder}”已损坏：文件“{e.path}”的大小与清单不符。请换一份备份。")
    return BackupSource("full", folder, db, entries, _created_of(man), man.get("school") or {},
                        list(man.get("missing") or []), _base=folder)


def _open_zip(path: Path) -> BackupSource:
    try:
        zf = SafeZip(path)
    except ZipDamaged as exc:
        # includes a damaged directory entry claiming a zip version from the future
        log.info("unreadable zip %s: %s", path, exc.details)
        raise BackupRejected(f"压缩包“{path}”已损坏或不完整，无法读取（不是完整的压缩包，可能复制中断或U盘拔出过早）。"
                             "未作任何更改。") from None
    except ZipRefused as exc:
        raise BackupRejected(f"压缩包“{path}”中有不安全的条目（压缩包被改动过，或已损坏），已拒绝，"
                             "未作任何更改（没有解压任何文件）。",
                             details=exc.details) from None
    except StorageError as exc:
        raise BackupRejected(f"压缩包“{path}”无法读取：{exc.user_message}未作任何更改。") from None
    try:
        names = [e.name for e in zf.files()]
        tops = [n for n in names if n == MANIFEST or (n.count("/") == 1 and n.endswith("/" + MANIFEST))]
        if len(tops) != 1:
            raise BackupRejected(f"压缩包“{path}”中没有本软件的完整备份（找不到唯一的 manifest.json）。"
                                 "未作任何更改。")
        prefix = tops[0][:-len(MANIFEST)]
        try:
            raw = zf.read(zf.get(tops[0]), 50 * 1024 * 1024)
        except ZipRefused:
            raise BackupRejected(f"压缩包“{path}”中的备份清单大得不正常，已拒绝。") from None
        except ZipDamaged as exc:
            log.info("damaged manifest in %s: %s", path, exc)
            raise BackupRejected(f"压缩包“{path}”中的备份清单（manifest.json）已损坏（压缩数据校验失败），"
                                 "不能用于恢复。未作任何更改。") from None
        man, db, entries = _parse_manifest(raw, path)
        for e in [db] + entries:
            i = zf.get(prefix + e.path)
            if i is None:
                raise BackupRejected(f"压缩包“{path}”不完整：缺少“{e.path}”。未作任何更改。")
            if i.size != e.size:
                raise BackupRejected(f"压缩包“{path}”中的“{e.path}”与清单不符，已拒绝。")
    except BaseException:
        zf.close()
        raise
    return BackupSource("full-zip", path, db, entries, _created_of(man), man.get("school") or {},
                        list(man.get("missing") or []), _zip=zf, _prefix=prefix)


def _open_data_folder(folder: Path) -> BackupSource:
    db = folder / DB_NAME
    entries = []
    for p in sorted((folder / "store").glob(BLOB_GLOB)):
        sha = sha_of_relpath(p.relative_to(folder / "store").as_posix())
        if sha is not None and p.is_file():
            entries.append(SourceEntry(f"store/{p.relative_to(folder / 'store').as_posix()}", sha, p.stat().st_size))
    keys = folder / "keys"
    if keys.is_dir():
        for p in sorted(keys.rglob("*")):
            rel = p.relative_to(folder).as_posix()
            if p.is_file() and KEY_RE.match(rel):
                entries.append(SourceEntry(rel, None, None))
    when = datetime.fromtimestamp(db.stat().st_mtime)
    return BackupSource("data-folder", folder, SourceEntry(DB_NAME, None, db.stat().st_size),
                        entries, when, _base=folder)


def open_backup_source(source: str | os.PathLike) -> BackupSource:
    """Recognise what `source` is and check its structure (not yet every hash); raises BackupRejected."""
    path = Path(source).expanduser()
    try:
        if path.is_dir():
            if path.name.endswith(".partial"):
                raise BackupRejected(f"“{path.name}”是没有写完的完整备份（可能写入时U盘被拔出），不能用于恢复。"
                                     "请使用其他完整备份。")
            if (path / MANIFEST).is_file():
                return _open_full_folder(path)
            if (path / DB_NAME).is_file():
                return _open_data_folder(path)
            fulls = sorted((p for p in path.glob(FULL_PREFIX + "*")
                            if p.is_dir() and not p.name.endswith(".partial") and (p / MANIFEST).is_file()),
                           key=lambda p: re.sub(r"^tisheng-full-([A-Za-z0-9_\-]*-)?", "", p.name))
            if fulls:
                return _open_full_folder(fulls[-1])
            raise BackupRejected(f"文件夹“{path}”中没有找到本软件的备份。请选择备份文件（.sqlite3）、"
                                 "完整备份文件夹（tisheng-full-…）或其压缩包。")
        if not path.exists():
            raise BackupRejected(f"找不到“{path}”。请检查路径，或确认U盘已插好。")
        if not path.is_file():                 # a named pipe or a device would block the open
            raise BackupRejected(f"“{path.name}”不是普通文件（可能是管道或设备），不是有效的备份。未作任何更改。")
        with open(path, "rb") as fh:
            head = fh.read(16)
        size = path.stat().st_size
    except OSError as exc:
        raise BackupRejected(describe_os_error(exc, path)) from exc
    if size == 0:
        raise BackupRejected(f"“{path.name}”是空文件（0 字节），不是有效的备份。未作任何更改。")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _open_zip(path)
    if head == SQLITE_HEADER:
        parsed = parse_backup_name(path.name)
        return BackupSource("database", path, SourceEntry(path.name, None, size),
                            created=parsed[0] if parsed else datetime.fromtimestamp(path.stat().st_mtime),
                            _base=path.parent)
    raise BackupRejected(f"“{path.name}”不是本软件的备份：它既不是数据库备份（.sqlite3），"
                         "也不是完整备份文件夹或其压缩包。未作任何更改。")


def inspect_backup(source: str | os.PathLike) -> dict:
    """What a backup holds, for the GUI to show before the user confirms a restore."""
    with open_backup_source(source) as src:
        evidence = [e for e in src.entries if e.path.startswith("store/")]
        return {"kind": src.kind, "label": src.label, "path": str(src.origin),
                "created": src.created.isoformat(timespec="minutes") if src.created else None,
                "school": src.school, "evidence_files": len(evidence),
                "evidence_bytes": sum(e.size or 0 for e in evidence),
                "has_keys": any(e.path.startswith("keys/") for e in src.entries)}
