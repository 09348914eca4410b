"""The return bag's HMAC: keyed by the pack's secret, over the tag manifest, the pack id and the return number.

The tag manifest covers bag-info.txt and manifest-sha256.txt, which covers every payload file,
so one HMAC seals the whole return. It proves the return was made from a pack this school
issued (a stranger's stick, another school's pack or an edit made after 完成采集 fails it). It
is not a signature: whoever holds the stick holds the secret too, so it does not stand against
a teaching point forging its own return; what the return says is checked like any input.
"""

from __future__ import annotations

import hashlib
import hmac

from app.services.packs.layout import HMAC_LABEL

DOMAIN = b"tisheng-pack-return/1\n"


def new_secret() -> str:
    import secrets
    return secrets.token_hex(32)


def return_mac(secret_hex: str, pack_id: str, return_seq: int, tagmanifest: bytes) -> str:
    message = DOMAIN + f"{pack_id}\n{return_seq}\n".encode("ascii") + tagmanifest
    return hmac.new(bytes.fromhex(secret_hex), message, hashlib.sha256).hexdigest()


def mac_file_bytes(mac: str) -> bytes:
    return f"{HMAC_LABEL} {mac}\n".encode("ascii")


def parse_mac_file(data: bytes) -> str | None:
    """The hex MAC in a return-hmac.txt, or None when the file is not in our format."""
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    label, _, value = text.partition(" ")
    value = value.strip().lower()
    if label != HMAC_LABEL or len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        return None
    return value


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
