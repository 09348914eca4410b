"""Reading a backup: recognise what a file, folder or zip is and check its structure.

A backup to restore from is a database file, a full backup (a folder, or a zip of
one) or a copied data folder. Full backups come in two formats, both read here:

* format 2 (now written, full.py): a BagIt bag; manifest-sha256.txt lists
  data/tisheng.sqlite3, data/store/ab/cd/<sha256> and data/keys/…, bag-info.txt says
  `Tisheng-Backup-Format: 2`, tagmanifest-sha256.txt covers the tag files;
* format 1 (written until the bag): manifest.json beside tisheng.sqlite3, store/ and keys/.

Nothing is trusted before it is checked: every path must be one this app writes
(the database, store/ab/cd/<sha256>, keys/…), zips go through the one safe reader
(app.services.safezip), and damage becomes BackupRejected naming the file, with
nothing changed. Each file's hash is checked while it is copied in (staging.py).
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
from app.services.backup.full import BACKUP_FORMAT, DB_NAME, FORMAT_FIELD, FULL_FORMAT, FULL_PREFIX, MANIFEST
from app.services.backup.snapshot import parse_backup_name
from app.services.bundle import layout as L
from app.dbfile import SQLITE_HEADER
from app.services.fileio import describe_os_error, os_errors
from app.services.safezip import SafeZip, ZipDamaged, ZipRefused
from app.services.store import BLOB_GLOB, sha_of_relpath

log = logging.getLogger(__name__)

KEY_RE = re.compile(r"^keys/(?:retired/)?[A-Za-z0-9][A-Za-z0-9._\-]{0,120}$")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
LIST_LIMIT = 50 * 1024 * 1024           # a manifest of 100,000 files is ~10 MB
TAG_LIMIT = 1024 * 1024


class BackupRejected(AppError):
    """The file or folder is not a usable backup; nothing was changed."""


@dataclass(frozen=True)
class SourceEntry:
    path: str                       # what it is: tisheng.sqlite3, store/ab/cd/<sha>, keys/…
    sha256: str | None
    size: int | None
    member: str = ""                # where it is inside the backup (format 2: under data/)

    @property
    def location(self) -> str:
        return self.member or self.path


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

    def open(self, entry: SourceEntry):
        if self._zip is not None:
            return _ZipMember(self._zip, self._prefix + entry.location, self.origin)
        return open(self._base / entry.location, "rb")

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


class _Files:
    """The files of a full backup, in a folder or in a zip under `prefix`: sizes and small reads."""

    def __init__(self, where: Path, folder: Path | None = None, zf: SafeZip | None = None, prefix: str = "") -> None:
        self.where, self.folder, self.zf, self.prefix = where, folder, zf, prefix

    def size(self, rel: str) -> int | None:
        if self.zf is not None:
            entry = self.zf.get(self.prefix + rel)
            return None if entry is None or entry.is_dir else entry.size
        p = self.folder / rel
        return p.stat().st_size if p.is_file() else None

    def read(self, rel: str, cap: int, what: str) -> bytes:
        if self.zf is None:
            p = self.folder / rel
            with os_errors(p):
                if p.stat().st_size > cap:
                    raise BackupRejected(f"“{self.where}”中的{what}大得不正常，已拒绝。")
                return p.read_bytes()
        try:
            return self.zf.read(self.zf.get(self.prefix + rel), cap)
        except ZipRefused:
            raise BackupRejected(f"压缩包“{self.where}”中的{what}大得不正常，已拒绝。") from None
        except ZipDamaged as exc:
            log.info("damaged %s in %s: %s", rel, self.where, exc)
            raise BackupRejected(f"压缩包“{self.where}”中的{what}（{rel}）已损坏（压缩数据校验失败），"
                                 "不能用于恢复。未作任何更改。") from None


@dataclass
class _Parsed:
    db: SourceEntry
    entries: list[SourceEntry]
    created: datetime | None
    school: dict
    missing: list[str]


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


def _entries(items, where: Path, files: _Files, member_of) -> tuple[SourceEntry, list[SourceEntry]]:
    """(database, other entries) from (path, sha256, size or None) items; every path checked."""
    db = None
    entries = []
    seen = set()
    for raw_path, sha, size in items:
        try:
            rel = _safe_rel(raw_path)
            if not (isinstance(sha, str) and SHA_RE.match(sha)) or (size is not None and (
                    not isinstance(size, int) or isinstance(size, bool) or size < 0)):
                raise ValueError(rel)
            if rel.startswith("store/") and not rel.endswith(sha):
                raise ValueError(rel)
        except (ValueError, AttributeError):
            raise BackupRejected(f"“{where}”的备份清单中有不安全或不合规的条目"
                                 f"（“{str(raw_path)[:80]}”），已拒绝整个备份，未作任何更改。") from None
        if rel.casefold() in seen:
            raise BackupRejected(f"“{where}”的备份清单中有重复的条目“{rel}”，已拒绝，未作任何更改。")
        seen.add(rel.casefold())
        member = member_of(rel)
        have = files.size(member)
        kind = "压缩包" if files.zf is not None else "完整备份"
        if have is None:
            raise BackupRejected(f"{kind}“{where}”不完整：缺少文件“{member}”。请换一份备份。")
        if size is not None and have != size:
            raise BackupRejected(f"{kind}“{where}”已损坏：文件“{member}”的大小与清单不符。请换一份备份。")
        entry = SourceEntry(rel, sha, have, member if member != rel else "")
        if rel == DB_NAME:
            db = entry
        else:
            entries.append(entry)
    if db is None:
        raise BackupRejected(f"“{where}”的备份清单中没有数据库文件，不能用于恢复。")
    return db, entries


def _created(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text or "")).replace(tzinfo=None)
    except (ValueError, TypeError):
        return None


def _read_v1(files: _Files) -> _Parsed:
    """Format 1: manifest.json with each file's path, sha256 and size."""
    where = files.where
    raw = files.read(MANIFEST, LIST_LIMIT, "备份清单")
    try:
        man = safejson.loads(raw, what=f"“{where}”中的备份清单", max_bytes=LIST_LIMIT, max_values=5_000_000)
        if not isinstance(man, dict) or man.get("format") != FULL_FORMAT:
            raise ValueError("format")
    except safejson.JsonRefused as exc:
        raise BackupRejected(exc.user_message + "不能用于恢复，未作任何更改。") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupRejected(f"“{where}”中的备份清单（manifest.json）无法读取或不是本软件的格式，"
                             "不能用于恢复。") from None
    if not isinstance(man.get("version"), int) or man["version"] > 1:
        raise BackupRejected(f"“{where}”是由更新版本的本软件制作的完整备份，请先安装最新版本再恢复。")
    items = []
    for e in man.get("files") or []:
        if not isinstance(e, dict):
            raise BackupRejected(f"“{where}”的备份清单中有不安全或不合规的条目（“{str(e)[:80]}”），"
                                 "已拒绝整个备份，未作任何更改。")
        items.append((e.get("path"), e.get("sha256"), e.get("size") if isinstance(e.get("size"), int) else -1))
    db, entries = _entries(items, where, files, lambda rel: rel)
    school = man.get("school") if isinstance(man.get("school"), dict) else {}
    return _Parsed(db, entries, _created(man.get("created")), school, list(man.get("missing") or []))


