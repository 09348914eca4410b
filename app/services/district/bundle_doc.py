"""Reading a verified bag's texts (tag files, bundle.json) and keeping a copy of them.

Only after `verify_path` passed: the manifest is read again and must hash to the verified seal
digest, and bundle.json must hash to its manifest line, so what the district records is exactly
what it verified even if the stick changed in between. Folders are read without following links;
zips through the same reader `verify` uses. A copy of the small texts is kept under
`<data>/district/records/<name>.zip`, so re-checks, version comparisons and receipts work after
the stick has gone home.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import AppError, StorageError
from app.services.bundle import layout as L
from app.services.bundle.zip_reader import ZipBag
from app.services.district.office import district_dir
from app.services.fileio import fsync_dir, os_errors, replace_with_retry
from app.services.safezip import SafeZip, ZipDamaged, ZipRefused

BUNDLE_JSON = "data/bundle.json"
CAP_TAG = 8 * 1024 ** 2
CAP_MANIFEST = 256 * 1024 ** 2
CAP_JSON = 256 * 1024 ** 2
KEPT = (L.BAG_INFO, L.MANIFEST, L.TAGMANIFEST, L.SIGNATURE, L.PUBKEY, L.BAGIT_TXT)


class BagTextError(AppError):
    """A bag's texts are not what its verification said (changed meanwhile, or unreadable)."""


class BagSource:
    """Small reads from a bag folder or zip (links refused)."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path, self.kind = Path(path), kind
        self._zip = ZipBag(self.path) if kind == "zip" else None

    def read(self, rel: str, cap: int) -> bytes | None:
        if self._zip is not None:
            return self._zip.read_small(rel, cap)
        target = self.path.joinpath(*rel.split("/"))
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"无法读取“{rel}”：{exc.strerror or exc}") from None
        if not stat.S_ISREG(st.st_mode):
            raise BagTextError(f"“{rel}”不是普通文件（可能是链接），不予读取。")
        if st.st_size > cap:
            raise BagTextError(f"“{rel}”过大（{st.st_size} 字节）。")
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
        with os_errors(target):
            fd = os.open(target, flags)
            with os.fdopen(fd, "rb") as fh:
                data = fh.read(cap + 1)
        if len(data) > cap:
            raise BagTextError(f"“{rel}”过大。")
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> "BagSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class BagTexts:
    files: dict[str, bytes]          # the KEPT tag files present in the bag
    bundle_json: bytes
    info: dict[str, str]             # bag-info.txt labels
    doc: dict[str, Any]              # bundle.json parsed


def peek(path: Path, kind: str) -> dict[str, str]:
    """bag-info.txt labels without verifying anything ({} when unreadable): for ordering and totals."""
    try:
        with BagSource(path, kind) as src:
            raw = src.read(L.BAG_INFO, CAP_TAG)
    except (AppError, OSError, ValueError):
        return {}
    return L.parse_bag_info(raw) if raw else {}


def parse_doc(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BagTextError("data/bundle.json 无法按 JSON 读取。") from None
    if not isinstance(doc, dict) or doc.get("format") != "tisheng-bundle":
        raise BagTextError("data/bundle.json 不是本软件的报送包记录格式。")
    return doc


def read_verified(path: Path, kind: str, seal_digest: str) -> BagTexts:
    """The texts of a bag that verify_path just passed, checked again against its seal."""
    with BagSource(path, kind) as src:
        files = {}
        for rel in KEPT:
            data = src.read(rel, CAP_MANIFEST if rel == L.MANIFEST else CAP_TAG)
            if data is not None:
                files[rel] = data
        manifest = files.get(L.MANIFEST)
        if manifest is None or hashlib.sha256(manifest).hexdigest() != seal_digest:
            raise BagTextError("核验之后文件清单又发生了变化（U盘上的报送包正在被改动？），未接收。")
        entries, _problems = L.parse_manifest(manifest, L.MANIFEST)
        expected = entries.get(BUNDLE_JSON)
        if expected is None:
            raise BagTextError("报送包中没有 data/bundle.json（学校记录），区县无法登记和复核。")
        raw = src.read(BUNDLE_JSON, CAP_JSON)
        if raw is None or hashlib.sha256(raw).hexdigest() != expected:
            raise BagTextError("核验之后 data/bundle.json 又发生了变化，未接收。")
    info = L.parse_bag_info(files.get(L.BAG_INFO, b""))
    return BagTexts(files, raw, info, parse_doc(raw))


def read_unverified_doc(path: Path, kind: str) -> dict[str, Any] | None:
    """bundle.json of a bag that was refused (to show what the school says about its key); None if unreadable."""
    try:
        with BagSource(path, kind) as src:
            raw = src.read(BUNDLE_JSON, CAP_JSON)
        return parse_doc(raw) if raw else None
    except (AppError, OSError, ValueError):
        return None


def keep(ws, texts: BagTexts, name: str) -> str:
    """Keep the texts as one zip, district/records/<name>.zip (one file to fsync, not seven); returns its name.

    Inside: bag-info.txt, the manifests, the signature, school.pub and bundle.json, under their own
    names, so `minisign -Vm tagmanifest-sha256.txt -p school.pub` still works on the extracted copy.
    """
    root = district_dir(ws, "records")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for rel, data in texts.files.items():
            z.writestr(rel, data)
        z.writestr("bundle.json", texts.bundle_json)
    target = root / f"{name}.zip"
    tmp = root / f".{name}.{uuid.uuid4().hex[:8]}.tmp"      # two workers may keep the same bundle at once
    with os_errors(target):
        try:
            with open(tmp, "wb") as fh:
                fh.write(buf.getvalue())
                fh.flush()
                os.fsync(fh.fileno())
            replace_with_retry(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(root)
    return target.name


def load_kept(ws, name: str) -> dict[str, Any]:
    path = Path(ws.paths.root, "district", "records", name)
    missing = StorageError(f"区县数据文件夹中缺少报送包记录“{name}”（可能被删除或损坏）。请重新接收该报送包。")
    with os_errors(path):
        if not path.is_file():
            raise missing
        try:
            with SafeZip(path) as z:
                entry = z.get("bundle.json")
                if entry is None:
                    raise missing
                raw = z.read(entry, CAP_JSON)
        except (ZipDamaged, ZipRefused):
            raise missing from None
    return parse_doc(raw)
