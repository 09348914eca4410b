"""The school's signing key: an Ed25519 pair made on first use, kept in the data folder.

The secret never leaves `<data>/keys/`: it is not written into a bundle, a log
or an error message. On Windows it is wrapped with DPAPI (CryptProtectData,
current user) through ctypes, so a copied data folder cannot sign on another
account or PC; elsewhere, or when DPAPI is unavailable, the file is created
with permissions 0600. A full backup of the data folder carries the key file
(restorable only where DPAPI can open it). Replacing the key keeps the old one
under keys/retired/ and records both fingerprints in the audit log; the district
must then register the new fingerprint.

Public API: `school_key(ws)`, `sign_file(ws, path, trusted_comment)`, `sign_bytes(…)`,
`export_public(ws, dest)`, `replace_key(ws)`, `key_exists(ws)`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from app.errors import AppError, StorageError
from app.models import AuditEntry
from app.models.base import now
from app.services.bundle import minisign
from app.services.fileio import atomic_write_bytes, fsync_dir, os_errors, replace_with_retry
from app.services.seal import fingerprint_for

log = logging.getLogger(__name__)
NEW_KEY_HINT = "生成新密钥：tisheng key replace --yes（旧密钥会记录在案）。"

KEY_FILE = "school-key.json"
PUB_FILE = "school.pub"
RETIRED_DIR = "retired"
FORMAT = "tisheng-school-key"
PROTECTION_DPAPI = "dpapi-user"
PROTECTION_FILE = "file-0600"
_ENTROPY = b"Tisheng school signing key v1"


class KeyUnavailableError(AppError):
    """The key file exists but cannot be opened here (other PC, damaged file)."""


@dataclass(frozen=True)
class SchoolKeyInfo:
    fingerprint: str          # 8 groups of 4 hex: first 128 bits of SHA-256(raw key)
    public_key_b64: str       # the minisign "RW…" line
    pub_file_text: str        # the two-line minisign .pub file
    key_id_hex: str           # minisign's key id (random, a lookup hint only)
    created_at: datetime
    protection: str = PROTECTION_FILE

    def to_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "public_key": self.public_key_b64,
                "key_id": self.key_id_hex, "created_at": self.created_at.isoformat(),
                "protection": self.protection}


def info_for(pk: minisign.PublicKey, created_at: datetime | None = None,
             protection: str = PROTECTION_FILE) -> SchoolKeyInfo:
    return SchoolKeyInfo(fingerprint_for(pk.raw), pk.b64, pk.pub_file_text(), pk.key_id_hex,
                         created_at or now(), protection)


def _dpapi_available() -> bool:
    return sys.platform == "win32" and os.environ.get("TISHENG_NO_DPAPI") != "1"


def _dpapi(data: bytes, protect: bool) -> bytes:
    """CryptProtectData / CryptUnprotectData for the current user, no UI."""
    import ctypes
    from ctypes import wintypes

    class Blob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    def blob_of(raw: bytes) -> tuple[Blob, object]:
        buf = ctypes.create_string_buffer(raw, len(raw))
        return Blob(len(raw), ctypes.cast(buf, ctypes.POINTER(ctypes.c_char))), buf

    crypt32 = ctypes.WinDLL("crypt32", use_last_error=True)
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    blob_in, keep_in = blob_of(data)
    blob_ent, keep_ent = blob_of(_ENTROPY)
    blob_out = Blob()
    ui_forbidden = 0x1
    if protect:
        fn = crypt32.CryptProtectData
        fn.argtypes = [ctypes.POINTER(Blob), wintypes.LPCWSTR, ctypes.POINTER(Blob), ctypes.c_void_p,
                       ctypes.c_void_p, wintypes.DWORD, ctypes.POINTER(Blob)]
        fn.restype = wintypes.BOOL
        ok = fn(ctypes.byref(blob_in), "Tisheng school key", ctypes.byref(blob_ent), None, None,
                ui_forbidden, ctypes.byref(blob_out))
    else:
        fn = crypt32.CryptUnprotectData
        fn.argtypes = [ctypes.POINTER(Blob), ctypes.c_void_p, ctypes.POINTER(Blob), ctypes.c_void_p,
                       ctypes.c_void_p, wintypes.DWORD, ctypes.POINTER(Blob)]
        fn.restype = wintypes.BOOL
        ok = fn(ctypes.byref(blob_in), None, ctypes.byref(blob_ent), None, None, ui_forbidden,
                ctypes.byref(blob_out))
    del keep_in, keep_ent
    if not ok:
        raise OSError(ctypes.get_last_error(), "DPAPI failed")
    try:
        return ctypes.string_at(blob_out.pbData, blob_out.cbData)
    finally:
        kernel32.LocalFree(blob_out.pbData)


def _key_dir(ws) -> Path:
    return Path(ws.paths.keys)


def key_exists(ws) -> bool:
    return (_key_dir(ws) / KEY_FILE).is_file()


def _encode_secret(seed: bytes) -> tuple[str, str]:
    if _dpapi_available():
        try:
            return PROTECTION_DPAPI, base64.b64encode(_dpapi(seed, True)).decode("ascii")
        except (OSError, AttributeError) as exc:  # no crypt32: fall back to file permissions
            log.warning("DPAPI unavailable (%s); key protected by file permissions only", exc)
    return PROTECTION_FILE, base64.b64encode(seed).decode("ascii")


def _new_key_document() -> tuple[bytes, Ed25519PrivateKey, minisign.PublicKey, dict]:
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    pk = minisign.public_key_of(private, os.urandom(8))
    protection, secret = _encode_secret(seed)
    created = now()
    doc = {"format": FORMAT, "version": 1, "protection": protection,
           "key_id": pk.key_id.hex(), "public_key": base64.b64encode(pk.raw).decode("ascii"),
           "fingerprint": fingerprint_for(pk.raw), "created_at": created.isoformat(),
           "secret": secret}
    text = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
    return text, private, pk, doc


def _write_private(path: Path, data: bytes) -> None:
    """Write a new key file with 0600 permissions; fails if it already exists."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with os_errors(path):
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            try:
                os.link(tmp, path)          # atomic "create if absent": two first uses agree
            except (AttributeError, NotImplementedError, PermissionError):
                if path.exists():
                    raise FileExistsError(path)
                replace_with_retry(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(path.parent)


def _read_document(path: Path) -> dict:
    with os_errors(path):
        raw = path.read_bytes()
    from app.services import safejson
    try:
        doc = safejson.loads(raw, what=f"学校密钥文件“{path}”", max_bytes=1024 * 1024)
        if doc.get("format") != FORMAT:
            raise ValueError
        return doc
    except (ValueError, UnicodeDecodeError, AttributeError, safejson.JsonRefused):
        raise KeyUnavailableError(
            f"学校密钥文件“{path}”已损坏，无法读取。需要生成新密钥，并向区县重新登记新的公钥指纹。",
            cli_hint=NEW_KEY_HINT) from None


def _open_document(doc: dict, path: Path) -> tuple[Ed25519PrivateKey, minisign.PublicKey]:
    try:
        secret = base64.b64decode(doc["secret"], validate=True)
        key_id = bytes.fromhex(doc["key_id"])
        raw_pub = base64.b64decode(doc["public_key"], validate=True)
    except (KeyError, ValueError, binascii.Error, TypeError):
        raise KeyUnavailableError(f"学校密钥文件“{path}”已损坏，无法读取。") from None
    if doc.get("protection") == PROTECTION_DPAPI:
        if sys.platform != "win32":
            raise KeyUnavailableError("学校密钥由 Windows 加密保护，只能在创建它的电脑和账户上使用。")
        try:
            secret = _dpapi(secret, False)
        except OSError:
            raise KeyUnavailableError(
                "本机无法解开学校密钥：数据文件夹可能是从另一台电脑或另一个 Windows 账户复制来的。"
                "请在原电脑上导出，或生成新密钥并向区县重新登记。", cli_hint=NEW_KEY_HINT) from None
    try:
        private = Ed25519PrivateKey.from_private_bytes(secret)
    except ValueError:
        raise KeyUnavailableError(f"学校密钥文件“{path}”已损坏，无法读取。") from None
    pk = minisign.public_key_of(private, key_id)
    if pk.raw != raw_pub or len(key_id) != 8:
        raise KeyUnavailableError(f"学校密钥文件“{path}”内容不一致（私钥与公钥不匹配），已停止使用。")
    return private, pk


def _audit(ws, action: str, detail: dict) -> None:
    with ws.sessions() as s:
        s.add(AuditEntry(action=action, detail=json.dumps(detail, ensure_ascii=False)))
        s.commit()


def _ensure(ws) -> tuple[Ed25519PrivateKey, minisign.PublicKey, dict]:
    path = _key_dir(ws) / KEY_FILE
    if not path.is_file():
        with os_errors(path.parent):
            path.parent.mkdir(parents=True, exist_ok=True)
        text, private, pk, doc = _new_key_document()
        try:
            _write_private(path, text)
        except FileExistsError:
            pass                              # someone else created it first: use theirs
        else:
            atomic_write_bytes(path.parent / PUB_FILE, pk.pub_file_text().encode("ascii"))
            _audit(ws, "key-create", {"fingerprint": doc["fingerprint"], "key_id": pk.key_id_hex,
                                      "protection": doc["protection"]})
            log.info("school key created, fingerprint %s", doc["fingerprint"])
            return private, pk, doc
    doc = _read_document(path)
    private, pk = _open_document(doc, path)
    return private, pk, doc


def _created(doc: dict) -> datetime:
    try:
        return datetime.fromisoformat(doc.get("created_at", ""))
    except ValueError:
        return now()


def school_key(ws) -> SchoolKeyInfo:
    """The school's public key information; creates the key pair on first use."""
    _private, pk, doc = _ensure(ws)
    return info_for(pk, _created(doc), doc.get("protection", PROTECTION_FILE))


def public_key(ws) -> minisign.PublicKey:
    return _ensure(ws)[1]


def sign_file(ws, path: Path, trusted_comment: str, untrusted_comment: str | None = None,
              progress=None) -> str:
    """The minisign signature text (pre-hashed "ED") of a file, made with the school key."""
    private, pk, _doc = _ensure(ws)
    with os_errors(path):
        digest = minisign.blake2b_file(Path(path), progress)
    return minisign.sign_bytes_prehashed(
        private, pk.key_id, digest, trusted_comment,
        untrusted_comment or f"signature from Tisheng school key {fingerprint_for(pk.raw)}")


def sign_bytes(ws, data: bytes, trusted_comment: str, untrusted_comment: str | None = None) -> str:
    """Like sign_file, for a message already in memory (the tag manifest)."""
    private, pk, _doc = _ensure(ws)
    digest = hashlib.blake2b(data, digest_size=64).digest()
    return minisign.sign_bytes_prehashed(
        private, pk.key_id, digest, trusted_comment,
        untrusted_comment or f"signature from Tisheng school key {fingerprint_for(pk.raw)}")


def export_public(ws, dest: Path) -> Path:
    """Write the minisign public key file (for the district's register) to dest."""
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / PUB_FILE
    info = school_key(ws)
    atomic_write_bytes(dest, info.pub_file_text.encode("ascii"))
    return dest


def replace_key(ws, reason: str = "") -> tuple[SchoolKeyInfo | None, SchoolKeyInfo]:
    """Retire the current key (kept under keys/retired/) and create a new one; audited."""
    keys = _key_dir(ws)
    path = keys / KEY_FILE
    old_info: SchoolKeyInfo | None = None
    old_fp = ""
    if path.is_file():
        old_fp = "unreadable"
        try:
            doc = _read_document(path)
            raw = base64.b64decode(doc["public_key"])
            old_pk = minisign.PublicKey(bytes.fromhex(doc["key_id"]), raw)
            old_info = info_for(old_pk, _created(doc), doc.get("protection", PROTECTION_FILE))
            old_fp = old_info.fingerprint
        except (KeyUnavailableError, KeyError, ValueError, binascii.Error):
            pass
        retired = keys / RETIRED_DIR
        stamp = now().strftime("%Y%m%d-%H%M%S")
        target = retired / f"school-key-{stamp}-{old_fp.replace('-', '')[:8] or 'x'}.json"
        n = 1
        while target.exists():
            n += 1
            target = target.with_name(f"school-key-{stamp}-{n}.json")
        with os_errors(target):
            retired.mkdir(parents=True, exist_ok=True)
            replace_with_retry(path, target)
            fsync_dir(keys)
    (keys / PUB_FILE).unlink(missing_ok=True)
    text, _private, pk, doc = _new_key_document()
    try:
        _write_private(path, text)
    except FileExistsError:
        raise StorageError("另一个程序同时生成了学校密钥，请重试。") from None
    atomic_write_bytes(keys / PUB_FILE, pk.pub_file_text().encode("ascii"))
    new_info = info_for(pk, _created(doc), doc["protection"])
    _audit(ws, "key-replace", {"old_fingerprint": old_fp or None,
                               "new_fingerprint": new_info.fingerprint,
                               "new_key_id": new_info.key_id_hex, "reason": reason})
    log.info("school key replaced: %s -> %s", old_fp or "-", new_info.fingerprint)
    return old_info, new_info