def _read_v2(files: _Files) -> _Parsed:
    """Format 2: a BagIt bag; the tag manifest must cover bag-info.txt and manifest-sha256.txt unchanged."""
    import hashlib
    where = files.where
    info = L.parse_bag_info(files.read(L.BAG_INFO, TAG_LIMIT, "bag-info.txt"))
    version = info.get(FORMAT_FIELD, "")
    if not version:
        raise BackupRejected(f"“{where}”是 BagIt 包（可能是报送包），不是本软件的完整备份，不能用于恢复。"
                             "未作任何更改。")
    if not version.isdigit() or int(version) > int(BACKUP_FORMAT):
        raise BackupRejected(f"“{where}”是由更新版本的本软件制作的完整备份，请先安装最新版本再恢复。")
    tags, problems = L.parse_manifest(files.read(L.TAGMANIFEST, TAG_LIMIT, "tagmanifest-sha256.txt"),
                                      L.TAGMANIFEST)
    manifest_raw = files.read(L.MANIFEST, LIST_LIMIT, "备份清单")
    for name, data in ((L.MANIFEST, manifest_raw),
                       (L.BAG_INFO, files.read(L.BAG_INFO, TAG_LIMIT, "bag-info.txt"))):
        if problems or tags.get(name) != hashlib.sha256(data).hexdigest():
            raise BackupRejected(f"“{where}”的备份清单（{name}）已损坏或被改动（与 tagmanifest-sha256.txt 不符），"
                                 "不能用于恢复。未作任何更改。")
    listed, problems = L.parse_manifest(manifest_raw, L.MANIFEST)
    if problems:
        raise BackupRejected(f"“{where}”的备份清单（manifest-sha256.txt）格式不正确，不能用于恢复。",
                             details=problems[:20])
    items = []
    for path, sha in sorted(listed.items()):
        if not path.startswith("data/"):
            raise BackupRejected(f"“{where}”的备份清单中有不安全或不合规的条目（“{path[:80]}”），"
                                 "已拒绝整个备份，未作任何更改。")
        items.append((path[len("data/"):], sha, None))
    db, entries = _entries(items, where, files, lambda rel: f"data/{rel}")
    oxum = info.get("Payload-Oxum", "")
    have = f"{sum(e.size for e in [db, *entries])}.{len(entries) + 1}"
    if oxum != have:
        raise BackupRejected(f"完整备份“{where}”不完整或已损坏：文件的总大小或个数与 bag-info.txt 不符"
                             f"（应为 {oxum}，实际 {have}）。请换一份备份。")
    school = {"name": info.get("Tisheng-School-Name", ""), "code": info.get("Tisheng-School-Code", "")}
    return _Parsed(db, entries, _created(info.get("Tisheng-Created")), school, [])


