"""minisign-compatible keys and signatures, written by hand on `cryptography`.

The district checks a bundle with the standalone `minisign` tool, so the files
follow jedisct1/minisign exactly:

* public key: ``untrusted comment: …`` then base64("Ed" ‖ key id ‖ 32-byte key);
* signature: ``untrusted comment: …``, base64("ED" ‖ key id ‖ Ed25519(BLAKE2b-512(file))),
  ``trusted comment: …``, base64(Ed25519(signature ‖ trusted comment)).

Only the pre-hashed "ED" mode is written; the legacy "Ed" mode is accepted when
verifying because minisign accepts it too. The key id is random and proves
nothing; trust comes from the key itself (see `app.services.seal.fingerprint_for`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.services.fileio import CHUNK

PK_ALG = b"Ed"
SIG_ALG_HASHED = b"ED"
SIG_ALG_LEGACY = b"Ed"
UNTRUSTED_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
MAX_SIG_FILE = 16 * 1024
MAX_TRUSTED_COMMENT = 8192


class MinisignFormatError(ValueError):
    """A key or signature text is not in minisign format (message in Chinese)."""


@dataclass(frozen=True)
class PublicKey:
    key_id: bytes          # 8 bytes, as stored in the files
    raw: bytes             # 32-byte Ed25519 public key

    @property
    def key_id_hex(self) -> str:
        """The id as minisign prints it: little-endian uint64, 16 upper-case hex digits."""
        return key_id_hex(self.key_id)

    @property
    def b64(self) -> str:
        return base64.b64encode(PK_ALG + self.key_id + self.raw).decode("ascii")

    def pub_file_text(self) -> str:
        return f"{UNTRUSTED_PREFIX}minisign public key {self.key_id_hex}\n{self.b64}\n"


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    reason: str                    # '' when ok; otherwise a Chinese sentence
    code: str                      # good / bad-signature / bad-comment / wrong-key / malformed
    key_id_hex: str = ""
    trusted_comment: str = ""


def key_id_hex(key_id: bytes) -> str:
    return f"{int.from_bytes(key_id, 'little'):016X}"


def public_key_of(private: Ed25519PrivateKey, key_id: bytes) -> PublicKey:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PublicKey(key_id, raw)


def parse_public_key(text: str) -> PublicKey:
    """Accept a whole .pub file or the bare base64 line ("RW…")."""
    lines = [ln.strip() for ln in text.replace("\r", "").split("\n") if ln.strip()]
    if lines and lines[0].startswith(UNTRUSTED_PREFIX.strip()):
        lines = lines[1:]
    if len(lines) != 1:
        raise MinisignFormatError("公钥格式不正确：应为 minisign 公钥文件，或以 RW 开头的一行公钥。")
    try:
        blob = base64.b64decode(lines[0], validate=True)
    except (binascii.Error, ValueError):
        raise MinisignFormatError("公钥格式不正确：不是有效的 Base64 文本。") from None
    if len(blob) != 42 or blob[:2] != PK_ALG:
        raise MinisignFormatError("公钥格式不正确：不是 minisign 的 Ed25519 公钥。")
    return PublicKey(blob[2:10], blob[10:])


def blake2b_file(path: Path, progress=None) -> bytes:
    h = hashlib.blake2b(digest_size=64)
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            if progress is not None:
                progress.check()
    return h.digest()


def _clean_comment(text: str, what: str) -> str:
    if "\n" in text or "\r" in text:
        raise ValueError(f"{what} must be one line")
    return text


def sign_bytes_prehashed(private: Ed25519PrivateKey, key_id: bytes, digest: bytes,
                         trusted_comment: str, untrusted_comment: str) -> str:
    """The four-line .minisig text for a message whose BLAKE2b-512 digest is given."""
    trusted = _clean_comment(trusted_comment, "trusted comment").encode("utf-8")
    if len(trusted) > MAX_TRUSTED_COMMENT:
        raise ValueError("trusted comment too long")
    _clean_comment(untrusted_comment, "untrusted comment")
    signature = private.sign(digest)
    global_sig = private.sign(signature + trusted)
    return (f"{UNTRUSTED_PREFIX}{untrusted_comment}\n"
            f"{base64.b64encode(SIG_ALG_HASHED + key_id + signature).decode('ascii')}\n"
            f"{TRUSTED_PREFIX}{trusted_comment}\n"
            f"{base64.b64encode(global_sig).decode('ascii')}\n")


@dataclass(frozen=True)
class ParsedSignature:
    alg: bytes
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_sig: bytes


def parse_signature(data: bytes) -> ParsedSignature:
    if len(data) > MAX_SIG_FILE:
        raise MinisignFormatError("签名文件过大，不是 minisign 签名。")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MinisignFormatError("签名文件不是 UTF-8 文本，不是 minisign 签名。") from None
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    if len(lines) != 4 or not lines[0].startswith(UNTRUSTED_PREFIX.strip()) \
            or not lines[2].startswith(TRUSTED_PREFIX):
        raise MinisignFormatError("签名文件格式不正确：应为四行的 minisign 签名。")
    try:
        blob = base64.b64decode(lines[1], validate=True)
        global_sig = base64.b64decode(lines[3], validate=True)
    except (binascii.Error, ValueError):
        raise MinisignFormatError("签名文件格式不正确：签名不是有效的 Base64 文本。") from None
    if len(blob) != 74 or blob[:2] not in (SIG_ALG_HASHED, SIG_ALG_LEGACY) or len(global_sig) != 64:
        raise MinisignFormatError("签名文件格式不正确：不是 Ed25519 签名。")
    return ParsedSignature(blob[:2], blob[2:10], blob[10:], lines[2][len(TRUSTED_PREFIX):], global_sig)


def verify_signature(sig_data: bytes, message_path: Path | None, key: PublicKey, *,
                     message: bytes | None = None, progress=None) -> SignatureCheck:
    """Check a .minisig against a message (a file, or bytes) and one public key."""
    try:
        sig = parse_signature(sig_data)
    except MinisignFormatError as exc:
        return SignatureCheck(False, str(exc), "malformed")
    if sig.key_id != key.key_id:
        return SignatureCheck(False, f"签名使用的密钥编号为 {key_id_hex(sig.key_id)}，与所用公钥"
                              f"（编号 {key.key_id_hex}）不一致：签名不是由这把密钥生成的。",
                              "wrong-key", key_id_hex(sig.key_id), sig.trusted_comment)
    pub = Ed25519PublicKey.from_public_bytes(key.raw)
    if sig.alg == SIG_ALG_HASHED:
        if message is not None:
            signed = hashlib.blake2b(message, digest_size=64).digest()
        else:
            signed = blake2b_file(message_path, progress)
    else:
        signed = message if message is not None else Path(message_path).read_bytes()
    try:
        pub.verify(sig.signature, signed)
    except InvalidSignature:
        return SignatureCheck(False, "签名与文件内容不符：文件在签名后被改动，或签名来自其他报送包。",
                              "bad-signature", key.key_id_hex, sig.trusted_comment)
    try:
        pub.verify(sig.global_sig, sig.signature + sig.trusted_comment.encode("utf-8"))
    except InvalidSignature:
        return SignatureCheck(False, "签名中的可信注释被改动过。", "bad-comment", key.key_id_hex,
                              sig.trusted_comment)
    return SignatureCheck(True, "", "good", key.key_id_hex, sig.trusted_comment)
