"""The content-addressed evidence store: store/ab/cd/<sha256>.

`blob_relpath` is the one place that layout is written (full backups, restore and fsck
use it too); `BLOB_GLOB` finds every stored file and `sha_of_relpath` reads one back.

Files are copied in under a temporary name while hashed, fsynced, re-read and
checked, then renamed to their hash. The same content is stored once however
many records use it. Original names live only in the database, so a hostile
name (`../x`, `CON.txt`, NFD, 300 characters) never reaches the file system.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import StorageError, ValidationError
from app.services import faults
from app.services.fileio import (COPY_CHUNK, FAT32_LIMIT, advise_sequential, fsync_dir, os_errors,
                                 replace_with_retry, sha256_file, temp_tag)
from app.services.progress import NO_PROGRESS, Progress


_SHA256 = re.compile("[0-9a-f]{64}")


def is_sha256(value: object) -> bool:
    """A stored hash as we write it: 64 lower-case hex digits (anything else is a damaged value)."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


class DamagedHashError(StorageError, ValueError):
    """A hash read from the database is not a hash: the record is damaged, its file cannot be found."""


BLOB_GLOB = "??/??/*"            # every stored file, relative to a store folder


def blob_relpath(sha256: str) -> str:
    """Where a file lives inside a store folder: "ab/cd/<sha256>" ("/"-separated).

    Two levels of 256 folders keep each folder small (FAT32 sticks slow down past a few
    thousand entries). Never built from a damaged value: "../" must not leave the store."""
    if not is_sha256(sha256):
        raise DamagedHashError(f"数据库中记录的文件校验值“{str(sha256)[:16]}…”已损坏（应为64位十六进制数），"
                               "找不到对应的文件。", cli_hint="列出受影响的记录：tisheng fsck")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def sha_of_relpath(rel: str) -> str | None:
    """The hash a store-relative path names if it is exactly blob_relpath(hash), else None."""
    sha = rel.rsplit("/", 1)[-1]
    return sha if is_sha256(sha) and rel == blob_relpath(sha) else None


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


def display_name(raw: str) -> str:
    """The name to keep in the database: the last path component, no control characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f").strip()
    return name[:255] or "未命名文件"


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / blob_relpath(sha256)

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def add_file(self, source: Path, progress: Progress = NO_PROGRESS) -> StoredFile:
        source = Path(source)
        with os_errors(source):
            if not source.is_file():
                raise StorageError(f"找不到文件“{source}”，或它不是普通文件。")
            size = source.stat().st_size
        if size >= FAT32_LIMIT:
            raise ValidationError(
                f"文件“{source.name}”大小为 {size / 1024 ** 3:.1f} GB，超过 4 GB。"
                "U盘（FAT32）无法存放这么大的单个文件，请压缩或剪短视频后再添加。")
        tmp_dir = self.root / "incoming"
        tmp = tmp_dir / f"{temp_tag(16)}.part"
        h = hashlib.sha256()
        # Reading the source and writing the store fail for different reasons: name the right one.
        saving = os_errors(self.root, f"把“{source.name}”保存到数据文件夹")
        try:
            with os_errors(tmp_dir, f"把“{source.name}”保存到数据文件夹"):
                tmp_dir.mkdir(parents=True, exist_ok=True)
            done = 0
            with os_errors(source):
                src = open(source, "rb")
            with src:
                advise_sequential(src)
                with os_errors(self.root, f"把“{source.name}”保存到数据文件夹"):
                    dst = open(tmp, "wb")
                with dst:
                    while True:
                        with os_errors(source):
                            chunk = src.read(COPY_CHUNK)
                        if not chunk:
                            break
                        with os_errors(self.root, f"把“{source.name}”保存到数据文件夹"):
                            dst.write(chunk)
                        h.update(chunk)
                        done += len(chunk)
                        progress.report(done, max(size, 1), f"正在复制 {source.name}")
                    with os_errors(self.root, f"把“{source.name}”保存到数据文件夹"):
                        dst.flush()
                        os.fsync(dst.fileno())
            with saving:
                faults.hit("store.after_copy")
            digest = h.hexdigest()
            with os_errors(tmp):
                if sha256_file(tmp) != digest:
                    raise StorageError(f"复制“{source.name}”后校验失败，磁盘可能有问题。文件未添加。")
            final = self.path_for(digest)
            with os_errors(self.root, f"把“{source.name}”保存到数据文件夹"):
                if final.exists() and sha256_file(final) == digest:
                    tmp.unlink()
                else:
                    final.parent.mkdir(parents=True, exist_ok=True)
                    replace_with_retry(tmp, final)
                    fsync_dir(final.parent)
                faults.hit("store.after_rename")
            return StoredFile(digest, done)
        finally:
            if tmp.exists():
                tmp.unlink(missing_ok=True)

    def add_bytes(self, data: bytes) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        final = self.path_for(digest)
        if not final.exists():
            tmp = self.root / "incoming" / f"{temp_tag(16)}.part"
            with os_errors(final):
                tmp.parent.mkdir(parents=True, exist_ok=True)
                with open(tmp, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                final.parent.mkdir(parents=True, exist_ok=True)
                replace_with_retry(tmp, final)
        return StoredFile(digest, len(data))

    def verify(self, sha256: str) -> bool:
        path = self.path_for(sha256)
        return path.is_file() and sha256_file(path) == sha256

    def all_hashes(self) -> set[str]:
        found = set()
        if not self.root.exists():
            return found
        for p in self.root.glob(BLOB_GLOB):
            if sha_of_relpath(p.relative_to(self.root).as_posix()) is not None:
                found.add(p.name)
        return found

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)