def _read_full(files: _Files) -> _Parsed:
    if files.size(L.BAGIT_TXT) is not None:
        return _read_v2(files)
    return _read_v1(files)


def is_full_backup(folder: Path) -> bool:
    """A full backup folder of either format (not a .partial one)."""
    if folder.name.endswith(L.PARTIAL) or not folder.is_dir():
        return False
    if (folder / MANIFEST).is_file():
        return True
    try:
        info = L.parse_bag_info((folder / L.BAG_INFO).read_bytes()[:TAG_LIMIT])
    except OSError:
        return False
    return (folder / L.BAGIT_TXT).is_file() and bool(info.get(FORMAT_FIELD))


def backup_root_for(path: str | os.PathLike) -> Path:
    """What a picked file stands for: a file at the top of a full backup folder (its README,
    bagit.txt, manifest.json …) is that folder; anything else is itself."""
    p = Path(path)
    return p.parent if p.is_file() and is_full_backup(p.parent) else p


def _open_full_folder(folder: Path) -> BackupSource:
    parsed = _read_full(_Files(folder, folder=folder))
    return BackupSource("full", folder, parsed.db, parsed.entries, parsed.created, parsed.school, parsed.missing,
                        _base=folder)


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
        tops = [n for n in names for marker in (MANIFEST, L.BAGIT_TXT)
                if n == marker or (n.count("/") == 1 and n.endswith("/" + marker))]
        if len(tops) != 1:
            raise BackupRejected(f"压缩包“{path}”中没有本软件的完整备份（找不到唯一的 bagit.txt 或 manifest.json）。"
                                 "未作任何更改。")
        prefix = tops[0].rpartition("/")[0] + "/" if "/" in tops[0] else ""
        parsed = _read_full(_Files(path, zf=zf, prefix=prefix))
    except BaseException:
        zf.close()
        raise
    return BackupSource("full-zip", path, parsed.db, parsed.entries, parsed.created, parsed.school,
                        parsed.missing, _zip=zf, _prefix=prefix)


def _open_data_folder(folder: Path) -> BackupSource:
    db = folder / DB_NAME
    entries = []
    store = folder / "store"
    for p in sorted(store.glob(BLOB_GLOB)):
        sha = sha_of_relpath(p.relative_to(store).as_posix())
        if sha is not None and p.is_file():
            entries.append(SourceEntry(f"store/{p.relative_to(store).as_posix()}", sha, p.stat().st_size))
    keys = folder / "keys"
    if keys.is_dir():
        for p in sorted(keys.rglob("*")):
            rel = p.relative_to(folder).as_posix()
            if p.is_file() and KEY_RE.match(rel):
                entries.append(SourceEntry(rel, None, None))
    when = datetime.fromtimestamp(db.stat().st_mtime)
    return BackupSource("data-folder", folder, SourceEntry(DB_NAME, None, db.stat().st_size),
                        entries, when, _base=folder)


def _full_backups_in(folder: Path) -> list[Path]:
    """Full backup folders directly in `folder`, oldest first (by their time stamp)."""
    return sorted((p for p in folder.glob(FULL_PREFIX + "*") if is_full_backup(p)),
                  key=lambda p: re.sub(r"^tisheng-full-([A-Za-z0-9_\-]*-)?", "", p.name))


def open_backup_source(source: str | os.PathLike) -> BackupSource:
    """Recognise what `source` is and check its structure (not yet every hash); raises BackupRejected.

    A file at the top of a full backup folder (README, bagit.txt, manifest.json) stands for the folder."""
    path = backup_root_for(Path(source).expanduser())
    try:
        if path.is_dir():
            if path.name.endswith(L.PARTIAL):
                raise BackupRejected(f"“{path.name}”是没有写完的完整备份（可能写入时U盘被拔出），不能用于恢复。"
                                     "请使用其他完整备份。")
            if (path / MANIFEST).is_file() or (path / L.BAGIT_TXT).is_file():
                return _open_full_folder(path)
            if (path / DB_NAME).is_file():
                return _open_data_folder(path)
            fulls = _full_backups_in(path)
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
